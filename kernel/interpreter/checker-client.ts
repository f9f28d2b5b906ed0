// The kernel's side of the type-checker process: requests go out, promises come back.
import { fork, type ChildProcess } from "node:child_process";
import type { CheckerConfig, CheckerMethods, CheckerRequest, CheckerResponse } from "../checker/protocol.js";

type Method = keyof CheckerMethods;

export class CheckerClient {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  readonly ready: Promise<void>;
  #nextId = 1;
  #exited: Error | undefined;

  constructor(config: CheckerConfig) {
    this.#child = fork(new URL("../checker/checker-process.js", import.meta.url), [JSON.stringify(config)], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      serialization: "advanced",
      execArgv: [],
    });
    this.ready = new Promise((resolve, reject) => {
      this.#pending.set(0, { resolve: () => resolve(), reject });
    });
    this.ready.catch(() => undefined);
    this.#child.on("message", (response: CheckerResponse) => {
      const waiter = this.#pending.get(response.id);
      if (!waiter) return;
      this.#pending.delete(response.id);
      if ("error" in response) waiter.reject(new Error(`type checker failed: ${response.error}`));
      else waiter.resolve(response.result);
    });
    this.#child.on("exit", (code, signal) => {
      this.#exited = new Error(`the type checker process exited (${signal ?? `code ${code}`})`);
      for (const waiter of this.#pending.values()) waiter.reject(this.#exited);
      this.#pending.clear();
    });
    this.#child.unref();
    (this.#child.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  call<M extends Method>(method: M, params: Parameters<CheckerMethods[M]>[0]): Promise<ReturnType<CheckerMethods[M]>> {
    if (this.#exited) return Promise.reject(this.#exited);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#child.send({ id, method, params } as CheckerRequest);
    });
  }

  close(): void {
    this.#child.kill("SIGKILL");
  }
}
