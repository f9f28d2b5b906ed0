// zeromq for whichever kernel thread owns sockets: reading only authentic messages, one send in
// flight per socket, and closing once the queued sends are out.
import { createRequire } from "node:module";
import type * as Zmq from "zeromq";
import { decode, type Frame, type WireMessage } from "../wire/codec.js";
import type { Signer } from "../wire/signer.js";
import type { Log } from "../log.js";

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

  /** Closes `sockets` once everything queued is sent, giving slow peers up to 500 ms to take it. */
  async closeWhenSent(sockets: Zmq.Socket[]): Promise<void> {
    await this.settled();
    for (const socket of sockets) {
      socket.linger = 500;
      socket.close();
    }
  }
}

/**
 * Reads `socket` until it closes, handing on every message whose signature checks; anything else
 * is dropped and logged, and a message its handler fails on never ends the reading.
 */
export function readAuthentic(socket: Zmq.Router, channel: string, signer: Signer, log: Log, onMessage: (message: WireMessage) => void): void {
  (async () => {
    for await (const frames of socket) {
      const result = decode(frames, signer);
      if (!result.ok) { log(`dropped a ${channel} message: ${result.reason}`); continue; }
      try {
        onMessage(result.message);
      } catch (error) {
        log(`a ${channel} message could not be handled: ${(error as Error).stack ?? error}`);
      }
    }
  })().catch((error: Error) => { if (!socket.closed) log(`${channel} receive loop ended: ${error.message}`); });
}
