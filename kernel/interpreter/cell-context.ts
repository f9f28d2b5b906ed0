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
  /** Which notebook cell this is, across runs: the frontend's cell id, else the code itself. */
  readonly cellKey?: string;
}

const storage = new AsyncLocalStorage<CellContext>();
let lastStarted: CellContext | undefined;

export function runInCell<T>(context: CellContext, action: () => T): T {
  repairAfterTermination();
  lastStarted = context;
  return storage.run(context, action);
}

/** How an interrupted cell fails, whatever it was doing: busy, awaiting, or blocked in a command. */
export class InterruptError extends Error {
  override name = "InterruptError";
  constructor(detail?: string) {
    super(detail ? `Execution interrupted: ${detail}` : "Execution interrupted");
  }
}

// Stopping a busy loop means V8 terminating it. Terminated inside a promise continuation, it
// skips async_hooks' "after" step: Node then finds its async-id stack unbalanced and aborts the
// whole process. So just before terminating, the interrupter pauses this thread and calls
// suspendForTermination() (no hook enabled: no check), and the stale stack is cleared before
// cells are tracked again.
let suspended = false;
const clearAsyncIdStack = loadClearAsyncIdStack();

export function suspendForTermination(): void {
  suspended = true;
  storage.disable();
}

export function repairAfterTermination(): void {
  if (!suspended) return;
  suspended = false;
  clearAsyncIdStack?.();
}

function loadClearAsyncIdStack(): (() => void) | undefined {
  // process.binding is deprecated and warns; the warning must not land in a notebook.
  const emitWarning = process.emitWarning;
  process.emitWarning = () => undefined;
  try {
    return (process as unknown as { binding(name: string): { clearAsyncIdStack?: () => void } }).binding("async_wrap").clearAsyncIdStack;
  } catch {
    return undefined;
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** The cell whose code is running, or, for code with no trace of one, the cell that ran last. */
export function currentCell(): CellContext | undefined {
  return storage.getStore() ?? lastStarted;
}

export function bindToCurrentCell<F extends (...args: never[]) => unknown>(callback: F): F {
  const context = currentCell();
  return context ? (((...args: Parameters<F>) => storage.run(context, () => callback(...args))) as F) : callback;
}
