// A function written in a cell runs elsewhere (a worker thread, a child process) as its source
// text, like Python pickling a function by reference. What it cannot take along is its
// surroundings: a variable from the cell, an import. We find those before the function leaves,
// so the error names the variable, the way Python refuses to pickle a lambda.
import { createHash } from "node:crypto";
import vm from "node:vm";
import * as acorn from "acorn";
import { analyze } from "eslint-scope";
// parlab's own exports are the one surrounding a worker can rebuild: it imports parlab itself.
// (A cycle, index.js -> pool.js -> here, harmless: read only when a function is shipped.)
import * as parlab from "../index.js";

/** What travels to the worker: compiled there once per function, then called per task. */
export interface ShippedFunction {
  /** A hash of the source: the worker's compile cache key. */
  id: string;
  name: string;
  source: string;
  /** Free variables that are parlab's own exports in the notebook: local name -> export name ("*": the module). */
  parlab: Record<string, string>;
  /** The worker imports parlab before the function runs, so `require("parlab")` finds it loaded. */
  needsParlab: boolean;
  /** Uses `import()` or `import.meta`, which the kernel rewrote to `__parlab.import`, `__parlab.importMeta`. */
  needsRuntime: boolean;
}

// The kernel's name for what `import()` and `import.meta` in a cell become (cell-transform.ts).
const KERNEL_RUNTIME = "__parlab";

export class UnshippableFunctionError extends Error {
  override name = "UnshippableFunctionError";
}

// Every worker and child has these: the language's own globals plus Node's. `require` is given
// to shipped functions by the worker, so `require("node:crypto")` inside a function works.
const WORKER_GLOBALS = new Set<string>([
  ...(vm.runInNewContext("Object.getOwnPropertyNames(globalThis)") as string[]),
  "process", "Buffer", "console", "setTimeout", "setInterval", "setImmediate", "clearTimeout",
  "clearInterval", "clearImmediate", "queueMicrotask", "structuredClone", "fetch", "URL",
  "URLSearchParams", "TextEncoder", "TextDecoder", "AbortController", "AbortSignal", "performance",
  "crypto", "atob", "btoa", "Event", "EventTarget", "MessageChannel", "MessagePort",
  "BroadcastChannel", "Blob", "Headers", "Request", "Response", "FormData", "global", "require",
  "SharedArrayBuffer", "Atomics", "WebAssembly", "undefined", "NaN", "Infinity", "arguments",
]);

const shipped = new WeakMap<Function, ShippedFunction>();

/** Checks once per function that it can run on its own, and returns what to send. */
export function shipFunction(fn: Function, where: "thread" | "process"): ShippedFunction {
  const known = shipped.get(fn);
  if (known) return known;
  if (typeof fn !== "function") throw new TypeError(`expected a function to run in a ${where}, got ${typeof fn}`);
  const name = fn.name || "the function";
  const source = expressionSource(fn, name, where);
  const bindings: Record<string, string> = {};
  const free: string[] = [];
  let needsRuntime = false;
  for (const variable of freeVariables(source)) {
    if (WORKER_GLOBALS.has(variable)) continue;
    if (variable === KERNEL_RUNTIME) {
      needsRuntime = true;
      continue;
    }
    const exported = parlabExportNamed(variable);
    if (exported === undefined) free.push(variable);
    else bindings[variable] = exported;
  }
  if (free.length > 0) {
    const list = free.map((variable) => `'${variable}'`).join(", ");
    throw new UnshippableFunctionError(
      `${name} uses ${list} from around it, which a ${where} cannot take along: a ${where} gets the ` +
        `function's source, not the variables or imports of its cell. Pass ${free.length > 1 ? "them" : "it"} ` +
        `as an argument, or define ${free.length > 1 ? "them" : "it"} inside the function ` +
        `(modules: const { x } = require("module") inside it; parlab's own exports may be used as imported).`,
    );
  }
  const needsParlab = Object.keys(bindings).length > 0 || /\bparlab\b/.test(source);
  const id = createHash("sha1").update(source).update(JSON.stringify(bindings)).digest("hex");
  const result = { id, name, source, parlab: bindings, needsParlab, needsRuntime };
  shipped.set(fn, result);
  return result;
}

/**
 * The parlab export that `variable` holds in the notebook's global scope, where a cell's imports
 * live (indirect eval sees a cell's top-level bindings), or undefined. By value, not by name: an
 * `import { sleep as nap }` is found, a cell's own `sleep` is not.
 */
function parlabExportNamed(variable: string): string | undefined {
  let value: unknown;
  try {
    value = (0, eval)(variable);
  } catch {
    return undefined; // not defined there: a local of an enclosing function
  }
  if (value === parlab) return "*";
  if (value === undefined || value === null) return undefined;
  for (const [exported, candidate] of Object.entries(parlab)) if (candidate === value) return exported;
  return undefined;
}

/** The function's source as an expression: methods (`area() {}`) become function expressions. */
function expressionSource(fn: Function, name: string, where: string): string {
  const text = Function.prototype.toString.call(fn);
  if (/\{\s*\[native code\]\s*\}$/.test(text)) {
    throw new UnshippableFunctionError(`${name} is built in (native code): a ${where} cannot run it from source; wrap it in a function of your own`);
  }
  if (text.startsWith("class ") || text.startsWith("class{")) {
    throw new UnshippableFunctionError(`${name} is a class: pass a function to run in a ${where}`);
  }
  for (const candidate of [text, `function ${text}`, text.replace(/^async\s+/, "async function ")]) {
    try {
      acorn.parseExpressionAt(`(${candidate})`, 0, { ecmaVersion: "latest" });
      return candidate;
    } catch {
      // Not this shape; try the next.
    }
  }
  throw new UnshippableFunctionError(`${name} could not be read back from its source to run in a ${where}`);
}

function freeVariables(source: string): string[] {
  const program = acorn.parse(`(${source});`, { ecmaVersion: "latest", sourceType: "script", ranges: true });
  const scopes = analyze(program as never, { ecmaVersion: 2022, sourceType: "script" });
  const names = scopes.globalScope!.through.map((reference) => reference.identifier.name);
  return [...new Set(names)];
}
