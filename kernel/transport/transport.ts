// The main thread's handle on the transport thread.
import { Worker } from "node:worker_threads";
import { sendThreadOutputToLog } from "../log.js";
import type { ToMain, ToTransport, TransportInit } from "./protocol.js";

export type IncomingHandler = (message: Exclude<ToMain, { kind: "ready" | "fatal" }>) => void;

export class Transport {
  readonly #worker: Worker;

  private constructor(worker: Worker, readonly sessionId: string) {
    this.#worker = worker;
  }

  /**
   * `running` settles once the thread runs JavaScript (or could not start); `ready` gives the
   * transport once its sockets are bound.
   */
  static start(init: TransportInit, onIncoming: IncomingHandler): { running: Promise<void>; ready: Promise<Transport> } {
    const worker = new Worker(new URL("./transport-thread.js", import.meta.url), { workerData: init, stdout: true, stderr: true });
    sendThreadOutputToLog(worker);
    const ready = new Promise<Transport>((resolve, reject) => {
      worker.once("error", reject);
      worker.on("message", (message: ToMain) => {
        if (message.kind === "ready") resolve(new Transport(worker, message.sessionId));
        else if (message.kind === "fatal") reject(new Error(message.text));
        else onIncoming(message);
      });
    });
    const running = Promise.race([new Promise<void>((resolve) => worker.once("online", () => resolve())), ready.then(() => undefined, () => undefined)]);
    return { running, ready };
  }

  post(message: ToTransport): void {
    this.#worker.postMessage(message);
  }

  /** Flushes queued sends, closes the sockets and ends the thread. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#worker.once("exit", () => resolve());
      this.post({ kind: "close" });
    });
  }
}
