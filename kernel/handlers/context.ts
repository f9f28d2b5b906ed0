import type { KernelSession, Request } from "../session.js";
import type { Interpreter } from "../interpreter/interpreter.js";

/** What a handler can use: it answers through the session and asks the interpreter. */
export interface HandlerContext {
  session: KernelSession;
  interpreter: Interpreter;
  /** Replies have been sent: end the process (or get ready to be started again). */
  exit(): Promise<void>;
  /** stop_on_error: the executions queued behind this request are answered "aborted"; call before replying. */
  abortQueuedExecutions(): Promise<void>;
}

export type Handler = (request: Request, context: HandlerContext) => Promise<void> | void;
