// The kernel's side of the type-checker thread: requests go out, promises come back. Should the
// thread die (a compiler crash, running out of memory), the next request starts a new one, which
// first checks again, in order, every cell that changed the scope, so it knows what they declared.
import { Worker } from "node:worker_threads";
import { sendThreadOutputToLog } from "../log.js";
import type { CheckerConfig, CheckerMethods, CheckerRequest, CheckerResponse, CheckerThreadData, CheckResult } from "../checker/protocol.js";
import { KernelPromise } from "../intrinsics.js";

type Method = keyof CheckerMethods;
type Waiter = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** A checker that keeps dying is not restarted for ever: the kernel needs a restart then. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;
/** Distinct pure cells remembered between two cells that change the scope. */
const MAX_PURE_RESULTS = 100;

/** One checker thread and the requests it has not answered. */
class CheckerThread {
  readonly worker: Worker;
  readonly pending = new Map<number, Waiter>();
  readonly ready: Promise<void>;
  /** Why the thread ended, once it has. */
  ended: Error | undefined;

  constructor(data: CheckerThreadData) {
    // A small young generation: TypeScript keeps what it parses, so a big nursery only adds RSS
    // (measured: -23 MiB after warm-up, no slower to the first result).
    this.worker = new Worker(new URL("../checker/checker-thread.js", import.meta.url), {
      workerData: data, stdout: true, stderr: true, resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    sendThreadOutputToLog(this.worker);
    this.ready = new KernelPromise((resolve, reject) => {
      this.pending.set(0, { resolve: () => resolve(), reject });
    });
    this.ready.catch(() => undefined);
    this.worker.on("message", (response: CheckerResponse) => {
      const waiter = this.pending.get(response.id);
      if (!waiter) return;
      this.pending.delete(response.id);
      if ("error" in response) waiter.reject(new Error(`type checker failed: ${response.error}`));
      else waiter.resolve(response.result);
    });
    const end = (error: Error) => {
      if (this.ended) return;
      this.ended = error;
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    };
    this.worker.on("error", (error) => end(new Error(`the type checker stopped: ${error.message}`)));
    this.worker.on("exit", (code) => end(new Error(`the type checker stopped (exit code ${code})`)));
    this.worker.unref();
  }

  send(id: number, request: CheckerRequest, waiter: Waiter): void {
    if (this.ended) { waiter.reject(this.ended); return; }
    this.pending.set(id, waiter);
    this.worker.postMessage(request);
  }
}

export class CheckerClient {
  readonly #config: CheckerConfig;
  #thread: CheckerThread;
  /** The first thread's readiness: the kernel's start waits on nothing else. */
  readonly ready: Promise<void>;
  #nextId = 1;
  #closed = false;
  /**
   * Cells whose check changed the scope, in order, numbered as the checker's modules: what a new
   * thread must check again. Those whose module the checker forgot are forgotten here too.
   */
  #scopeChanges: { code: string; cell: number; label: string }[] = [];
  /** Starting a new thread and replaying #scopeChanges into it; requests wait for it. */
  #restarting: Promise<void> | undefined;
  readonly #restarts: number[] = [];
  #gaveUp: Error | undefined;
  /**
   * Passing checks of cells that declare nothing, by code, until a cell changes the scope: the
   * same code in the same scope checks the same. Kept on this side, because asking the checker is
   * two thread hops, a tenth of a `1+1` round trip.
   */
  readonly #pureResults = new Map<string, CheckResult>();

  constructor(config: CheckerConfig) {
    this.#config = config;
    this.#thread = new CheckerThread({ config });
    this.ready = this.#thread.ready;
  }

  /**
   * A request the thread died on is sent once more, to a new thread: the thread may have died of
   * something else. Should it die of this request again, its error is the answer.
   */
  async call<M extends Method>(method: M, params: Parameters<CheckerMethods[M]>[0]): Promise<ReturnType<CheckerMethods[M]>> {
    for (let attempt = 1; ; attempt++) {
      if (this.#gaveUp) throw this.#gaveUp;
      if (this.#thread.ended && !this.#closed) await (this.#restarting ??= this.#restart());
      const thread = this.#thread;
      try {
        return await this.#send(thread, method, params);
      } catch (error) {
        if (error !== thread.ended || attempt > 1 || this.#closed) throw error;
      }
    }
  }

  /** A cell's check; those that change the scope are kept, for a new thread to check again. */
  async check(code: string, cell: number, label = `cell ${cell}`): Promise<CheckResult> {
    const known = this.#pureResults.get(code);
    if (known) return known;
    const result = await this.call("check", { code, cell, label });
    if (!result.ok) return result;
    if (result.scope) {
      this.#pureResults.clear();
      // The same cell run again, with no other declaring cell in between, declares the same names
      // from the same imports: the checker reuses its first check, and so can a replay.
      if (this.#scopeChanges.at(-1)?.code !== code) this.#scopeChanges.push({ code, cell: result.scope.module, label });
      const live = new Set(result.scope.liveModules);
      this.#scopeChanges = this.#scopeChanges.filter((change) => live.has(change.cell));
    } else {
      if (this.#pureResults.size >= MAX_PURE_RESULTS) this.#pureResults.delete(this.#pureResults.keys().next().value!);
      this.#pureResults.set(code, result);
    }
    return result;
  }

  /** How many cells a new checker thread would check again to know the scope. */
  get scopeReplayLength(): number {
    return this.#scopeChanges.length;
  }

  close(): void {
    this.#closed = true;
    void this.#thread.worker.terminate();
  }

  #send<M extends Method>(thread: CheckerThread, method: M, params: Parameters<CheckerMethods[M]>[0]): Promise<ReturnType<CheckerMethods[M]>> {
    const id = this.#nextId++;
    return new KernelPromise((resolve, reject) => {
      thread.send(id, { id, method, params } as CheckerRequest, { resolve: resolve as (value: unknown) => void, reject });
    });
  }

  async #restart(): Promise<void> {
    const now = performance.now();
    this.#restarts.push(now);
    while (this.#restarts.length > 0 && now - this.#restarts[0]! > RESTART_WINDOW_MS) this.#restarts.shift();
    if (this.#restarts.length > MAX_RESTARTS) {
      this.#gaveUp = new Error(`the type checker stopped ${this.#restarts.length} times in a minute (last: ${this.#thread.ended?.message}); restart the kernel`);
      this.#restarting = undefined;
      throw this.#gaveUp;
    }
    const thread = (this.#thread = new CheckerThread({ config: this.#config }));
    try {
      await thread.ready;
      // Failures here are the cells' own business, already reported when they first ran.
      for (const change of this.#scopeChanges) await this.#send(thread, "check", change).catch(() => undefined);
    } finally {
      this.#restarting = undefined;
    }
  }
}
