// Pools of worker threads or child processes that run functions written in a cell: what
// ThreadPoolExecutor and ProcessPoolExecutor are in Python. tinypool does the pooling (it runs
// both kinds and was the fastest measured here); this adds shipping cell functions, spans,
// output routed to the asking cell, per-task timeouts and cancelling.
import os from "node:os";
import { inspect } from "node:util";
import { Tinypool } from "tinypool";
import { AbortError } from "../async.js";
import { MAX_TIMER_MS } from "../timer-limit.js";
import { kernelHook } from "../../kernel/runtime/kernel-hook.js";
import type { SpanRecorder } from "../measure/spans.js";
import { defaultRecorder } from "../measure/recorder.js";
import { shipFunction } from "./shipped-function.js";
import { childDeath, watchChildren, type ChildDeath } from "./child-death.js";
import { dataCloneError, whyNotCloneable } from "./cloneable.js";
import type { Call, ChunkResult, Refill, TaskRequest, TaskResult, WorkerError } from "./worker-task.js";
import { PROCESS_OUTPUT, expectOutput, forgetOutput, onTaskStart, outputShown, type LiveChunk } from "./live-output.js";

const WORKER_TASK = new URL("./worker-task.js", import.meta.url).href;
const REFILL: Refill = { refill: true };

export interface PoolOptions {
  /** At most this many workers at once, up to 1024 (default: the cores available). */
  maxWorkers?: number;
  /** Idle workers end after this long, so a forgotten pool holds no threads or processes (default 2000). */
  idleTimeoutMs?: number;
  /** Where the spans of its tasks go (default: the recorder in scope where each task is submitted). */
  recorder?: SpanRecorder;
  /** Prefix each line a worker prints with its lane, e.g. `[thread 3]`. */
  labelOutput?: boolean;
}

export interface TaskOptions {
  /** Cancels the task: a queued task never starts, a running one has its worker stopped. */
  signal?: AbortSignal;
  /**
   * Fails the task (and stops its worker) when it runs longer than this, counted from its start
   * in a worker (time queued does not count); for a chunk of a map, the whole chunk's run.
   */
  timeoutMs?: number;
  /** The task's name on the timeline (default: the function's name and a number). */
  name?: string;
}

export interface PoolMapOptions extends TaskOptions {
  /**
   * Items sent to a worker at a time, as in Python's `Pool.map`. By default its rule: a quarter of
   * an even share per worker (1 for small maps, or when `timeoutMs` is given, since a timeout and
   * a cancel apply to a whole chunk). Each item still gets its own span and its own output.
   */
  chunksize?: number;
}

/** A submitted task: await it (or `.result()`), ask if it is `done()`, or `cancel()` it. */
export class Future<T> implements PromiseLike<T> {
  readonly #promise: Promise<T>;
  readonly #cancel: () => void;
  #done = false;

  constructor(promise: Promise<T>, cancel: () => void) {
    this.#promise = promise.finally(() => { this.#done = true; });
    this.#promise.catch(() => undefined); // rejections are for whoever awaits the future
    this.#cancel = cancel;
  }

  result(): Promise<T> {
    return this.#promise;
  }

  done(): boolean {
    return this.#done;
  }

