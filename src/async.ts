// asyncio's shapes for notebooks that port Python: sleep, gather, a bounded map (a semaphore
// around tasks) and a sleep that really blocks its thread, like time.sleep. Each records spans,
// into `options.recorder` or the default recorder (see measure/recorder.ts).
import { now, type Span, type SpanRecorder } from "./measure/spans.js";
import { currentLane, defaultRecorder, recordTask, recordTaskSync, recorderForLeaf } from "./measure/recorder.js";
import { isThenable } from "./thenable.js";
import { kindOf } from "./kind-of.js";
import { MAX_TIMER_MS } from "./timer-limit.js";
import { onCellInterrupt } from "./cell-interrupt.js";

/** What an aborted helper rejects with; `cause` is the signal's reason. */
export class AbortError extends Error {
  override name = "AbortError";
  readonly code = "ABORT_ERR";
}

export function abortError(signal: AbortSignal): AbortError {
  return new AbortError("The operation was aborted", { cause: signal.reason });
}

function checkMs(where: string, ms: number, max = Number.MAX_VALUE): void {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0 || ms > max) {
    throw new RangeError(`${where}: ms must be a finite number from 0 to ${max}, got ${String(ms)}`);
  }
}

export interface RecordOptions {
  /** Where the spans go; by default `defaultRecorder()`. */
  recorder?: SpanRecorder;
}

export interface SleepOptions extends RecordOptions {
  signal?: AbortSignal;
  /** The span's task name; by default `sleep <ms> ms`. */
  name?: string;
}

/** What a pending sleep keeps until its timer fires: one object, handed to the timer as its argument. */
interface PendingSleep {
  resolve: () => void;
  /** Undefined when an enclosing helper task already times this sleep. */
  recorder: SpanRecorder | undefined;
  task: string;
  start: number;
}

// Spans outlive the sleep, so 10,000 sleeps of one length share one name instead of 10,000 copies.
let lastSleepName = { ms: NaN, name: "" };
function defaultSleepName(ms: number): string {
  if (lastSleepName.ms !== ms) lastSleepName = { ms, name: `sleep ${ms} ms` };
  return lastSleepName.name;
}

function recordSleep(sleeping: PendingSleep, error?: string): void {
  const { recorder } = sleeping;
  if (recorder === undefined) return;
  const lane = currentLane();
  const span: Span = { task: sleeping.task, lane: lane.lane, laneKind: lane.laneKind, start: sleeping.start, end: now() };
  if (error !== undefined) span.error = error;
  recorder.add(span);
}

function wakeUp(sleeping: PendingSleep): void {
  recordSleep(sleeping);
  sleeping.resolve();
}

/** `await asyncio.sleep(s)`: waits without blocking the loop; rejects with an AbortError on abort. */
export function sleep(ms: number, options?: SleepOptions): Promise<void> {
  checkMs("sleep", ms, MAX_TIMER_MS);
  const signal = options?.signal;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  // While it waits, a sleep keeps alive only its promise, its timer and one small object, with no
  // closures: 10,000 gathered sleeps are 10,000 of each that every scavenge copies, and each
  // extra one showed in the timing (the benchmark's gather row).
  const sleeping: PendingSleep = {
    resolve: undefined!,
    recorder: recorderForLeaf(options?.recorder),
    task: options?.name ?? defaultSleepName(ms),
    start: now(),
  };
  if (signal) return abortableSleep(sleeping, ms, signal);
  const promise = new Promise<void>((resolve) => {
    sleeping.resolve = resolve;
  });
  setTimeout(wakeUp, ms, sleeping);
  return promise;
}

function abortableSleep(sleeping: PendingSleep, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      const error = abortError(signal);
      recordSleep(sleeping, error.message);
      reject(error);
    };
    sleeping.resolve = () => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    };
    const timer = setTimeout(wakeUp, ms, sleeping);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

export interface BlockingSleepOptions extends RecordOptions {
  /** The span's task name; by default `blockingSleep <ms> ms`. */
  name?: string;
}

// One shared cell to wait on; nobody ever notifies it, so every wait runs to its timeout.
const blocker = new Int32Array(new SharedArrayBuffer(4));

/**
 * `time.sleep(s)` in a thread: blocks the calling thread (Atomics.wait), so nothing else on its
 * event loop runs meanwhile. On the main thread that stalls every timer and promise.
 */
