// The sockets the main thread serves itself: shell, IOPUB and stdin. Requests are read, and
// replies and output written, on the thread that handles them, with no thread hop in between
// (a 1+1 round trip is a third shorter than through the transport thread). Control and the
// heartbeat stay on the transport thread, which answers while a cell keeps this thread busy.
import { encode, type OutgoingMessage, type WireMessage } from "../wire/codec.js";
import { Signer } from "../wire/signer.js";
import { endpoint, type ConnectionInfo } from "../wire/connection.js";
import { createLog } from "../log.js";
import { closeAfterSending, readAuthentic, SEND_AT_ONCE, sendAtOnce, zmq, type Zmq } from "./zmq.js";

export type MainChannel = "shell" | "stdin";

/** How long draining the shell may take: a client that keeps sending must not stall the kernel. */
const DRAIN_LIMIT_MS = 50;

export class KernelSockets {
  readonly #signer: Signer;
  readonly #routers: Record<MainChannel, Zmq.Router>;
  readonly #iopub: Zmq.Publisher;
  #closing = false;
  #shellReceived = 0;

  constructor(private readonly info: ConnectionInfo) {
    this.#signer = new Signer(info.key);
    this.#routers = { shell: new zmq.Router(SEND_AT_ONCE), stdin: new zmq.Router(SEND_AT_ONCE) };
    this.#iopub = new zmq.Publisher(SEND_AT_ONCE);
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
    sendAtOnce(socket, encode(message, this.#signer), log);
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

  /** Closes, giving slow peers up to 500 ms to take what was sent. */
  close(): void {
    this.#closing = true;
    closeAfterSending(this.#sockets());
  }

  #sockets(): Zmq.Socket[] {
    return [this.#routers.shell, this.#routers.stdin, this.#iopub];
  }
}

const log = createLog();
