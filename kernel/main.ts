// The kernel's composition root: wires transport, session, interpreter and handlers together.
// Start-up order matters: the transport thread binds the sockets while the main thread loads the
// rest of the kernel. The type checker (the slowest to start, ~0.6 s) starts its thread at once
// beside them but loads the compiler only once the sockets are bound, so it does not slow the
// kernel's first answer; the first cell may wait for it a little.
import { writeSync } from "node:fs";
import { readConnectionFile } from "./wire/connection.js";
import { Transport } from "./transport/transport.js";
import { CheckerClient } from "./interpreter/checker-client.js";
import { checkerConfig } from "./interpreter/checker-config.js";
import type { ToMain } from "./transport/protocol.js";
import type { Dispatcher } from "./dispatcher.js";

export async function startKernel(connectionFile: string): Promise<void> {
  const connection = readConnectionFile(connectionFile);
  const notebookDir = process.cwd();

  let dispatcher: Dispatcher | undefined;
  let interrupt = () => false;
  const early: Extract<ToMain, { kind: "message" }>[] = [];
  const received = new Int32Array(new SharedArrayBuffer(4));
  const socketsSettled = new Int32Array(new SharedArrayBuffer(4));
  const transportStarted = Transport.start({ connection, watchSignals: process.platform !== "win32", parentPid: parentPid(), received, socketsSettled }, (message) => {
    if (message.kind === "interrupt") {
      transport?.post({ kind: "responsive" });
      interrupt();
    } else if (dispatcher) {
      dispatcher.receive(message);
    } else {
      early.push(message);
    }
  });
  let transport: Transport | undefined;
  const checker = new CheckerClient(checkerConfig(notebookDir), { startWhen: socketsSettled });

  const [{ KernelSession }, { SocketFrontend }, { Interpreter }, { defaultHistoryFile }, { Dispatcher: RequestDispatcher }, { killChildProcesses }] = await Promise.all([
    import("./session.js"), import("./socket-frontend.js"), import("./interpreter/interpreter.js"),
    import("./interpreter/history.js"), import("./dispatcher.js"), import("./runtime/child-processes.js"),
  ]);
  transport = await transportStarted;
  const frontend = new SocketFrontend();
  const interpreter = new Interpreter({ notebookDir, frontend, historyFile: defaultHistoryFile(), checker });
  interrupt = () => interpreter.interrupt();
  const session = new KernelSession(transport);
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

  // Jupyter interrupts in signal mode with SIGINT; Node's default would kill the kernel.
  process.on("SIGINT", () => transport!.post({ kind: "sigint" }));
  process.on("SIGTERM", () => void exit());
  process.on("exit", () => killChildProcesses("SIGKILL"));

  session.publish("status", { execution_state: "starting" }, undefined);
  for (const message of early.splice(0)) dispatcher.receive(message);
  checker.ready.catch((error: Error) => writeSync(2, `[parlab] ${error.message}\n`));
}

/** Jupyter clients name themselves in JPY_PARENT_PID; a client killed outright must not leave its kernel behind. */
function parentPid(): number | undefined {
  const pid = Number(process.env.JPY_PARENT_PID);
  return Number.isInteger(pid) && pid > 1 && pid === process.ppid ? pid : undefined;
}
