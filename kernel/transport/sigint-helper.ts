// While the main thread runs a busy loop, its SIGINT handler cannot run, and worker threads
// cannot listen for signals at all. Jupyter signals the kernel's whole process group, so a tiny
// shell in our group traps SIGINT and tells the transport thread through a pipe. It exits when
// the pipe closes, so it never outlives the kernel.
import { spawn, type ChildProcess } from "node:child_process";

const SCRIPT = 'trap "hit=1; echo i" INT; trap "" TERM HUP; while :; do hit=0; read -r _ && continue; [ "$hit" = 1 ] || exit 0; done';

export function watchSigint(onSigint: () => void): ChildProcess | undefined {
  if (process.platform === "win32") return undefined;
  const helper = spawn("/bin/sh", ["-c", SCRIPT], { stdio: ["pipe", "pipe", "ignore"] });
  helper.on("error", () => undefined); // no /bin/sh: signal mode still works while the main thread is free
  helper.stdout?.on("data", (chunk: Buffer) => {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x69 /* "i" */) onSigint();
  });
  helper.unref();
  (helper.stdout as unknown as { unref?: () => void })?.unref?.();
  (helper.stdin as unknown as { unref?: () => void })?.unref?.();
  return helper;
}
