// The sockets the main thread serves itself: shell, IOPUB and stdin. Requests are read, and
// replies and output written, on the thread that handles them, with no thread hop in between
// (a 1+1 round trip is a third shorter than through the transport thread). Control and the
// heartbeat stay on the transport thread, which answers while a cell keeps this thread busy.
import { encode, type OutgoingMessage, type WireMessage } from "../wire/codec.js";
import { Signer } from "../wire/signer.js";
import { endpoint, type ConnectionInfo } from "../wire/connection.js";
import { createLog } from "../log.js";
import { readAuthentic, SendQueues, zmq, type Zmq } from "./zmq.js";

export type MainChannel = "shell" | "stdin";

/** How long draining the shell may take: a client that keeps sending must not stall the kernel. */
const DRAIN_LIMIT_MS = 50;

export class KernelSockets {
  readonly #signer: Signer;
  readonly #routers: Record<MainChannel, Zmq.Router>;
  readonly #iopub: Zmq.Publisher;
  readonly #queues = new SendQueues((error) => log(`send failed: ${error.message}`));
  #closing = false;
  #shellReceived = 0;

  constructor(private readonly info: ConnectionInfo) {
    this.#signer = new Signer(info.key);
    // Neither kind of socket ever blocks a send (a router drops what it cannot route, a
    // publisher what a slow subscriber cannot take), so a send need not ask first whether it
    // may: with no send timeout, zeromq.js skips that question, one system call per message.
    this.#routers = { shell: new zmq.Router({ sendTimeout: 0 }), stdin: new zmq.Router({ sendTimeout: 0 }) };
    this.#iopub = new zmq.Publisher({ sendTimeout: 0 });
  }

  /** Binds shell, IOPUB and stdin as the connection file says, then hands every authentic request to `onMessage`. */
  async bind(onMessage: (channel: MainChannel, message: WireMessage) => void): Promise<void> {
    try {
      await Promise.all([
        this.#routers.shell.bind(endpoint(this.info, "shell")),
        this.#routers.stdin.bind(endpoint(this.info, "stdin")),
        this.#iopub.bind(endpoint(this.info, "iopub")),
      ]);
    } catch (error) {
      for (const socket of this.#sockets()) socket.close();
      throw new Error(`cannot bind the kernel's sockets: ${(error as Error).message}`);
    }
    readAuthentic(this.#routers.shell, "shell", this.#signer, log, (message) => {
      this.#shellReceived++;
      onMessage("shell", message);
    });
    readAuthentic(this.#routers.stdin, "stdin", this.#signer, log, (message) => onMessage("stdin", message));
  }

  send(channel: MainChannel | "iopub", message: OutgoingMessage): void {
    // Closing for the kernel's exit: output of a cell's timer that fires meanwhile has nowhere to go.
    if (this.#closing) return;
    const socket = channel === "iopub" ? this.#iopub : this.#routers[channel];
    this.#queues.send(socket, encode(message, this.#signer));
  }

  /**
   * Resolves once the requests zeromq already holds for the shell have been read, so that
   * stop_on_error can abort every request that was queued behind a failure, as ipykernel does.
   * Held requests are read one after another without waiting, once the event loop polls the
   * socket, so they are all in once a whole turn of the loop brings no more. (Asking the socket
   * whether it is readable instead would race with the pending read: the answer consumes the
   * signal that read waits for.)
   */
  async shellDrained(): Promise<void> {
    const until = performance.now() + DRAIN_LIMIT_MS;
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
    await nextTurn(); // the end of this turn: the next one is whole, its poll included
    let seen;
    do {
      seen = this.#shellReceived;
      await nextTurn();
    } while (this.#shellReceived !== seen && performance.now() < until);
  }

  /** Sends what is queued (waiting up to 500 ms for slow peers), then closes. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#queues.closeWhenSent(this.#sockets());
  }

  #sockets(): Zmq.Socket[] {
    return [this.#routers.shell, this.#routers.stdin, this.#iopub];
  }
}

const log = createLog();
