// Which cell is running "now", for any code: the cell's own statements, its timers, promise
// continuations, worker threads and child-process pipes all carry the context they were created in.
import { AsyncLocalStorage } from "node:async_hooks";
import type { KernelMessage } from "@jupyterlab/services";

export interface CellContext {
  /** The execute_request: outputs are sent with it as their parent header. */
  readonly header: KernelMessage.IHeader;
  /** Routing identities of the request: input_request goes back to the same frontend. */
  readonly identities: Buffer[];
  readonly executionCount: number;
  readonly allowStdin: boolean;
}

const storage = new AsyncLocalStorage<CellContext>();
let lastStarted: CellContext | undefined;

export function runInCell<T>(context: CellContext, action: () => T): T {
  lastStarted = context;
  return storage.run(context, action);
}

/** The cell whose code is running, or, for code with no trace of one, the cell that ran last. */
export function currentCell(): CellContext | undefined {
  return storage.getStore() ?? lastStarted;
}

export function bindToCurrentCell<F extends (...args: never[]) => unknown>(callback: F): F {
  const context = currentCell();
  return context ? (((...args: Parameters<F>) => storage.run(context, () => callback(...args))) as F) : callback;
}
