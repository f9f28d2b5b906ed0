// The checker thread's entry: it may wait before loading the compiler. Started beside the
// transport thread on two cores, loading TypeScript (~0.25 s of CPU) slowed the sockets' start,
// and the kernel's first kernel_info_reply, by ~40 ms; the checker is not needed before the first
// cell, which waits for the sockets anyway. The thread itself starts as soon as the transport
// thread runs (see main.ts), so its own start-up overlaps the transport's binding.
import { workerData } from "node:worker_threads";
import type { CheckerThreadData } from "./protocol.js";

const MAX_WAIT_MS = 1000;
const { startWhen } = workerData as CheckerThreadData;
if (startWhen) Atomics.wait(startWhen, 0, 0, MAX_WAIT_MS);
await import("./checker-thread.js");
