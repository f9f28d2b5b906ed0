// parlab: what notebooks import. The concurrency helpers and timing plots build on this module;
// for now it offers the kernel's display API as typed imports.
import { isMainThread } from "node:worker_threads";
import { kernelHook } from "../kernel/runtime/kernel-hook.js";
import type { DisplayOptions } from "../kernel/runtime/display.js";

export type { DisplayOptions };

function hook() {
  const kernel = kernelHook();
  if (kernel) return kernel;
  // A pool's worker has no kernel of its own; what it prints reaches the cell, rich output not.
  if (!isMainThread || process.send) throw new Error("parlab: display works in the notebook's own thread, not in a pool's worker: return the value, and display it in the cell");
  throw new Error("parlab: display needs a running parlab kernel");
}

/** Shows a value, or a mime bundle such as `{ "text/html": "<b>hi</b>" }`, in the cell's output. */
export function display(value: unknown, options?: DisplayOptions): void {
  hook().display(value, options);
}

/** Replaces the output shown by `display(value, { displayId })`. */
export function updateDisplay(displayId: string, value: unknown): void {
  hook().updateDisplay(displayId, value);
}

/** Clears the cell's output; with `{ wait: true }`, only when new output arrives. */
export function clearOutput(options?: { wait?: boolean }): void {
  hook().clearOutput(options);
}

// Running work on threads and processes (Python's ThreadPoolExecutor, ProcessPoolExecutor,
// threading.Thread, multiprocessing.Process).
export { Future, ProcessPool, TaskError, ThreadPool, closeAllPools, type PoolMapOptions, type PoolOptions, type TaskOptions } from "./pool/pool.js";
export { Process, Thread } from "./pool/single.js";
export { UnshippableFunctionError } from "./pool/shipped-function.js";
export { MAIN_LOOP, SpanRecorder, now, type LaneKind, type Span } from "./measure/spans.js";

// Timing plots: plotly for live views, a PNG for shared notebooks, the numbers as text.
export * from "./plot/index.js";

// Async helpers (asyncio-shaped), timing, and a slow local server standing in for the web.
export { AbortError, blockingSleep, gather, map, sleep } from "./async.js";
export type { Awaitable, BlockingSleepOptions, GatherOptions, MapOptions, SleepOptions } from "./async.js";
export { currentLane, defaultRecorder, withRecorder, type Lane } from "./measure/recorder.js";
export { bench, compare, summarize, timeit, Comparison, Timing } from "./measure/timing.js";
export type { CompareOptions, Run, Summary, TimeitOptions } from "./measure/timing.js";
export { fetchText, startSlowServer, type SlowServer, type SlowServerOptions } from "./net/slow-server.js";

// The closing cell of a prepared example: the article's claim beside this run's numbers.
export { CLAIM_MIME, claim, type ClaimOptions } from "./notebook/claim.js";
