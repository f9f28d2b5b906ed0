// The kernel's side of the type-checker thread: requests go out, promises come back.
import { Worker } from "node:worker_threads";
import { sendThreadOutputToLog } from "../log.js";
import type { CheckerConfig, CheckerMethods, CheckerRequest, CheckerResponse, CheckerThreadData } from "../checker/protocol.js";

type Method = keyof CheckerMethods;

export class CheckerClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  readonly ready: Promise<void>;
  #nextId = 1;
  #exited: Error | undefined;

  /** `startWhen`: the thread loads the compiler once this holds a non-zero value (see checker-thread-start.ts). */
  constructor(config: CheckerConfig, { startWhen }: { startWhen?: Int32Array } = {}) {
    // A small young generation: TypeScript keeps what it parses, so a big nursery only adds RSS
    // (measured: -23 MiB after warm-up, no slower to the first result).
    this.#worker = new Worker(new URL("../checker/checker-thread-start.js", import.meta.url), {
      workerData: { config, startWhen } satisfies CheckerThreadData, stdout: true, stderr: true, resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    sendThreadOutputToLog(this.#worker);
    this.ready = new Promise((resolve, reject) => {
      this.#pending.set(0, { resolve: () => resolve(), reject });
    });
    this.ready.catch(() => undefined);
    this.#worker.on("message", (response: CheckerResponse) => {
      const waiter = this.#pending.get(response.id);
      if (!waiter) return;
      this.#pending.delete(response.id);
      if ("error" in response) waiter.reject(new Error(`type checker failed: ${response.error}`));
      else waiter.resolve(response.result);
    });
    const fail = (error: Error) => {
      this.#exited ??= error;
      for (const waiter of this.#pending.values()) waiter.reject(this.#exited);
      this.#pending.clear();
    };
    this.#worker.on("error", (error) => fail(new Error(`the type checker stopped: ${error.message}`)));
    this.#worker.on("exit", (code) => fail(new Error(`the type checker stopped (exit code ${code})`)));
    this.#worker.unref();
  }

  call<M extends Method>(method: M, params: Parameters<CheckerMethods[M]>[0]): Promise<ReturnType<CheckerMethods[M]>> {
    if (this.#exited) return Promise.reject(this.#exited);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#worker.postMessage({ id, method, params } as CheckerRequest);
    });
  }

  close(): void {
    void this.#worker.terminate();
  }
}
