// The child process of a synchronous call (spawnSync, execSync, execFileSync) carries a marker in
// its environment, and so does everything it starts: the transport thread finds them by it when
// the call is interrupted, since the main thread, blocked in the call, runs no JavaScript that V8
// could stop (see child-processes.ts and interruptSyncCall in transport-thread.ts).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { descendantPids } from "./process-tree.js";

export const SYNC_CALL_VARIABLE = "PARLAB_SYNC_CALL";

/** Unique per kernel and call: a later call, or another kernel's, is never taken for this one. */
export function syncCallMarker(kernelPid: number, call: number): string {
  return `${kernelPid}.${call}`;
}

/** Signals every process below the kernel that carries the call's marker: a shell and its command alike. */
export function signalSyncCall(kernelPid: number, call: number, signal: NodeJS.Signals): void {
  const entry = `${SYNC_CALL_VARIABLE}=${syncCallMarker(kernelPid, call)}`;
  for (const pid of descendantPids(kernelPid)) {
    if (!environmentOf(pid).includes(entry)) continue;
    try { process.kill(pid, signal); } catch { /* already gone */ }
  }
}

function environmentOf(pid: number): string[] {
  try {
    if (process.platform === "linux") return readFileSync(`/proc/${pid}/environ`, "latin1").split("\0");
    // macOS and the BSDs: `ps -E` prints the environment after the command, separated by spaces.
    return execFileSync("ps", ["-E", "-ww", "-o", "command=", "-p", String(pid)], { encoding: "latin1" }).trim().split(" ");
  } catch {
    return []; // exited meanwhile, or not ours to read
  }
}
