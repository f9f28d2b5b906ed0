// The type checker's own thread: TypeScript is big (~100 MB once lib and @types/node are parsed)
// and slow to start, so it works beside the kernel, in its own heap. A compiler crash or runaway
// check ends this thread, never the kernel.
import { parentPort, workerData } from "node:worker_threads";
import { NotebookProgram } from "./notebook-program.js";
import { isComplete } from "./is-complete.js";
import { saveTypeScriptCodeCache } from "./typescript-loader.js";
import type { CheckerConfig, CheckerMethods, CheckerRequest, CheckerResponse } from "./protocol.js";

const port = parentPort!;
const program = new NotebookProgram(workerData as CheckerConfig);

const methods: CheckerMethods = {
  check: ({ code, cell }) => program.check(code, cell),
  transpileExpression: ({ code }) => program.transpileExpression(code),
  complete: ({ code, cursor }) => program.complete(code, cursor),
  inspect: ({ code, cursor }) => program.inspect(code, cursor),
  isComplete: ({ code }) => isComplete(code),
};

// Node's types load when no request has come for a moment (a cell that needs them sooner loads
// them itself): the first cells do not wait for 2 MB of declarations they may not use.
const IDLE_BEFORE_NODE_TYPES_MS = 100;
let idleTimer: NodeJS.Timeout | undefined;
function loadNodeTypesWhenIdle(): void {
  clearTimeout(idleTimer);
  if (program.nodeTypesLoaded) return;
  idleTimer = setTimeout(() => {
    program.loadNodeTypes();
    // Most of the compiler has run by now: that is what the code cache should hold.
    saveTypeScriptCodeCache();
  }, IDLE_BEFORE_NODE_TYPES_MS);
}

port.on("message", (request: CheckerRequest) => {
  loadNodeTypesWhenIdle();
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
loadNodeTypesWhenIdle();
