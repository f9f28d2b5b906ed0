// The type checker's own process: TypeScript is big (~150 MB once lib and @types/node are
// parsed), and a compiler crash or runaway check must never take the kernel down with it.
import { NotebookProgram } from "./notebook-program.js";
import { isComplete } from "./is-complete.js";
import type { CheckerConfig, CheckerMethods, CheckerRequest, CheckerResponse } from "./protocol.js";

// Jupyter interrupts by signalling the kernel's whole process group; interrupts are the kernel's business.
process.on("SIGINT", () => undefined);
process.on("disconnect", () => process.exit(0));

const config = JSON.parse(process.argv[2]!) as CheckerConfig;
const program = new NotebookProgram(config);

const methods: CheckerMethods = {
  check: ({ code, cell }) => program.check(code, cell),
  transpileExpression: ({ code }) => program.transpileExpression(code),
  complete: ({ code, cursor }) => program.complete(code, cursor),
  inspect: ({ code, cursor }) => program.inspect(code, cursor),
  isComplete: ({ code }) => isComplete(code),
};

process.on("message", (request: CheckerRequest) => {
  let response: CheckerResponse;
  try {
    const handler = methods[request.method] as (params: unknown) => unknown;
    response = { id: request.id, result: handler(request.params) };
  } catch (error) {
    response = { id: request.id, error: (error as Error).stack ?? String(error) };
  }
  process.send!(response);
});

program.warm();
process.send!({ id: 0, result: "ready" });
