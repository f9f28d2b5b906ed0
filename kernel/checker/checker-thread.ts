// The type checker's own thread: TypeScript is big (~100 MB once lib and @types/node are parsed)
// and slow to start, so it works beside the kernel, in its own heap. A compiler crash or runaway
// check ends this thread, never the kernel.
import { parentPort, workerData } from "node:worker_threads";
import { NotebookProgram } from "./notebook-program.js";
import { isComplete } from "./is-complete.js";
import { saveTypeScriptCodeCache } from "./typescript-loader.js";
import type { CheckerMethods, CheckerRequest, CheckerResponse, CheckerThreadData } from "./protocol.js";

const port = parentPort!;
const program = new NotebookProgram((workerData as CheckerThreadData).config);

const methods: CheckerMethods = {
  check: ({ code, cell, label }) => program.check(code, cell, label),
  transpileExpression: ({ code }) => program.transpileExpression(code),
  complete: ({ code, cursor }) => program.complete(code, cursor),
  inspect: ({ code, cursor }) => program.inspect(code, cursor),
  isComplete: ({ code }) => isComplete(code),
};

// Work for idle moments, one step per IDLE_MS without a request, so the first cells never wait
// for it (a cell that needs Node's types sooner loads them itself):
// - Node's types: 2 MB of declarations the first cells may not use;
// - warm-up checks of a typical cell, so the first real ones run on compiled checker code. V8
//   optimizes the checker's hot functions only after many calls: four passes instead of one
//   made the bench's first typed cell 12 % quicker and its edited re-run 6 % (interleaved A/B,
//   12 kernels each), for ~0.15 s of idle work and ~7 MiB of RSS. More passes gained a little
//   more for more memory (six: 16 % and 7 %, ~12 MiB).
const IDLE_MS = 100;
const WARM_UP_PASSES = 4;
const idleWork = [
  () => {
    program.loadNodeTypes();
    // Most of the compiler has run by now: that is what the code cache should hold. (Not the
    // warm-up's code too: a bigger cache costs every start more to read than it saves.)
    saveTypeScriptCodeCache();
  },
  () => {
    const problems = program.warmUpChecking();
    if (problems.length > 0) process.stderr.write(`[parlab] the checker's warm-up cell has ${problems.length} type errors\n`);
  },
  ...Array.from({ length: WARM_UP_PASSES - 1 }, () => () => void program.warmUpChecking()),
];
let idleTimer: NodeJS.Timeout | undefined;
function scheduleIdleWork(): void {
  clearTimeout(idleTimer);
  if (idleWork.length === 0) return;
  idleTimer = setTimeout(() => {
    try {
      idleWork.shift()!();
    } catch (error) {
      // Only a speed-up: a failure here must not end the thread that checks every cell.
      process.stderr.write(`[parlab] the checker's idle work failed: ${(error as Error).stack ?? error}\n`);
    }
    scheduleIdleWork();
  }, IDLE_MS);
}

port.on("message", (request: CheckerRequest) => {
  scheduleIdleWork();
  let response: CheckerResponse;
  try {
    const handler = methods[request.method] as (params: unknown) => unknown;
    response = { id: request.id, result: handler(request.params) };
  } catch (error) {
    response = { id: request.id, error: (error as Error).stack ?? String(error) };
  }
  port.postMessage(response);
});

program.warm();
port.postMessage({ id: 0, result: "ready" });
scheduleIdleWork();
