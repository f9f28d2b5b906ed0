// Which cell is running "now", for any code: the cell's own statements, its timers, promise
// continuations, worker threads and child-process pipes all carry the context they were created in.
import { AsyncLocalStorage } from "node:async_hooks";
import { inspect } from "node:util";
import type { KernelMessage } from "@jupyterlab/services";

export interface CellContext {
  /** The request being answered (an execute_request, or a comm message: see runForRequest): outputs are sent with it as their parent header. */
  readonly header: KernelMessage.IHeader;
  /** Routing identities of the request: input_request goes back to the same frontend. */
  readonly identities: Buffer[];
  readonly executionCount: number;
  readonly allowStdin: boolean;
  /** Which notebook cell this is, across runs: the frontend's cell id, else the code itself. */
  readonly cellKey?: string;
}

const storage = new AsyncLocalStorage<CellContext>();

/**
 * A context as it will be stored. Node keeps the store on every promise and timer made in it,
 * where util.inspect shows it: a Timeout a cell displays shows `[cell In[3]]`, not the request,
 * its session id and the cell's whole source.
 */
export function cellContext(fields: CellContext): CellContext {
  return Object.defineProperty(fields, inspect.custom, { value: describeCell, enumerable: false });
}

function describeCell(this: CellContext): string {
  return `[cell In[${this.executionCount}]]`;
}
let lastStarted: CellContext | undefined;

export function runInCell<T>(context: CellContext, action: () => T): T {
  lastStarted = context;
  return storage.run(context, action);
}

/**
 * Runs code that answers a request other than a cell's (a frontend's comm message): what it
 * outputs, at once or from promises and timers it starts, belongs to that request, as in
 * ipykernel. It is no cell: it takes no input, and later code with no context of its own still
 * goes to the cell that ran last.
 */
export function runForRequest<T>(request: Pick<CellContext, "header" | "identities">, action: () => T): T {
  const context = cellContext({ header: request.header, identities: request.identities, executionCount: lastStarted?.executionCount ?? 0, allowStdin: false });
  return storage.run(context, action);
}

/** How an interrupted cell fails, whatever it was doing: busy, awaiting, or blocked in a command. */
export class InterruptError extends Error {
  override name = "InterruptError";
  constructor(detail?: string) {
    super(detail ? `Execution interrupted: ${detail}` : "Execution interrupted");
  }

  /**
   * One the kernel makes where it hears of the interrupt, away from the cell's code: its frames
   * would be the kernel's or Node's (`at Worker.emit (node:events…)`), nothing of the cell.
   */
  static withoutFrames(detail?: string): InterruptError {
    const error = new InterruptError(detail);
    error.stack = `${error.name}: ${error.message}`;
    return error;
  }
}

// Stopping a busy loop means V8 terminating it, which skips the "after" step of every async
// context the loop is inside: its callback's, its promise job's. Node checks those steps when
// native code leaves a callback, and aborts the whole process on a mismatch. So the interrupter
// pauses this thread in the loop and calls suspendForTermination(), which empties Node's
// async-id stack, and terminates the loop the moment it resumes: leaving a context with the
// stack empty is no mismatch, and every context entered afterwards is left in order again.
const clearAsyncIdStack = loadClearAsyncIdStack();
/** Empties the async-id stack (see above); returns the cell of the busy code about to be stopped. */
export function suspendForTermination(): CellContext | undefined {
  const stopped = storage.getStore();
  clearAsyncIdStack?.();
  return stopped;
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
