// The kernel's composition root: wires transport, session, interpreter and handlers together.
// Start-up order matters on a two-core machine, where each thread that starts slows the others:
// 1. the transport thread starts first, before this module is even loaded (run-kernel.cts); it
//    binds the sockets and answers the first kernel_info itself (see transport-thread.ts), which
//    is when clients consider the kernel up;
// 2. the type checker's thread (the slowest to be ready, ~0.5 s) starts once the sockets are
//    bound: started sooner, its own start only slowed the transport's (measured side by side:
//    the first kernel_info_reply 12-23 ms sooner, and the first result no later);
// 3. the main thread loads the interpreter once the sockets are bound too; it is ready long
//    before the checker, which the first cell waits for.
import { writeSync } from "node:fs";
import { Transport } from "./transport/transport.js";
import type { LaunchedThread } from "./transport/launch.cjs";
import type { ToMain } from "./transport/protocol.js";
import type { Dispatcher } from "./dispatcher.js";

/** `transportThread`: started first, by the kernel's entry (run-kernel.cts) or the CLI. */
export async function startKernel(transportThread: LaunchedThread): Promise<void> {
  const notebookDir = process.cwd();

  let dispatcher: Dispatcher | undefined;
  let interrupt = () => false;
  const early: Extract<ToMain, { kind: "message" }>[] = [];
  const { received } = transportThread.init;
  let transport: Transport | undefined;
  const transportReady = Transport.attach(transportThread, (message) => {
    if (message.kind === "interrupt") {
      transport?.post({ kind: "responsive" });
      interrupt();
    } else if (dispatcher) {
      dispatcher.receive(message);
    } else {
      early.push(message);
    }
  });
  // Jupyter interrupts in signal mode with SIGINT; Node's default would kill the kernel.
  process.on("SIGINT", () => transport?.post({ kind: "sigint" }));
  const [{ CheckerClient }, { checkerConfig }] = await Promise.all([import("./interpreter/checker-client.js"), import("./interpreter/checker-config.js")]);
  transport = await transportReady;
  const checker = new CheckerClient(checkerConfig(notebookDir));

  const [{ KernelSession }, { SocketFrontend }, { Interpreter }, { defaultHistoryFile }, { Dispatcher: RequestDispatcher }, { killChildProcesses }] = await Promise.all([
    import("./session.js"), import("./socket-frontend.js"), import("./interpreter/interpreter.js"),
    import("./interpreter/history.js"), import("./dispatcher.js"), import("./runtime/child-processes.js"),
  ]);
  const frontend = new SocketFrontend();
  const interpreter = new Interpreter({ notebookDir, frontend, historyFile: defaultHistoryFile(), checker });
  interrupt = () => interpreter.interrupt();
  const session = new KernelSession(transport, transport.sessionId);
  frontend.session = session;

  let exiting = false;
  const exit = async () => {
    if (exiting) return;
    exiting = true;
    await interpreter.shutdown();
    await transport!.close();
    process.exit(0);
  };
  dispatcher = new RequestDispatcher({ session, interpreter, exit }, (reply) => frontend.received(reply), () => transport!.post({ kind: "responsive" }), () => Atomics.load(received, 0));

  process.on("SIGTERM", () => void exit());
  process.on("exit", () => killChildProcesses("SIGKILL"));

  for (const message of early.splice(0)) dispatcher.receive(message);
  checker.ready.catch((error: Error) => writeSync(2, `[parlab] ${error.message}\n`));
}
