// The main thread's handle on the transport thread.
import type { Worker } from "node:worker_threads";
import { sendThreadOutputToLog } from "../log.js";
import type { LaunchedThread } from "./launch.cjs";
import type { ToMain, ToTransport } from "./protocol.js";

export type IncomingHandler = (message: Exclude<ToMain, { kind: "ready" | "fatal" }>) => void;

export class Transport {
  readonly #worker: Worker;

  private constructor(worker: Worker, readonly sessionId: string) {
    this.#worker = worker;
  }

  /** Takes over a launched transport thread; resolves once its sockets are bound. */
  static attach(thread: LaunchedThread, onIncoming: IncomingHandler): Promise<Transport> {
    const { worker } = thread;
    sendThreadOutputToLog(worker);
    return new Promise<Transport>((resolve, reject) => {
      thread.listen((message) => {
        if (message.kind === "ready") resolve(new Transport(worker, message.sessionId));
        else if (message.kind === "fatal") reject(new Error(message.text));
        else onIncoming(message);
      }, reject);
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
