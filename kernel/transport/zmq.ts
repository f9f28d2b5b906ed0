// zeromq for whichever kernel thread owns sockets, and the one rule every sender must keep.
import { createRequire } from "node:module";
import type * as Zmq from "zeromq";
import type { Frame } from "../wire/codec.js";

// require, not import: importing the CommonJS package makes Node scan it for export names first,
// ~8 ms of every kernel start, on its way to the first kernel_info_reply.
const require = createRequire(import.meta.url);
export const zmq = require("zeromq") as typeof Zmq;
export type { Zmq };

/** zeromq.js allows one send in flight per socket, so each socket gets a queue. */
export class SendQueues {
  readonly #queues = new Map<Zmq.Writable, Promise<unknown>>();

  constructor(private readonly onError: (error: Error) => void) {}

  send(socket: Zmq.Writable, frames: Frame[]): void {
    const previous = this.#queues.get(socket);
    // A socket with nothing in flight (most sends) sends at once, not after a promise turn.
    const sent = previous ? previous.then(() => socket.send(frames)) : socket.send(frames);
    const settled = sent.catch(this.onError).finally(() => {
      if (this.#queues.get(socket) === settled) this.#queues.delete(socket);
    });
    this.#queues.set(socket, settled);
  }

  /** Resolves once everything queued so far has been handed to zeromq. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.#queues.values());
  }
}
