// The kernel's composition root: wires sockets, transport thread, session, interpreter and handlers
// together. Start-up order matters on a two-core machine, where each thread that starts slows the
// others:
// 1. the transport thread (control, heartbeat, interrupts) starts first, before this module is
//    even loaded (run-kernel.cts);
// 2. this thread binds shell, IOPUB and stdin and answers kernel_info at once, before it loads
//    the interpreter: that answer is when clients consider the kernel up;
// 3. the type checker's thread (the slowest to be ready, ~0.5 s) starts once the sockets are
//    bound: started sooner, its own start delayed the first kernel_info_reply by 12-23 ms
//    (measured when the transport thread still bound every socket), and the first result came
//    no sooner;
// 4. this thread loads the interpreter; it is ready long before the checker, which the first
//    cell waits for.
import { writeSync } from "node:fs";
import { Transport } from "./transport/transport.js";
import { KernelSockets } from "./transport/kernel-sockets.js";
import { KernelSession, type MessageSink, type Request } from "./session.js";
import { asBuffer, type WireMessage } from "./wire/codec.js";
import { readConnectionFile } from "./wire/connection.js";
import type { LaunchedThread } from "./transport/launch.cjs";
import type { Dispatcher } from "./dispatcher.js";

// Taken before the interpreter makes process.exit() fail the cell that calls it.
const exitProcess = process.exit.bind(process);

/** `transportThread`: started first, by the kernel's entry (run-kernel.cts) or the CLI. */
export async function startKernel(transportThread: LaunchedThread): Promise<void> {
  const notebookDir = process.cwd();

  let dispatcher: Dispatcher | undefined;
  let interrupt = () => false;
  /** Requests that came before the dispatcher, in order. */
  const early: Request[] = [];
  const transport = new Transport(transportThread, (message) => {
    if (message.kind === "interrupt") {
      transport.post({ kind: "responsive" });
      interrupt();
    } else if (message.kind === "answered") {
      session.publish("status", { execution_state: "busy" }, message.header);
      session.publish("status", { execution_state: "idle" }, message.header);
    } else {
      receive(fromTransportThread(message.message));
    }
  });
  // Jupyter interrupts in signal mode with SIGINT; Node's default would kill the kernel.
  process.on("SIGINT", () => transport.post({ kind: "sigint" }));

  const sockets = new KernelSockets(readConnectionFile(transportThread.init.connectionFile));
  const sink: MessageSink = {
    send: (channel, message) => (channel === "control" ? transport.post({ kind: "send", channel, message }) : sockets.send(channel, message)),
  };
  const session = new KernelSession(sink);
  const kernelInfo = import("./handlers/kernel-info.js");
  kernelInfo.then(({ kernelInfoContent }) => transport.post({ kind: "kernelInfo", sessionId: session.id, content: kernelInfoContent }), () => undefined);

  // Clients learn that a kernel is up by asking kernel_info until it answers (jupyter_client's
  // wait_for_ready, JupyterLab on connect), and the answer needs nothing from the interpreter. So
  // until the dispatcher takes over, kernel_info is answered here at once, unless shell requests
  // wait before it: no reply may overtake the reply to an earlier request.
  function receive(request: Request): void {
    if (dispatcher) return dispatcher.receive(request);
    const answerNow = request.header.msg_type === "kernel_info_request"
      && (request.channel === "control" || !early.some((waiting) => waiting.channel === "shell"));
    if (answerNow) void answerKernelInfo(request);
    else early.push(request);
  }
  async function answerKernelInfo(request: Request): Promise<void> {
    session.publish("status", { execution_state: "busy" }, request.header);
    session.reply(request, "kernel_info_reply", (await kernelInfo).kernelInfoContent);
    session.publish("status", { execution_state: "idle" }, request.header);
  }

  await sockets.bind((channel, message) => receive({ ...message, channel }));
  session.publish("status", { execution_state: "starting" }, undefined);

  const [{ CheckerClient }, { checkerConfig }] = await Promise.all([import("./interpreter/checker-client.js"), import("./interpreter/checker-config.js")]);
  await transport.ready;
  const checker = new CheckerClient(checkerConfig(notebookDir));

  const [{ SocketFrontend }, { Interpreter }, { defaultHistoryFile }, { Dispatcher: RequestDispatcher }, { killChildProcesses, syncCalls }] = await Promise.all([
    import("./socket-frontend.js"), import("./interpreter/interpreter.js"),
    import("./interpreter/history.js"), import("./dispatcher.js"), import("./runtime/child-processes.js"),
  ]);
  const frontend = new SocketFrontend();
  const interpreter = new Interpreter({ notebookDir, frontend, historyFile: defaultHistoryFile(), checker });
  interrupt = () => interpreter.interrupt();
  transport.post({ kind: "syncCalls", calls: syncCalls });
  frontend.session = session;

  let exiting = false;
  const exit = async () => {
    if (exiting) return;
    exiting = true;
    await interpreter.shutdown();
    sockets.close();
    await transport.close();
    exitProcess(0);
  };
  dispatcher = new RequestDispatcher({ session, interpreter, exit }, (reply) => frontend.received(reply), () => transport.post({ kind: "responsive" }), () => sockets.shellDrained());

  process.on("SIGTERM", () => void exit());
  process.on("exit", () => killChildProcesses("SIGKILL"));

  for (const request of early.splice(0)) dispatcher.receive(request);
  checker.ready.catch((error: Error) => writeSync(2, `[parlab] ${error.message}\n`));
}

/** Control messages come from the transport thread as copies, their bytes as plain Uint8Arrays. */
function fromTransportThread(message: WireMessage): Request {
  return { ...message, channel: "control", identities: message.identities.map(asBuffer), buffers: message.buffers.map(asBuffer) };
}