export function blockingSleep(ms: number, options: BlockingSleepOptions = {}): void {
  checkMs("blockingSleep", ms);
  recordTaskSync(options.recorder ?? defaultRecorder(), options.name ?? `blockingSleep ${ms} ms`, currentLane(), () => {
    const start = now();
    // The loop guarantees at least `ms` by the spans' clock, should a wait return early. (V8 still
    // interrupts a wait, so the kernel's interrupt button stops it.)
    for (let left = ms; left > 0; left = ms - (now() - start)) Atomics.wait(blocker, 0, 0, left);
  }, { leaf: true });
}

/** A task for gather: a promise already running, or a function that starts it (like a coroutine). */
export type Awaitable<T = unknown> = PromiseLike<T> | (() => T | PromiseLike<T>);

/** What a task settles to: the function's (awaited) result, or the promise's value. */
export type TaskResult<A> = A extends () => infer R ? Awaited<R> : Awaited<A>;

export type GatherResults<T extends readonly unknown[]> = { -readonly [K in keyof T]: TaskResult<T[K]> };
export type GatherSettled<T extends readonly unknown[]> = { -readonly [K in keyof T]: TaskResult<T[K]> | Error };

export interface GatherOptions extends RecordOptions {
  /** Like asyncio's return_exceptions: failed tasks give their error in place instead of rejecting. */
  returnExceptions?: boolean;
  /** Span names: a prefix (`download` gives `download #1`, `download #2`, ...) or a function of the index. */
  name?: string | ((index: number) => string);
}

// An array is no options object: `gather(tasks)` (Python's `gather(*tasks)` without the star)
// used to be taken for options, and resolved to [] with nothing awaited.
function isOptions(value: unknown): value is GatherOptions {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isThenable(value);
}

const GATHER_OPTIONS = ["returnExceptions", "name", "recorder"];

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason), { cause: reason });
}

/**
 * `asyncio.gather(...)`: runs every task at once and resolves to their results in argument order.
 * Functions are started here, in order, and each is recorded as a span; promises were started by
 * whoever made them and are only awaited. The first rejection rejects (the other tasks keep
 * running, as in asyncio) unless the last argument is `{ returnExceptions: true }`.
 */
export function gather<T extends readonly Awaitable[]>(...tasks: T): Promise<GatherResults<T>>;
export function gather<T extends readonly Awaitable[]>(...args: [...tasks: T, options: GatherOptions & { returnExceptions?: false }]): Promise<GatherResults<T>>;
export function gather<T extends readonly Awaitable[]>(...args: [...tasks: T, options: GatherOptions]): Promise<GatherSettled<T>>;
export function gather(...args: unknown[]): Promise<unknown[]> {
  const options: GatherOptions = args.length > 0 && isOptions(args.at(-1)) ? (args.pop() as GatherOptions) : {};
  // A typo (`returnException`) would otherwise be ignored without a word, and failures reject.
  const unknown = Object.keys(options).find((key) => !GATHER_OPTIONS.includes(key));
  if (unknown !== undefined) {
    return Promise.reject(new TypeError(`gather: the last argument is taken as options, and "${unknown}" is none (known: ${GATHER_OPTIONS.join(", ")})`));
  }
  const bad = args.findIndex((task) => typeof task !== "function" && !isThenable(task));
  if (bad >= 0) {
    const hint = Array.isArray(args[bad]) ? "; pass the tasks themselves: gather(...tasks)" : "";
    return Promise.reject(new TypeError(`gather: argument ${bad + 1} is neither a promise nor a function that starts one (got ${kindOf(args[bad])}${hint})`));
  }
  // Only promises: nothing to start or name, and nothing more to keep alive per task than Promise.all does.
  if (!args.some((task) => typeof task === "function")) {
    return Promise.all(options.returnExceptions ? args.map((p) => Promise.resolve(p).then((value) => value, toError)) : args);
  }
  let names: string[];
  try {
    // Named first, so a naming function that throws starts nothing; promises need no name.
    names = args.map((task, i) => (typeof task === "function" ? taskName(options.name, i) : ""));
  } catch (error) {
    return Promise.reject(error);
  }
  const recorder = options.recorder ?? defaultRecorder();
  const lane = currentLane();
  const started = args.map((task, i) =>
    typeof task === "function" ? recordTask(recorder, names[i], lane, task as () => unknown) : Promise.resolve(task),
  );
  return Promise.all(options.returnExceptions ? started.map((p) => p.then((value) => value, toError)) : started);
}

