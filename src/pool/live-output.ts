// What a pool's worker prints, shown as it is printed, in the cell that submitted the task (the
// article's threads say "starting" while they run, not all at the end). Each write is tagged with
// a key the main side made for the task. Threads post it on a broadcast channel; child processes
// send it over their IPC channel, which tinypool hands to the task's `channel` (see
// PROCESS_OUTPUT). In a kernel, the main side writes it as part of the submitting cell (outside
// one, stdout is just stdout). A task settles only once all its writes have been shown, so its
// output never trails its result.
import { BroadcastChannel } from "node:worker_threads";
import { kernelHook } from "../../kernel/runtime/kernel-hook.js";
import { RecentMap } from "../../kernel/recent-map.js";
import { isCrashReport, noteCrashReport } from "./child-death.js";

export const LIVE_OUTPUT_CHANNEL = "parlab.pool.live-output";
/** Finished tasks whose late writes are still shown in their cell; older ones' are dropped. */
const FINISHED_TASKS_KEPT = 1000;

/** One write of a task, from the worker. */
export interface LiveChunk {
  key: string;
  stream: "stdout" | "stderr";
  text: string;
  lane: string;
}

/** What a worker sends on the same way: a write, or word that the task has started. */
export type LiveMessage = LiveChunk | { key: string; started: true };

interface Expected {
  write: (chunk: LiveChunk) => void;
  shown: number;
  onStart?: () => void;
  /** Set when the task ended: resolves once `shown` reaches the count the worker reported. */
  settled?: { count: number; resolve: () => void };
}

const expected = new Map<string, Expected>();
/**
 * Where finished tasks' writes go: a timer a task left behind in its worker may still print, and
 * that belongs in the cell that asked for the task, as a timer's output from the cell itself does.
 */
const finished = new RecentMap<string, (chunk: LiveChunk) => void>(FINISHED_TASKS_KEPT);
let channel: BroadcastChannel | undefined;
let nextKey = 0;

function onChunk(message: unknown): void {
  const chunk = message as LiveMessage;
  if (typeof chunk?.key !== "string") return;
  const entry = expected.get(chunk.key);
  if (!entry) {
    if (!("started" in chunk)) finished.get(chunk.key)?.(chunk);
    return;
  }
  if ("started" in chunk) {
    entry.onStart?.();
    return;
  }
  entry.write(chunk);
  entry.shown++;
  if (entry.settled && entry.shown >= entry.settled.count) finish(chunk.key, entry);
}

function finish(key: string, entry: Expected): void {
  expected.delete(key);
  finished.set(key, entry.write);
  entry.settled?.resolve();
  // The channel keeps the process alive only while some task may still print.
  if (expected.size === 0) channel?.unref();
}

/**
 * What child processes send that is not tinypool's own lands here (tinypool's `channel` option of
 * a task): their writes, and the report of an uncaught error about to end one (child-death.ts).
 */
export const PROCESS_OUTPUT = { postMessage: (message: unknown) => (isCrashReport(message) ? noteCrashReport(message) : onChunk(message)) };

/**
 * A key for one task's output; its writes are shown by `show`, run where this is called.
 * `fromThread`: the task runs in a thread, whose writes come by the broadcast channel.
 */
export function expectOutput(show: (chunk: LiveChunk) => void, fromThread: boolean): string {
  if (fromThread) {
    if (!channel) {
      channel = new BroadcastChannel(LIVE_OUTPUT_CHANNEL);
      channel.onmessage = (event) => onChunk((event as { data: unknown }).data);
    }
    channel.ref();
  }
  const key = `${process.pid}:${++nextKey}`;
  // The kernel's own binding: an AsyncResource per task cost ~20 µs, a quarter of a small task.
  expected.set(key, { write: kernelHook()?.bindToCell(show) ?? show, shown: 0 });
  return key;
}

/** Calls `callback` when the worker says the task with this key has started (see `announceStart`). */
export function onTaskStart(key: string, callback: () => void): void {
  const entry = expected.get(key);
  if (entry) entry.onStart = callback;
}

/** Resolves once the task's `count` live writes have all been shown. */
export function outputShown(key: string, count: number): Promise<void> {
  const entry = expected.get(key);
  if (!entry) return Promise.resolve();
  if (entry.shown >= count) {
    finish(key, entry);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    entry.settled = { count, resolve };
  });
}

// A stopped worker's last writes may still be on their way when its end is reported.
const GRACE_MS = 100;

/** The task ended without a result (crash, cancel, closed pool): show what still comes for a moment, then stop. */
export function forgetOutput(key: string): void {
  setTimeout(() => {
    const entry = expected.get(key);
    if (entry) finish(key, entry);
  }, GRACE_MS).unref();
}
