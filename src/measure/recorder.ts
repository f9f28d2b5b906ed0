// Where helpers put their spans when not given a recorder. `withRecorder` scopes a recorder to one
// async call tree (AsyncLocalStorage), so cells or compared variants running at the same time
// never mix their spans.
import { AsyncLocalStorage } from "node:async_hooks";
import { isMainThread, threadId } from "node:worker_threads";
import { MAIN_LOOP, SpanRecorder, now, type LaneKind } from "./spans.js";
import { isThenable } from "../thenable.js";
import { kindOf } from "../kind-of.js";

export type Lane = { lane: string; laneKind: LaneKind };

/** One store, not two nested ones: each scope entered costs every task microseconds and memory. */
interface Scope {
  recorder: SpanRecorder;
  /** The recorder that an enclosing helper task is already timing into. */
  timing?: SpanRecorder;
}

interface Shared {
  fallback: SpanRecorder;
  scope: AsyncLocalStorage<Scope>;
}

// A notebook can load this module twice (from dist/ and as a local .ts file); keeping the state on
// globalThis lets both copies see one default recorder and one scope.
const SHARED = Symbol.for("parlab.measure.recorder.v2");
const holder = globalThis as typeof globalThis & { [SHARED]?: Shared };
// The process-wide recorder keeps the newest 100,000 spans: every helper call of a long session
// lands in it, and 10,000-task gathers are common in these notebooks.
const shared: Shared = (holder[SHARED] ??= { fallback: new SpanRecorder(100_000), scope: new AsyncLocalStorage<Scope>() });

/** The recorder of the innermost `withRecorder` scope, else the process-wide one. */
export function defaultRecorder(): SpanRecorder {
  return shared.scope.getStore()?.recorder ?? shared.fallback;
}

/** Runs `fn` (and everything it starts, also after awaits) with `recorder` as the default recorder. */
export function withRecorder<T>(recorder: SpanRecorder, fn: () => T): T {
  // Checked here: a missing recorder used to send spans to the default one without a word, and
  // swapped arguments failed deep in AsyncLocalStorage ("Function.prototype.apply was called on
  // #<SpanRecorder>"). By shape, not instanceof: a notebook may load two copies of this module.
  if (typeof (recorder as Partial<SpanRecorder> | null)?.add !== "function" || !Array.isArray((recorder as Partial<SpanRecorder>).spans)) {
    throw new TypeError(`withRecorder: the first argument must be a SpanRecorder (withRecorder(new SpanRecorder(), fn)), got ${kindOf(recorder)}`);
  }
  if (typeof fn !== "function") throw new TypeError(`withRecorder: the second argument must be the function to run, got ${kindOf(fn)}`);
  return shared.scope.run({ recorder, timing: shared.scope.getStore()?.timing }, fn);
}

// A thread's lane never changes; spans copy its fields, so one shared object is enough.
let thisLane: Readonly<Lane> = Object.freeze(isMainThread ? { ...MAIN_LOOP } : { lane: `thread ${threadId}`, laneKind: "thread" });

/** The lane the calling code runs on: the main loop, the worker thread it is in, or a pool's child process. */
export function currentLane(): Readonly<Lane> {
  return thisLane;
}

/**
 * Called by a pool's child process, whose main thread is no notebook's main loop: without it,
 * spans recorded there (and currentLane()) said "main loop", and a timeline drew them on the
 * notebook's own lane.
 */
export function runsInPoolProcess(): Readonly<Lane> {
  if (isMainThread) thisLane = Object.freeze({ lane: `process ${process.pid}`, laneKind: "process" });
  return thisLane;
}

/**
 * Where a helper that is not given a recorder should record: `undefined` when an enclosing
 * helper task already times it. One scope lookup instead of two, for helpers called by the ten
 * thousand (sleep).
 */
export function recorderForLeaf(given: SpanRecorder | undefined): SpanRecorder | undefined {
  const store = shared.scope.getStore();
  const recorder = given ?? store?.recorder ?? shared.fallback;
  return store?.timing === recorder ? undefined : recorder;
}

// One scope object per recorder, shared by all its tasks: gather of 10,000 functions enters 10,000 scopes.
const timingScopes = new WeakMap<SpanRecorder, Scope>();
function timingScope(recorder: SpanRecorder): Scope {
  let scope = timingScopes.get(recorder);
  if (scope === undefined) timingScopes.set(recorder, (scope = { recorder, timing: recorder }));
  return scope;
}

/**
 * Times `work` as one span, unless an enclosing helper task already times it into the same
 * recorder: only the outermost helper records, so `gather(() => sleep(10))` shows one task, not
 * a task and a sleep on top of each other. `work` runs with `recorder` as its default recorder,
 * so helpers inside a task given an explicit recorder follow it too.
 */
export function recordTask<T>(recorder: SpanRecorder, task: string, lane: Lane, work: () => T | PromiseLike<T>): Promise<T> {
  try {
    return Promise.resolve(recordTaskSync(recorder, task, lane, work));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * `recordTask` that returns what `work` returns. A span for synchronous work ends as soon as it
 * returns; SpanRecorder.time would end it only after an await, by which time gather may have run
 * the next blocking task, and blocking tasks would seem to overlap.
 */
export function recordTaskSync<T>(recorder: SpanRecorder, task: string, lane: Lane, work: () => T, { leaf = false } = {}): T {
  if (shared.scope.getStore()?.timing === recorder) return work();
  // A leaf (blockingSleep) starts no helpers of its own, so it needs no scope: the cheapest span there is.
  const scoped = leaf ? (fn: () => T) => fn() : (fn: () => T) => shared.scope.run(timingScope(recorder), fn);
  return scoped(() => {
    const start = now();
    const failed = (error: unknown) =>
      recorder.add({ task, ...lane, start, end: now(), error: error instanceof Error ? error.message : String(error) });
    let result: T;
    try {
      result = work();
    } catch (error) {
      failed(error);
      throw error;
    }
    if (!isThenable(result)) {
      recorder.add({ task, ...lane, start, end: now() });
      return result;
    }
    return Promise.resolve(result).then(
      (value) => {
        recorder.add({ task, ...lane, start, end: now() });
        return value;
      },
      (error: unknown) => {
        failed(error);
        throw error;
      },
    ) as T;
  });
}
