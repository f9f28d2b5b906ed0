// The main thread's handle on the transport thread (control, heartbeat, interrupts).
import type { Worker } from "node:worker_threads";
import { sendThreadOutputToLog } from "../log.js";
import type { LaunchedThread } from "./launch.cjs";
import type { ToMain, ToTransport } from "./protocol.js";

export type IncomingHandler = (message: Exclude<ToMain, { kind: "ready" | "fatal" }>) => void;

export class Transport {
  readonly #worker: Worker;
  /** Resolves once control and heartbeat are bound; rejects if they cannot be. */
  readonly ready: Promise<void>;

  /** Takes over a launched transport thread. */
  constructor(thread: LaunchedThread, onIncoming: IncomingHandler) {
    this.#worker = thread.worker;
    sendThreadOutputToLog(this.#worker);
    this.ready = new Promise<void>((resolve, reject) => {
      thread.listen((message) => {
        if (message.kind === "ready") resolve();
        else if (message.kind === "fatal") reject(new Error(message.text));
        else onIncoming(message);
      }, reject);
    });
    this.ready.catch(() => undefined); // the kernel's start awaits it, maybe after it failed
  }

  post(message: ToTransport): void {
    this.#worker.postMessage(message);
  }

  /** Closes the sockets (what was sent still goes out) and ends the thread. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#worker.once("exit", () => resolve());
      this.post({ kind: "close" });
    });
  }
}
