// While the main thread runs a busy loop, its SIGINT handler cannot run, and worker threads
// cannot listen for signals at all. Jupyter signals the kernel's whole process group, so a tiny
// shell in our group traps SIGINT and tells the transport thread through a pipe. It exits when
// the pipe closes, so it never outlives the kernel.
import { createRequire } from "node:module";
import type { ChildProcess } from "node:child_process";

// Loaded when the first helper is spawned, not with the transport thread, which binds the control
// socket sooner for loading less.
const require = createRequire(import.meta.url);

const SCRIPT = 'trap "hit=1; echo i" INT; trap "" TERM HUP; while :; do hit=0; read -r _ && continue; [ "$hit" = 1 ] || exit 0; done';

export class SigintWatch {
  #helper: ChildProcess | undefined;
  #stopped = false;

  constructor(private readonly onSigint: () => void) {}

  /** While a helper runs, one Ctrl-C is reported twice: by it, and by the main thread's handler. */
  get running(): boolean {
    return this.#helper !== undefined;
  }

  start(): void {
    if (!this.#helper && !this.#stopped && process.platform !== "win32") this.#spawn();
  }

  stop(): void {
    this.#stopped = true;
    this.#helper?.kill("SIGKILL");
  }

  #spawn(): void {
    const { spawn } = require("node:child_process") as typeof import("node:child_process");
    const helper = spawn("/bin/sh", ["-c", SCRIPT], { stdio: ["pipe", "pipe", "ignore"] });
    this.#helper = helper;
    helper.on("error", () => undefined); // no /bin/sh: signal mode still works while the main thread is free
    helper.on("exit", (_code, signal) => {
      if (this.#helper === helper) this.#helper = undefined;
      // Killed by a signal (a stray kill; or a Ctrl-C that arrived before the shell set its
      // trap, which was a real interrupt): the next Ctrl-C needs a helper again. It exits on its
      // own only when its pipe closes, with the kernel.
      if (signal === null || this.#stopped) return;
      this.#spawn();
      if (signal === "SIGINT") this.onSigint();
    });
    helper.stdout?.on("data", (chunk: Buffer) => {
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x69 /* "i" */) this.onSigint();
    });
    helper.unref();
    (helper.stdout as unknown as { unref?: () => void })?.unref?.();
    (helper.stdin as unknown as { unref?: () => void })?.unref?.();
  }
}
