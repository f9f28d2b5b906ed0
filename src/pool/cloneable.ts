// What a task takes to its worker and brings back is copied by the structured clone algorithm,
// as Python pickles it. A function, a symbol or an object with a method in it cannot be copied,
// and tinypool would only report that as a dead worker (or, in a worker, die of it). So both
// sides look first, and the error names the argument or the return value, and the part of it.

/** Why `value` cannot be cloned, pointing at the part (`its .area is a function`), or undefined. */
export function whyNotCloneable(value: unknown): string | undefined {
  const seen = new Set<object>();
  const visit = (part: unknown, at: string): string | undefined => {
    if (typeof part === "function") return `${at} is a function${part.name && !at.endsWith(`.${part.name}`) ? ` (${part.name})` : ""}`;
    if (typeof part === "symbol") return `${at} is a symbol`;
    if (typeof part !== "object" || part === null || seen.has(part)) return undefined;
    seen.add(part);
    if (ArrayBuffer.isView(part) || part instanceof ArrayBuffer || part instanceof Date || part instanceof RegExp || part instanceof Error) return undefined;
    if (part instanceof Promise || part instanceof WeakMap || part instanceof WeakSet || part instanceof WeakRef) return `${at} is a ${part.constructor.name}`;
    if (part instanceof Map) {
      for (const [key, entry] of part) {
        const why = visit(key, `a key of ${at}`) ?? visit(entry, `${at}.get(${typeof key === "string" ? JSON.stringify(key) : String(key)})`);
        if (why) return why;
      }
      return undefined;
    }
    if (part instanceof Set) {
      for (const entry of part) {
        const why = visit(entry, `an entry of ${at}`);
        if (why) return why;
      }
      return undefined;
    }
    if (Array.isArray(part)) {
      for (let index = 0; index < part.length; index++) {
        const why = visit(part[index], `${at}[${index}]`);
        if (why) return why;
      }
      return undefined;
    }
    for (const key of Object.keys(part)) {
      const why = visit((part as Record<string, unknown>)[key], `${at}.${key}`);
      if (why) return why;
    }
    return undefined;
  };
  return visit(value, "it")?.replace(/^it(?=[.[])/, "its ");
}

export const WHAT_TRAVELS = "only data the structured clone copies can travel (numbers, strings, arrays, plain objects, Maps, Sets, Dates, typed arrays), not functions, symbols, promises or objects with methods";

/** An error like Python's PicklingError: what could not be sent, and which part of it. */
export function dataCloneError(what: string, why: string): Error {
  const error = new Error(`${what}: ${why}; ${WHAT_TRAVELS}`);
  error.name = "DataCloneError";
  // Where it was found (pool or worker internals) would only hide the message.
  error.stack = `${error.name}: ${error.message}`;
  return error;
}
