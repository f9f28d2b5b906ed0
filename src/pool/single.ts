// One function on one new thread or process, started and joined: Python's threading.Thread and
// multiprocessing.Process. Each is a pool of one, so it gets the same shipping, spans and output.
import { Future, Pool, ProcessPool, ThreadPool, type PoolOptions } from "./pool.js";

abstract class Single<A extends unknown[], R> {
  readonly #makePool: () => Pool;
  readonly #target: (...args: A) => R;
  readonly #args: A;
  #future: Future<Awaited<R>> | undefined;
  #pool: Pool | undefined;

  protected constructor(makePool: (options: PoolOptions) => Pool, options: PoolOptions, target: (...args: A) => R, args: A) {
    this.#makePool = () => makePool({ ...options, maxWorkers: 1, idleTimeoutMs: 0 });
    this.#target = target;
    this.#args = args;
  }

  /** Starts the function; call once. */
  start(): this {
    if (this.#future) throw new Error("already started: a thread or process can be started once");
    this.#pool = this.#makePool();
    this.#future = this.#pool.submit(this.#target, ...this.#args);
    return this;
  }

  /** Waits for the end and returns the function's result (or throws its error). */
  async join(): Promise<Awaited<R>> {
    if (!this.#future) throw new Error("join() before start(): call start() first");
    try {
      return await this.#future.result();
    } finally {
      await this.#pool?.close();
    }
  }

  isAlive(): boolean {
    return this.#future !== undefined && !this.#future.done();
  }
}

/** `new Thread(work, [2]).start()`, then `await thread.join()`. */
export class Thread<A extends unknown[], R> extends Single<A, R> {
  constructor(target: (...args: A) => R, args: A = [] as unknown as A, options: PoolOptions = {}) {
    super((o) => new ThreadPool(o), options, target, args);
  }
}

/** `new Process(work, [2]).start()`, then `await process.join()`: its own memory, its own core. */
export class Process<A extends unknown[], R> extends Single<A, R> {
  constructor(target: (...args: A) => R, args: A = [] as unknown as A, options: PoolOptions = {}) {
    super((o) => new ProcessPool(o), options, target, args);
  }
}
