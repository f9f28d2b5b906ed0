// How a pool's child process died. tinypool reports every death of a child with the same bare
// error, "Worker exited unexpectedly", made in the child's "exit" event without its exit code or
// signal. Its workers are the child processes themselves as far as their events go, so this
// listens to them too: it reads the code or signal from "exit", and the uncaught error the child
// sent before exiting (worker-task.ts) from the crash reports that came over its IPC channel.
import { setTimeout as delay } from "node:timers/promises";
import type { TinypoolWorker } from "tinypool";
import type { WorkerError } from "./worker-task.js";

/** What a child sends over its IPC channel when an uncaught error is about to end it. */
export interface CrashReport {
  crashed: WorkerError;
  pid: number;
}

export interface ChildDeath {
  /** `exited with code 3`, `was killed by SIGKILL`, `threw Error: boom (uncaught: the process ended)`. */
  how: string;
  lane: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  thrown?: WorkerError;
}

// After its "exit", a child's IPC channel may still hold messages (its crash report, its last
// output); they are all read once it closes ("disconnect"). This long at most, in case a
// grandchild kept the channel open.
const CHANNEL_CLOSE_WAIT_MS = 1000;

const watched = new WeakSet<TinypoolWorker>();
const deaths = new WeakMap<Error, Promise<ChildDeath>>();
const crashReports = new Map<number, WorkerError>();

export function isCrashReport(message: unknown): message is CrashReport {
  return typeof (message as CrashReport | undefined)?.crashed === "object" && typeof (message as CrashReport).pid === "number";
}

export function noteCrashReport(report: CrashReport): void {
  crashReports.set(report.pid, report.crashed);
}

/** Starts listening to the pool's children it was not listening to yet (tinypool starts them in `run`). */
export function watchChildren(workers: TinypoolWorker[]): void {
  for (const worker of workers) {
    if (watched.has(worker)) continue;
    watched.add(worker);
    const pid = worker.threadId;
    let lastError: Error | undefined;
    worker.on("error", (error: Error) => {
      lastError = error;
    });
    // Both listeners are on the ChildProcess itself (tinypool's `once` passes them on as they are).
    const disconnected = new Promise<void>((resolve) => worker.once("disconnect", () => resolve()));
    worker.once("exit", (exitCode: number | null, signal: NodeJS.Signals | null) => {
      const death = Promise.race([disconnected, delay(CHANNEL_CLOSE_WAIT_MS, undefined, { ref: false })]).then((): ChildDeath => {
        const thrown = crashReports.get(pid);
        crashReports.delete(pid);
        return { how: describeDeath(exitCode, signal, thrown), lane: `process ${pid}`, exitCode, signal, ...(thrown ? { thrown } : {}) };
      });
      // tinypool's own "exit" listener ran before this one and emitted its error: that error is
      // this death's. (A child tinypool ended itself, idle or cancelled, gets none.)
      if (lastError) deaths.set(lastError, death);
    });
  }
}

/**
 * How the child behind tinypool's `error` died, once it is known; undefined for any other error
 * (a thread's, a cancel). tinypool tells of the death (a task's rejection, the pool's "error"
 * event) from within the child's "exit" event, before ours: the error is mapped once it is over.
 */
export async function childDeath(error: unknown): Promise<ChildDeath | undefined> {
  await Promise.resolve();
  return error instanceof Error ? deaths.get(error) : undefined;
}

function describeDeath(exitCode: number | null, signal: NodeJS.Signals | null, thrown: WorkerError | undefined): string {
  if (thrown) return `threw ${thrown.name}: ${thrown.message} (uncaught: the process ended)`;
  if (signal) return `was killed by ${signal}`;
  return `exited with code ${exitCode}`;
}
