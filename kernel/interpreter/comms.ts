// Jupyter comms: long-lived channels between a cell's objects and frontend widgets.
import { randomUUID } from "node:crypto";
import type { JSONObject } from "../wire/codec.js";
import { currentCell, runForRequest, type CellContext } from "./cell-context.js";
import { KernelPromise } from "../intrinsics.js";
import type { Frontend } from "./frontend.js";

type Data = JSONObject;
export type CommMessageHandler = (data: Data, buffers: Uint8Array[]) => void;
export type CommTarget = (comm: Comm, data: Data, buffers: Uint8Array[]) => void;
/** The frontend's comm_open, comm_msg or comm_close being handled. */
export type CommRequest = Pick<CellContext, "header" | "identities">;

export class Comm {
  #onMessage: CommMessageHandler[] = [];
  #onClose: CommMessageHandler[] = [];
  #closed = false;

  constructor(readonly id: string, readonly targetName: string, private readonly registry: CommRegistry) {}

  get closed(): boolean { return this.#closed; }

  send(data: Data = {}, metadata: JSONObject = {}, buffers?: Uint8Array[]): void {
    if (this.#closed) throw new Error(`comm ${this.id} (${this.targetName}) is closed`);
    this.registry.publish("comm_msg", { comm_id: this.id, data }, metadata, buffers);
  }

  close(data: Data = {}): void {
    if (this.#closed) return;
    this.registry.publish("comm_close", { comm_id: this.id, data });
    this.closedByFrontend(data, []);
  }

  onMsg(handler: CommMessageHandler): void { this.#onMessage.push(handler); }
  onClose(handler: CommMessageHandler): void { this.#onClose.push(handler); }

  /** @internal */
  received(data: Data, buffers: Uint8Array[]): void {
    callEach(this.#onMessage, data, buffers);
  }

  /** @internal */
  closedByFrontend(data: Data, buffers: Uint8Array[]): void {
    if (this.#closed) return;
    this.#closed = true;
    this.registry.forget(this.id);
    callEach(this.#onClose, data, buffers);
  }
}

/** Every handler runs, whatever an earlier one threw; the first error is thrown once all have run. */
function callEach(handlers: CommMessageHandler[], data: Data, buffers: Uint8Array[]): void {
  let failure: { error: unknown } | undefined;
  for (const handler of handlers) {
    try {
      handler(data, buffers);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}

export class CommRegistry {
  readonly #targets = new Map<string, CommTarget>();
  readonly #comms = new Map<string, Comm>();

  constructor(private readonly frontend: Frontend) {}

  /** Cells call this so frontends can open comms to them. */
  registerTarget(targetName: string, target: CommTarget): void {
    this.#targets.set(targetName, target);
  }

  unregisterTarget(targetName: string): void {
    this.#targets.delete(targetName);
  }

  /** Opens a comm from the kernel side. */
  open(targetName: string, data: Data = {}, metadata: JSONObject = {}, buffers?: Uint8Array[]): Comm {
    const comm = new Comm(randomUUID(), targetName, this);
    this.#comms.set(comm.id, comm);
    this.publish("comm_open", { comm_id: comm.id, target_name: targetName, data }, metadata, buffers);
    return comm;
  }

  info(targetName?: string): Record<string, { target_name: string }> {
    const out: Record<string, { target_name: string }> = {};
    for (const comm of this.#comms.values()) {
      if (!targetName || comm.targetName === targetName) out[comm.id] = { target_name: comm.targetName };
    }
    return out;
  }

  /** A frontend opened a comm: hand it to the target, or close it if no cell registered one. */
  frontendOpened(request: CommRequest, commId: string, targetName: string, data: Data, buffers: Uint8Array[]): void {
    runForRequest(request, () => {
      const target = this.#targets.get(targetName);
      if (!target) {
        this.publish("comm_close", { comm_id: commId, data: { error: `no comm target named "${targetName}" is registered` } });
        return;
      }
      const comm = new Comm(commId, targetName, this);
      this.#comms.set(commId, comm);
      // As in ipykernel: a comm its target failed to set up is closed, not left for the frontend
      // to wait on.
      const failed = (error: unknown) => comm.close({ error: `comm target "${targetName}" failed: ${error instanceof Error ? error.message : String(error)}` });
      let setUp: unknown;
      try {
        setUp = target(comm, data, buffers);
      } catch (error) {
        failed(error); // the error itself goes to the kernel's log, as there
        throw error;
      }
      // An async target fails later: its comm is closed then, and the rejection is reported as
      // any other the comm's handlers leave (in the output of this comm_open).
      KernelPromise.resolve(setUp).then(undefined, (error: unknown) => {
        failed(error);
        throw error;
      });
    });
  }

  frontendMessage(request: CommRequest, commId: string, data: Data, buffers: Uint8Array[]): void {
    runForRequest(request, () => this.#comms.get(commId)?.received(data, buffers));
  }

  frontendClosed(request: CommRequest, commId: string, data: Data, buffers: Uint8Array[]): void {
    runForRequest(request, () => this.#comms.get(commId)?.closedByFrontend(data, buffers));
  }

  /** @internal */
  publish(msgType: string, content: JSONObject, metadata: JSONObject = {}, buffers?: Uint8Array[]): void {
    this.frontend.publish(currentCell(), msgType, content, metadata, buffers);
  }

  /** @internal */
  forget(commId: string): void {
    this.#comms.delete(commId);
  }
}
