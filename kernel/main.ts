// The kernel's composition root: wires transport, session, interpreter and handlers together.
import { writeSync } from "node:fs";
import { readConnectionFile } from "./wire/connection.js";
import { Transport } from "./transport/transport.js";
import { KernelSession } from "./session.js";
import { SocketFrontend } from "./socket-frontend.js";
import { Interpreter } from "./interpreter/interpreter.js";
import { defaultHistoryFile } from "./interpreter/history.js";
import { Dispatcher } from "./dispatcher.js";
import { killChildProcesses } from "./runtime/child-processes.js";
import type { ToMain } from "./transport/protocol.js";

export async function startKernel(connectionFile: string): Promise<void> {
  const connection = readConnectionFile(connectionFile);
  const frontend = new SocketFrontend();
  // The type checker takes longest to start: it gets going before the sockets are even bound.
  const interpreter = new Interpreter({ notebookDir: process.cwd(), frontend, historyFile: defaultHistoryFile() });

  let dispatcher: Dispatcher | undefined;
  const early: Extract<ToMain, { kind: "message" }>[] = [];
  const transport = await Transport.start({ connection, watchSignals: process.platform !== "win32" }, (message) => {
    if (message.kind === "interrupt") {
      transport.post({ kind: "responsive" });
      interpreter.interrupt();
    } else if (dispatcher) {
      dispatcher.receive(message);
    } else {
      early.push(message);
    }
  });
  const session = new KernelSession(transport);
  frontend.session = session;

  let exiting = false;
  const exit = async () => {
    if (exiting) return;
    exiting = true;
    interpreter.shutdown();
    await transport.close();
    process.exit(0);
  };
  dispatcher = new Dispatcher({ session, interpreter, exit }, (reply) => frontend.received(reply), () => transport.post({ kind: "responsive" }));

  // Jupyter interrupts in signal mode with SIGINT; Node's default would kill the kernel.
  process.on("SIGINT", () => transport.post({ kind: "sigint" }));
  process.on("SIGTERM", () => void exit());
  process.on("exit", () => killChildProcesses("SIGKILL"));

  session.publish("status", { execution_state: "starting" }, undefined);
  for (const message of early.splice(0)) dispatcher.receive(message);
  interpreter.ready.catch((error: Error) => writeSync(2, `[parlab] ${error.message}\n`));
}
