// The main thread's handle on the transport thread.
import { Worker } from "node:worker_threads";
import { sendThreadOutputToLog } from "../log.js";
import type { ToMain, ToTransport, TransportInit } from "./protocol.js";

export type IncomingHandler = (message: Exclude<ToMain, { kind: "ready" | "fatal" }>) => void;

export class Transport {
  readonly #worker: Worker;

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  static start(init: TransportInit, onIncoming: IncomingHandler): Promise<Transport> {
    const worker = new Worker(new URL("./transport-thread.js", import.meta.url), { workerData: init, stdout: true, stderr: true });
    sendThreadOutputToLog(worker);
    return new Promise((resolve, reject) => {
      worker.once("error", reject);
      worker.on("message", (message: ToMain) => {
        if (message.kind === "ready") resolve(new Transport(worker));
        else if (message.kind === "fatal") reject(new Error(message.text));
        else onIncoming(message);
      });
    });
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
