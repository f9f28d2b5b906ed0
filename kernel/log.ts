// The kernel's own log: its stderr, never a notebook's output. Rate-limited, so a client sending
// a flood of bad or unknown messages cannot flood the log; it never includes signatures.
import { writeSync } from "node:fs";

export type Log = (text: string) => void;

export function createLog(minIntervalMs = 1000): Log {
  let lastAt = -Infinity;
  let suppressed = 0;
  return (text) => {
    const now = performance.now();
    if (now - lastAt < minIntervalMs) { suppressed++; return; }
    const extra = suppressed ? ` (${suppressed} similar messages suppressed)` : "";
    suppressed = 0;
    lastAt = now;
    writeSync(2, `[parlab] ${text}${extra}\n`);
  };
}

/** A kernel thread's own output goes to the kernel's stderr: a notebook must never see it. */
export function sendThreadOutputToLog(worker: { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream }): void {
  for (const stream of [worker.stdout, worker.stderr]) stream.on("data", (chunk: Buffer) => writeSync(2, chunk));
}
