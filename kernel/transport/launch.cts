// Starts the transport thread, before anything else of the kernel is loaded (see run-kernel.cts),
// and keeps what the thread says until the main thread's Transport listens. CommonJS, so that
// the kernel's entry can start the thread before Node's ESM loader has even started.
import { Worker } from "node:worker_threads";
import path from "node:path";
import type { ToMain, TransportInit } from "./protocol.js" with { "resolution-mode": "import" };

export interface LaunchedThread {
  readonly worker: Worker;
  readonly init: TransportInit;
  /** Hands over the thread's messages and its error, including those from before this call. */
  listen(onMessage: (message: ToMain) => void, onError: (error: Error) => void): void;
}

export function launchTransportThread(connectionFile: string): LaunchedThread {
  const init: TransportInit = {
    connectionFile,
    watchSignals: process.platform !== "win32",
    parentPid: parentPid(),
  };
  const worker = new Worker(path.join(__dirname, "transport-thread.js"), { workerData: init, stdout: true, stderr: true });
  const early: ToMain[] = [];
  let failure: Error | undefined;
  let onMessage: ((message: ToMain) => void) | undefined;
  let onError: ((error: Error) => void) | undefined;
  worker.on("message", (message: ToMain) => (onMessage ? onMessage(message) : early.push(message)));
  worker.once("error", (error: Error) => (onError ? onError(error) : (failure = error)));
  return {
    worker,
    init,
    listen(messages, error) {
      onMessage = messages;
      onError = error;
      for (const message of early.splice(0)) messages(message);
      if (failure) error(failure);
    },
  };
}

/** Jupyter clients name themselves in JPY_PARENT_PID; a client killed outright must not leave its kernel behind. */
function parentPid(): number | undefined {
  const pid = Number(process.env.JPY_PARENT_PID);
  return Number.isInteger(pid) && pid > 1 && pid === process.ppid ? pid : undefined;
}
