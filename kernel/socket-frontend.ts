// The interpreter's Frontend backed by the kernel's sockets: IOPUB for output, stdin for input.
import type { JSONObject } from "./wire/codec.js";
import type { KernelSession, Request } from "./session.js";
import type { CellContext } from "./interpreter/cell-context.js";
import type { Frontend } from "./interpreter/frontend.js";

export class SocketFrontend implements Frontend {
  session: KernelSession | undefined;
  readonly #inputs = new Map<string, { resolve: (value: string) => void }>();

  publish(cell: CellContext | undefined, msgType: string, content: JSONObject, metadata?: JSONObject, buffers?: Uint8Array[]): void {
    this.session?.publish(msgType, content, cell?.header, metadata, buffers);
  }

  requestInput(cell: CellContext, prompt: string, password: boolean, stop: AbortSignal): Promise<string> {
    if (!this.session) return Promise.reject(new Error("the kernel is not connected"));
    if (stop.aborted) return Promise.reject(stop.reason);
    const id = this.session.ask(cell, "input_request", { prompt, password });
    return new Promise((resolve, reject) => {
      this.#inputs.set(id, { resolve });
      // Left open, a stopped request would take the next reply that names no request.
      stop.addEventListener("abort", () => { if (this.#inputs.delete(id)) reject(stop.reason); }, { once: true });
    });
  }

  /**
   * An input_reply from the frontend. Clients need not name the request they answer
   * (jupyter_client's input() sends no parent header; ipykernel takes the next reply), so a reply
   * without a known parent answers the oldest open request.
   */
  received(reply: Request): void {
    if (reply.header.msg_type !== "input_reply") return;
    const parentId = (reply.parent_header as { msg_id?: string }).msg_id;
    const id = parentId && this.#inputs.has(parentId) ? parentId : this.#inputs.keys().next().value;
    if (id === undefined) return;
    const waiter = this.#inputs.get(id)!;
    this.#inputs.delete(id);
    waiter.resolve(String(reply.content.value ?? ""));
  }
}
