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
