// What the interpreter may do to the outside world. The kernel implements it with sockets; tests
// implement it with arrays. The interpreter never sees a socket.
import type { JSONObject } from "../wire/codec.js";
import type { CellContext } from "./cell-context.js";

export interface Frontend {
  /** An IOPUB message whose parent is the given cell's request (or none). */
  publish(cell: CellContext | undefined, msgType: string, content: JSONObject, metadata?: JSONObject, buffers?: Uint8Array[]): void;
  /**
   * Asks the user for a line of text (input_request on stdin) and waits for the reply; once
   * `stop` aborts, the request is forgotten and the promise rejects with its reason.
   */
  requestInput(cell: CellContext, prompt: string, password: boolean, stop: AbortSignal): Promise<string>;
}