  /** Returns false when the task had already finished. */
  cancel(): boolean {
    if (this.#done) return false;
    this.#cancel();
    return true;
  }

  then<A = T, B = never>(onFulfilled?: ((value: T) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.#promise.then(onFulfilled, onRejected);
  }
}

/**
 * A task failed in its worker. Like Python's executors, it comes back as the worker's error:
 * same name (`RangeError`, or the worker's own class name) and message, and a stack of the
 * worker's frames, ending with the task and the lane it ran on. `instanceof TaskError` tells it
 * apart from errors of the calling code.
 */
export class TaskError extends Error {
  constructor(readonly workerError: WorkerError, readonly task: string, readonly lane: string) {
    super(workerError.message);
    this.name = workerError.name;
    // The worker error's own properties (`code`, `cause`...) are the caller's to test, as on the original.
    for (const [key, value] of Object.entries(workerError.properties ?? {})) {
      Object.defineProperty(this, key, { value, writable: true, configurable: true, enumerable: key !== "cause" });
    }
    this.stack = [`${this.name}: ${this.message}`, ...framesOf(workerError.stack), `    at ${task} (in ${lane})`].join("\n");
  }
}

type Kind = "thread" | "process";
// tinypool sets up every worker slot at once (a billion ended the kernel for want of memory), and
// far beyond the cores, more workers only add memory and switching.
const MAX_WORKERS = 1024;
let taskCounter = 0;

export abstract class Pool {
  readonly #pool: Tinypool;
  readonly #kind: Kind;
  readonly #options: PoolOptions;
  #closed: string | undefined;
  /** Writes to stderr in the cell that submitted the latest task: the likeliest author of what happens between tasks. */
  #reportToLastCell: (text: string) => void = writeToStderr;

  protected constructor(kind: Kind, options: PoolOptions = {}) {
    const maxWorkers = options.maxWorkers ?? os.availableParallelism();
    if (!Number.isInteger(maxWorkers) || maxWorkers < 1 || maxWorkers > MAX_WORKERS) {
      throw new RangeError(`maxWorkers must be a whole number from 1 to ${MAX_WORKERS}, got ${maxWorkers}`);
    }
    this.#kind = kind;
    this.#options = options;
    this.#pool = new Tinypool({
      filename: WORKER_TASK,
      runtime: kind === "thread" ? "worker_threads" : "child_process",
      minThreads: 0,
      maxThreads: maxWorkers,
      idleTimeout: options.idleTimeoutMs ?? 2000,
      // With atomics an idle thread sleeps in Atomics.wait, its event loop frozen: a kept-alive
      // fetch connection the server closed meanwhile is then reused and fails ("other side closed").
      useAtomics: false,
      ...(kind === "process" ? { serialization: "advanced" as const } : {}),
    });
    // A worker that dies between tasks (a late uncaught error, a timer calling process.exit)
    // has no task to fail; without a listener, tinypool's "error" event would end the process.
    this.#pool.on("error", (error: Error) => {
      this.#refill();
      const report = this.#reportToLastCell;
      void deathOf(error, kind).then((death) => report(betweenTasksReport(error, kind, death)));
    });
    livePools.add(this);
    kernelHook()?.adoptResource(this);
  }

  get maxWorkers(): number {
    return this.#pool.options.maxThreads;
  }

  /** Runs `fn(...args)` in a worker. */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Future<Awaited<R>> {
    return this.submitWith({}, fn, ...args);
  }

  /** `submit`, with a timeout, a cancel signal or a task name. */
  submitWith<A extends unknown[], R>(options: TaskOptions, fn: (...args: A) => R, ...args: A): Future<Awaited<R>> {
    if (this.#closed) throw this.#closedError();
    checkTimeout(options.timeoutMs);
    const shipped = shipFunction(fn, this.#kind);
    const task = options.name ?? `${shipped.name} #${++taskCounter}`;
    const unsendable = this.#unsendableArguments(args, task);
    if (unsendable) return new Future(Promise.reject(unsendable), () => undefined);
    const controller = new AbortController();
    // AbortSignal.any costs ~20 µs a task; most tasks have only their own cancel signal.
    const signal = options.signal ? AbortSignal.any([controller.signal, options.signal]) : controller.signal;
    const request: TaskRequest = { fn: shipped, args, task, outputKey: this.#expectLiveOutput() };
    const recorder = this.#options.recorder ?? defaultRecorder();
    const run = this.#dispatch<TaskResult>(request, controller, signal, task, options.timeoutMs, (result) => result.liveChunks)
      .then((result) => this.#settle(result, recorder));
    return new Future(run as Promise<Awaited<R>>, () => controller.abort(new Error("cancelled")));
  }

  /** `fn(item)` for every item, in parallel; results in the items' order (like `Pool.map`). `name` names the tasks `name 1`, `name 2`... */
  map<T, R>(fn: (item: T) => R, items: Iterable<T>, options: PoolMapOptions = {}): Promise<Awaited<R>[]> {
    checkIterable("map", "items", items);
    return this.starmap(fn, [...items].map((item) => [item] as [T]), options);
  }

  /** `fn(...args)` for every argument list (like `Pool.starmap`). */
  starmap<A extends unknown[], R>(fn: (...args: A) => R, argLists: Iterable<A>, options: PoolMapOptions = {}): Promise<Awaited<R>[]> {
    checkIterable("starmap", "argLists", argLists);
    const lists = [...argLists];
    lists.forEach((args, index) => checkIterable("starmap", `argLists[${index}]`, args));
    checkTimeout(options.timeoutMs);
    return quietly(this.#starmap(fn, lists, options));
  }

  #starmap<A extends unknown[], R>(fn: (...args: A) => R, lists: A[], options: PoolMapOptions): Promise<Awaited<R>[]> {
    const size = chunkSize(options, lists.length, this.maxWorkers);
    if (size === 1) return Promise.all(lists.map((args, index) => this.submitWith(numbered(options, index), fn, ...args).result()));
    const shipped = shipFunction(fn, this.#kind);
    const calls: Call[] = lists.map((args, index) => ({ args, task: numbered(options, index).name ?? `${shipped.name} #${++taskCounter}` }));
    for (const call of calls) {
      const unsendable = this.#unsendableArguments(call.args, call.task);
      if (unsendable) return Promise.reject(unsendable);
    }
    const chunks: Call[][] = [];
    for (let at = 0; at < calls.length; at += size) chunks.push(calls.slice(at, at + size));
    return Promise.all(chunks.map((chunk) => this.#runChunk(shipped, chunk, options))).then((values) => values.flat() as Awaited<R>[]);
  }

  /** One call, waited for (like `Pool.apply`). */
  apply<A extends unknown[], R>(fn: (...args: A) => R, args: A, options: TaskOptions = {}): Promise<Awaited<R>> {
    return this.submitWith(options, fn, ...args).result();
  }

  /** Ends every worker; queued tasks are rejected. */
  async close(reason = "close() was called"): Promise<void> {
    if (this.#closed) return;
    this.#closed = reason;
    livePools.delete(this);
    kernelHook()?.releaseResource(this);
    await this.#pool.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Runs a chunk of calls in one worker; rejects with the first failing call's error, after all their output. */
  #runChunk(fn: ReturnType<typeof shipFunction>, chunk: Call[], options: TaskOptions): Promise<unknown[]> {
    if (this.#closed) return Promise.reject(this.#closedError());
    // One output key for the chunk's calls: they run one after another on one worker.
    const request: TaskRequest = { fn, chunk, outputKey: this.#expectLiveOutput() };
    const recorder = this.#options.recorder ?? defaultRecorder();
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    const what = `${chunk[0]!.task} … ${chunk.at(-1)!.task}`;
    const liveChunks = ({ chunk: results }: ChunkResult) => results.reduce((sum, result) => sum + result.liveChunks, 0);
    return this.#dispatch(request, stop, signal, what, options.timeoutMs, liveChunks).then(({ chunk: results }) => {
      for (const result of results) this.#record(result, recorder);
      const failed = results.find((result) => !result.ok);
      if (failed && !failed.ok) throw new TaskError(failed.error, failed.span.task, failed.span.lane);
      return results.map((result) => (result.ok ? result.value : undefined));
    });
  }

  /**
   * Runs a request in a worker: `stop` ends it if the submitting cell is interrupted, or once it
   * has run for `timeoutMs`; it settles once its live output is shown; a failure is named after `what`.
   */
  #dispatch<T>(request: TaskRequest, stop: AbortController, signal: AbortSignal, what: string, timeoutMs: number | undefined, liveChunks: (result: T) => number): Promise<T> {
    const { outputKey } = request;
    const unwatch = stopOnInterrupt(stop);
    let timer: NodeJS.Timeout | undefined;
    if (timeoutMs !== undefined) {
      // Counted from the start in a worker, not from submission: time spent queued is not running.
      request.announceStart = true;
      onTaskStart(outputKey, () => {
        timer = setTimeout(() => stop.abort(new DOMException(`ran longer than ${timeoutMs} ms`, "TimeoutError")), timeoutMs);
      });
    }
    const channel = this.#kind === "process" ? { channel: PROCESS_OUTPUT } : {};
    const settled = () => {
      unwatch();
      clearTimeout(timer);
    };
    const run = this.#run(request, { signal, ...channel }) as Promise<T>;
    return run.finally(settled).then(
      async (result) => {
        await outputShown(outputKey, liveChunks(result));
        return result;
      },
      async (error: Error) => {
        forgetOutput(outputKey);
        this.#refill();
        if (this.#closed) throw new AbortError(`${what} did not finish: its ${this.#kind} pool was closed (${this.#closed})`);
        if (signal.aborted) throw abortError(signal.reason, what, timeoutMs);
        throw crashError(error, what, this.#kind, await deathOf(error, this.#kind));
      },
    );
  }

  /**
   * tinypool replaces a dead or stopped worker only up to `minThreads` (0 here, so idle pools
   * hold nothing), so tasks queued behind it would wait forever. A run while tasks are queued
   * makes it start a worker; that worker then takes the queue in order.
   */
  #refill(): void {
    if (this.#closed) return;
    (this.#run(REFILL) as Promise<unknown>).catch(() => undefined);
  }

  /** tinypool's `run`; a child process it starts for it is watched, to tell how it dies (child-death.ts). */
  #run(request: TaskRequest | Refill, options?: Parameters<Tinypool["run"]>[1]): Promise<unknown> {
    const run = this.#pool.run(request, options) as Promise<unknown>;
    if (this.#kind === "process") watchChildren(this.#pool.threads);
    return run;
  }

  #settle(result: TaskResult, recorder: SpanRecorder): unknown {
    this.#record(result, recorder);
    if (!result.ok) throw new TaskError(result.error, result.span.task, result.span.lane);
    return result.value;
  }

  /** A finished call's output (what did not go out live) goes to the waiting cell, its span to the recorder. */
  #record(result: TaskResult, recorder: SpanRecorder): void {
    for (const { stream, text } of result.output) this.#show({ stream, text, lane: result.span.lane });
    recorder.add(result.span);
  }

  /** A key for the task's live output, shown in the submitting code's context. */
  #expectLiveOutput(): string {
    this.#reportToLastCell = kernelHook()?.bindToCell(writeToStderr) ?? writeToStderr;
    return expectOutput((chunk) => this.#show(chunk), this.#kind === "thread");
  }

  /** What a worker printed, written here so it lands in the cell that is waiting for the task. */
  #show({ stream, text, lane }: Omit<LiveChunk, "key">): void {
    const out = stream === "stdout" ? process.stdout : process.stderr;
    out.write(this.#options.labelOutput === true ? text.replace(/^(?=.)/gm, `[${lane}] `) : text);
  }

  #unsendableArguments(args: unknown[], task: string): Error | undefined {
    for (let index = 0; index < args.length; index++) {
      const why = whyNotCloneable(args[index]);
      if (why) return dataCloneError(`argument ${index + 1} of ${task} cannot be sent to a ${this.#kind}`, why);
    }
    return undefined;
  }

  #closedError(): Error {
    return new Error(`this ${this.#kind} pool is closed (${this.#closed}): make a new one`);
  }
}

/** Worker threads: shared process, parallel JavaScript, cheap to start. */
export class ThreadPool extends Pool {
  constructor(options: PoolOptions = {}) {
    super("thread", options);
  }
}

/** Child processes: separate memory, parallel, dearer to start and to send data to. */
export class ProcessPool extends Pool {
  constructor(options: PoolOptions = {}) {
    super("process", options);
  }
}

// Pools a cell forgot to close still end with the kernel: a restart or shutdown leaves nothing.
const livePools = new Set<Pool>();
export function closeAllPools(): Promise<void> {
  return Promise.all([...livePools].map((pool) => pool.close())).then(() => undefined);
}

/**
 * In a kernel, interrupting the cell that submitted a task stops the task too: its worker is
 * ended, as Ctrl-C ends a multiprocessing pool's children. Otherwise an interrupted cell would
 * leave the pool busy, and the next cell's tasks would wait behind work nobody wants.
 */
function stopOnInterrupt(controller: AbortController): () => void {
  return kernelHook()?.onInterrupt(() => controller.abort(new CellInterrupted())) ?? (() => undefined);
}

class CellInterrupted extends Error {
  override name = "CellInterrupted";
  constructor() {
    super("the cell that submitted it was interrupted");
  }
}

/** Python's multiprocessing rule: chunks of a quarter of each worker's even share. */
function chunkSize(options: PoolMapOptions, items: number, workers: number): number {
  if (options.chunksize !== undefined) {
    if (!Number.isInteger(options.chunksize) || options.chunksize < 1) throw new RangeError(`chunksize must be a whole number ≥ 1, got ${options.chunksize}`);
    return options.chunksize;
  }
  return options.timeoutMs === undefined ? Math.max(1, Math.ceil(items / (4 * workers))) : 1;
}


function checkTimeout(timeoutMs: number | undefined): void {
  if (timeoutMs === undefined) return;
  if (typeof timeoutMs !== "number" || !(timeoutMs >= 0 && timeoutMs <= MAX_TIMER_MS)) {
    throw new RangeError(`timeoutMs must be a number of milliseconds from 0 to ${MAX_TIMER_MS}, got ${String(timeoutMs)}`);
  }
}

function checkIterable(method: string, name: string, value: unknown): void {
  if (value === null || value === undefined || typeof (value as Iterable<unknown>)[Symbol.iterator] !== "function") {
    throw new TypeError(`${method}(): ${name} must be iterable (an array, a Set, a generator...), got ${inspect(value)}`);
  }
}

/**
 * A map's promise, with its rejection counted as handled, as a Future's is: one rejected by
 * close() and awaited later must not be reported as an unhandled rejection meanwhile.
 */
function quietly<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

function numbered(options: TaskOptions, index: number): TaskOptions {
  return options.name === undefined ? options : { ...options, name: `${options.name} ${index + 1}` };
}

function abortError(reason: unknown, task: string, timeoutMs: number | undefined): Error {
  if (reason instanceof CellInterrupted) return new AbortError(`${task} was stopped: ${reason.message}`, { cause: reason });
  if (!(reason instanceof DOMException && reason.name === "TimeoutError")) return new AbortError(`${task} was cancelled`, { cause: reason });
  const error = new Error(`${task} took longer than ${timeoutMs} ms and was stopped`, { cause: reason });
  error.name = "TimeoutError";
  return error;
}

function writeToStderr(text: string): void {
  process.stderr.write(text);
}

/**
 * A task's worker died. A child process says how: its exit code, its signal, or the uncaught
 * error it reported, kept as `cause`. Its stack is the child's, as a task's own error's is: where
 * that error was thrown, then the task and its lane (this side's frames say nothing).
 */
function crashError(error: Error, task: string, kind: Kind, death: ChildDeath | undefined): Error {
  if (!death) {
    const crash = new Error(`the ${kind} running ${task} died: ${error.message}`, { cause: error });
    crash.name = "WorkerCrashError";
    return crash;
  }
  const cause = death.thrown && new TaskError(death.thrown, task, death.lane);
  const crash = Object.assign(new Error(`the ${kind} running ${task} ${death.how}`, cause && { cause }), { exitCode: death.exitCode, signal: death.signal });
  crash.name = "WorkerCrashError";
  const frames = cause ? framesOf(cause.stack) : [`    at ${task} (in ${death.lane})`];
  crash.stack = [`${crash.name}: ${crash.message}`, ...frames].join("\n");
  return crash;
}

/** How a worker died: a child process as child-death.ts tells; a thread, of the uncaught value tinypool hands on. */
async function deathOf(error: unknown, kind: Kind): Promise<ChildDeath | undefined> {
  return kind === "process" ? childDeath(error) : threadDeath(error);
}

/**
 * A thread's death, told as a child's is: tinypool rejects with what the thread threw and nobody
 * caught, which said "died: async boom" (without the error's name, or "died: undefined" for a
 * thrown object) above the pool's own frames. Node's own reasons (out of memory) keep "died".
 */
function threadDeath(error: unknown): ChildDeath | undefined {
  if (error instanceof Error && String((error as NodeJS.ErrnoException).code).startsWith("ERR_WORKER_")) return undefined;
  const lane = "a thread of the pool";
  const base = { lane, exitCode: null, signal: null };
  if (!(error instanceof Error)) return { ...base, how: `threw ${inspect(error)} (uncaught: the thread ended)` };
  const thrown: WorkerError = { name: error.name, message: error.message, stack: error.stack ?? "" };
  return { ...base, how: `threw ${thrown.name}: ${thrown.message} (uncaught: the thread ended)`, thrown };
}

function framesOf(stack: string | undefined): string[] {
  return stack?.split("\n").filter((line) => /^\s+at /.test(line)) ?? [];
}

/** What a worker that died between tasks shows in the latest task's cell: for an uncaught error, its stack too, which Node did not print. */
function betweenTasksReport(error: Error, kind: Kind, death: ChildDeath | undefined): string {
  if (!death) return `a ${kind} of this pool died between tasks: ${error.message}\n`;
  const frames = framesOf(death.thrown?.stack);
  return [`a ${kind} of this pool (${death.lane}) ${death.how} between tasks`, ...frames].join("\n") + "\n";
}
