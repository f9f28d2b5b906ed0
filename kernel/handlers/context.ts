import type { KernelSession, Request } from "../session.js";
import type { Interpreter } from "../interpreter/interpreter.js";

/** What a handler can use: it answers through the session and asks the interpreter. */
export interface HandlerContext {
  session: KernelSession;
  interpreter: Interpreter;
  /** Replies have been sent: end the process (or get ready to be started again). */
  exit(): Promise<void>;
}

/** An execute handler may ask for the queued executions to be aborted (stop_on_error). */
export type HandlerResult = void | { abortQueue: boolean };
export type Handler = (request: Request, context: HandlerContext) => Promise<HandlerResult> | HandlerResult;