function taskName(name: string | ((index: number) => string) | undefined, index: number): string {
  return typeof name === "function" ? name(index) : `${name ?? "task"} #${index + 1}`;
}

export interface MapOptions<T> extends RecordOptions {
  /** How many calls may run at once (the semaphore's size): an integer >= 1, or Infinity. */
  concurrency: number;
  /** Aborting stops starting new calls, aborts the running ones' signal and rejects with an AbortError. */
  signal?: AbortSignal;
  /** Span names: a prefix (`fetch` gives `fetch #1`, ...) or a function of the item and its index. */
  name?: string | ((item: T, index: number) => string);
}

/**
 * Calls `fn` on every item with at most `concurrency` calls running at once, like tasks that each
 * take a slot of an asyncio.Semaphore. Resolves to the results in input order. After the first
 * failure no new call starts, the `signal` given to running calls aborts, and the promise rejects
 * with that failure (running calls are not awaited). Aborting `options.signal`, or interrupting
 * the cell that called map, does the same with an AbortError.
 */
export function map<T, R>(
  items: Iterable<T>,
  fn: (item: T, index: number, signal: AbortSignal) => R | PromiseLike<R>,
  options: MapOptions<T>,
): Promise<Awaited<R>[]> {
  const { concurrency, signal } = options ?? {};
  if (typeof concurrency !== "number" || !(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
    return Promise.reject(new RangeError(`map: option "concurrency" must be an integer >= 1 or Infinity, got ${String(concurrency)}`));
  }
  if (typeof fn !== "function") return Promise.reject(new TypeError(`map: fn must be a function, got ${kindOf(fn)}`));
  if (signal?.aborted) return Promise.reject(abortError(signal));
  // Array.from threw "undefined is not iterable" out of a function that otherwise rejects, and
  // took a number (or any object without a length) for an empty list: map(5, fn) gave [].
  if (typeof (items as Partial<Iterable<T>> | null | undefined)?.[Symbol.iterator] !== "function") {
    return Promise.reject(new TypeError(`map: items must be iterable (an array, a Set, a generator...), got ${kindOf(items)}`));
  }
  let list: T[];
  try {
    list = Array.from(items);
  } catch (error) {
    return Promise.reject(error);
  }
  const recorder = options.recorder ?? defaultRecorder();
  const lane = currentLane();
  const inner = new AbortController();
  const names = options.name;
  const nameOf = (item: T, i: number) => (typeof names === "function" ? names(item, i) : `${names ?? "task"} #${i + 1}`);

  return new Promise<Awaited<R>[]>((resolve, reject) => {
    const results = new Array<Awaited<R>>(list.length);
    let next = 0;
    let running = 0;
    let finished = false;
    const finish = (outcome: { failed: false } | { failed: true; error: unknown }) => {
      if (finished) return;
      finished = true;
      signal?.removeEventListener("abort", onAbort);
      unwatchInterrupt();
      if (!outcome.failed) resolve(results);
      else {
        inner.abort(outcome.error);
        reject(outcome.error);
      }
    };
    const fail = (error: unknown) => finish({ failed: true, error });
    const onAbort = () => fail(abortError(signal!));
    signal?.addEventListener("abort", onAbort, { once: true });
    // Interrupting the cell stops the map as its own signal would: no new call starts, and the
    // running ones see their signal abort.
    const unwatchInterrupt = onCellInterrupt(() => fail(new AbortError("map: stopped, the cell was interrupted")));

    const launch = () => {
      while (!finished && running < concurrency && next < list.length) {
        const i = next++;
        let task: string;
        try {
          task = nameOf(list[i], i);
        } catch (error) {
          fail(error);
          return;
        }
        running++;
        recordTask(recorder, task, lane, () => fn(list[i], i, inner.signal)).then(
          (value) => {
            results[i] = value as Awaited<R>;
            running--;
            if (next === list.length && running === 0) finish({ failed: false });
            else launch();
          },
          (error: unknown) => {
            running--;
            fail(error);
          },
        );
      }
    };
    if (list.length === 0) finish({ failed: false });
    else launch();
  });
}
