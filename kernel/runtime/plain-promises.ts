// Node's async hooks, which the kernel's cell tracking turns on, keep their bookkeeping on every
// promise as symbol properties, and util.inspect shows them: a Promise a cell forgot to await
// showed two async ids and its cell's context. Here a promise shows as in a plain Node REPL.
import { inspect, type InspectOptions } from "node:util";

const BOOKKEEPING = new Set(["async_id_symbol", "trigger_async_id_symbol", "kResourceStore"]);

export function showPromisesPlainly(): void {
  Object.defineProperty(Promise.prototype, inspect.custom, { value: inspectPlainly, configurable: true, writable: true });
}

function inspectPlainly(this: Promise<unknown>, _depth: number, options: InspectOptions): string {
  const promise = this as unknown as Record<symbol, unknown>;
  const saved = Object.getOwnPropertySymbols(promise).filter((key) => BOOKKEEPING.has(key.description ?? "")).map((key) => [key, promise[key]] as const);
  for (const [key] of saved) delete promise[key];
  // Node's own formatting shows the state, which no public API gives; this hook steps aside for it.
  delete (Promise.prototype as unknown as Record<symbol, unknown>)[inspect.custom];
  try {
    return inspect(this, options);
  } finally {
    showPromisesPlainly();
    for (const [key, value] of saved) promise[key] = value;
  }
}
