// The kernel's composition root: wires transport, session, interpreter and handlers together.
// Start-up order matters on a two-core machine, where each thread that starts slows the others:
// 1. the transport thread starts first; it binds the sockets and answers the first kernel_info
//    itself (see transport-thread.ts), which is when clients consider the kernel up;
// 2. the type checker's thread (the slowest to be ready, ~0.6 s) starts once the transport thread
//    runs, and loads the compiler once the sockets are bound;
// 3. the main thread loads the interpreter once the sockets are bound; it is ready long before
//    the checker, which the first cell waits for.
// Only the transport is imported up front: until its thread is started, every module loaded here
// delays the kernel's first answer.
import { writeSync } from "node:fs";
import { Transport } from "./transport/transport.js";
import type { ToMain } from "./transport/protocol.js";
import type { Dispatcher } from "./dispatcher.js";

export async function startKernel(connectionFile: string): Promise<void> {
  const notebookDir = process.cwd();

  let dispatcher: Dispatcher | undefined;
  let interrupt = () => false;
  const early: Extract<ToMain, { kind: "message" }>[] = [];
  const received = new Int32Array(new SharedArrayBuffer(4));
  const socketsSettled = new Int32Array(new SharedArrayBuffer(4));
  const transportStart = Transport.start({ connectionFile, watchSignals: process.platform !== "win32", parentPid: parentPid(), received, socketsSettled }, (message) => {
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
  let transport: Transport | undefined;
  const [{ CheckerClient }, { checkerConfig }] = await Promise.all([import("./interpreter/checker-client.js"), import("./interpreter/checker-config.js"), transportStart.running]);
  const checker = new CheckerClient(checkerConfig(notebookDir), { startWhen: socketsSettled });
  transport = await transportStart.ready;

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

/** Jupyter clients name themselves in JPY_PARENT_PID; a client killed outright must not leave its kernel behind. */
function parentPid(): number | undefined {
  const pid = Number(process.env.JPY_PARENT_PID);
  return Number.isInteger(pid) && pid > 1 && pid === process.ppid ? pid : undefined;
}
