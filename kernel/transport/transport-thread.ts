// The transport thread: owns every zeromq socket, checks and writes signatures, and keeps the
// heartbeat and control channel answering while the main thread is busy running a cell.
import { parentPort, workerData } from "node:worker_threads";
import { createRequire } from "node:module";
import type * as Zmq from "zeromq";
import type { Session } from "node:inspector";
import { asBuffer, decode, encode } from "../wire/codec.js";
import { Signer } from "../wire/signer.js";
import { endpoint, readConnectionFile, type Channel } from "../wire/connection.js";
import { SigintWatch } from "./sigint-helper.js";
import { createLog } from "../log.js";
import { KernelSession } from "../session.js";
import type { ToMain, ToTransport, TransportInit } from "./protocol.js";
import type { Request } from "../session.js";

// require, not import: importing the CommonJS package makes Node scan it for export names first,
// ~8 ms of every kernel start, on its way to the first kernel_info_reply.
const require = createRequire(import.meta.url);
const zmq = require("zeromq") as typeof Zmq;

const init = workerData as TransportInit;

// Watched from this thread because it stays responsive while a cell keeps the main thread busy.
// SIGTERM lets the kernel end its children; SIGKILL follows if a busy main thread cannot.
if (init.parentPid !== undefined) {
  const parentPid = init.parentPid;
  const watch = setInterval(() => {
    if (process.ppid === parentPid) return;
    clearInterval(watch);
    process.kill(process.pid, "SIGTERM");
    setTimeout(() => process.kill(process.pid, "SIGKILL"), 5000);
  }, 1000).unref();
}
const port = parentPort!;
const connection = readConnectionFile(init.connectionFile);
const signer = new Signer(connection.key);
const post = (message: ToMain) => port.postMessage(message);

const routers = { shell: new zmq.Router(), control: new zmq.Router(), stdin: new zmq.Router() };
const iopub = new zmq.Publisher();
const heartbeat = new zmq.Reply();
const sockets: Record<Exclude<Channel, "hb">, Zmq.Writable & Zmq.Socket> = { ...routers, iopub };

/** zeromq.js allows one send in flight per socket, so each socket gets a queue. */
const sendQueues = new Map<Zmq.Writable, Promise<unknown>>();
function send(socket: Zmq.Writable, frames: Buffer[]): void {
  const previous = sendQueues.get(socket) ?? Promise.resolve();
  const next = previous.then(() => socket.send(frames)).catch((error: Error) => log(`send failed: ${error.message}`));
  sendQueues.set(socket, next);
}

const log = createLog();

async function receive(channel: keyof typeof routers): Promise<void> {
  for await (const frames of routers[channel]) {
    const result = decode(frames, signer);
    if (!result.ok) { log(`dropped a ${channel} message: ${result.reason}`); continue; }
    const type = result.message.header.msg_type;
    const sequence = Atomics.add(init.received, 0, 1) + 1;
    const answered = type === "kernel_info_request" && channel !== "stdin" && !forwardedAny && await answerKernelInfo({ ...result.message, channel });
    if (!answered) {
      if (channel === "control" && type === "interrupt_request") expectMainToRespond(INTERRUPT_GRACE_MS);
      if (channel === "control" && type === "shutdown_request") expectMainToRespond(SHUTDOWN_GRACE_MS);
      forwardedAny = true;
      post({ kind: "message", channel, message: result.message, sequence });
    }
    // Spawning the helper blocks this thread for ~10 ms, so it waits until the first request has
    // been dealt with and its replies sent (an immediate runs after the sends' microtasks). No
    // cell has run before that, so the main thread is free to take a SIGINT itself.
    if (init.watchSignals && !sigintWatch.running) setImmediate(() => sigintWatch.start());
  }
}

// --- answered here ------------------------------------------------------------------------------
// Clients learn that a kernel is up by asking kernel_info until it answers (jupyter_client's
// wait_for_ready, JupyterLab on connect), and the answer needs nothing from the interpreter. So
// until this thread has handed any message to the main thread, it answers kernel_info itself:
// clients can start while the main thread still loads the interpreter, and no reply can overtake
// the reply to an earlier request.
let forwardedAny = false;
const session = new KernelSession({ post: fromMain });
// Loaded once the sockets are bound, while the first client connects.
let kernelInfo: Promise<typeof import("../handlers/kernel-info.js")> | undefined;
function loadKernelInfo(): Promise<typeof import("../handlers/kernel-info.js")> {
  if (!kernelInfo) {
    kernelInfo = import("../handlers/kernel-info.js");
    kernelInfo.catch(() => undefined); // answered below: the main thread's handler takes over
  }
  return kernelInfo;
}

/** False if this thread cannot answer: the request then goes to the main thread like any other. */
async function answerKernelInfo(request: Request): Promise<boolean> {
  let content;
  try {
    content = (await loadKernelInfo()).kernelInfoContent;
  } catch (error) {
    log(`the transport thread cannot answer kernel_info, the main thread will: ${(error as Error).message}`);
    return false;
  }
  session.publish("status", { execution_state: "busy" }, request.header);
  session.reply(request, "kernel_info_reply", content);
  session.publish("status", { execution_state: "idle" }, request.header);
  return true;
}

async function echoHeartbeats(): Promise<void> {
  for await (const frames of heartbeat) await heartbeat.send(frames);
}

// --- interrupts -------------------------------------------------------------------------------
// The main thread is asked first. If it does not answer in time it is stuck in synchronous code,
// and V8 is told to terminate that execution; the main thread then handles the request itself.
const INTERRUPT_GRACE_MS = 150;
const SHUTDOWN_GRACE_MS = 1000;
let forceTimer: NodeJS.Timeout | undefined;
let inspector: Session | undefined;

function expectMainToRespond(graceMs: number): void {
  if (forceTimer) return;
  forceTimer = setTimeout(() => {
    forceTimer = undefined;
    void terminateMainThread();
  }, graceMs);
}

/**
 * Pauses the main thread where it is busy, lets the kernel prepare (see suspendForTermination in
 * interpreter/cell-context.ts: without it, terminating inside a promise continuation aborts
 * Node), then terminates that execution.
 */
async function terminateMainThread(): Promise<void> {
  const session = inspector ??= connectInspector();
  const call = (method: string, params: object = {}) => new Promise<void>((resolve) => session.post(method, params, () => resolve()));
  session.once("Debugger.paused", async () => {
    await call("Runtime.evaluate", { expression: `globalThis[Symbol.for("parlab.beforeTerminate")]?.()` });
    await call("Debugger.resume");
    session.post("Runtime.terminateExecution", () => undefined);
    await call("Debugger.disable");
  });
  await call("Debugger.enable");
  await call("Debugger.pause");
}

function connectInspector(): Session {
  // Loaded only when needed: it is rarely needed, and each module loaded delays the kernel's start.
  const { Session } = require("node:inspector") as typeof import("node:inspector");
  const session = new Session();
  session.connectToMainThread();
  return session;
}

// One Ctrl-C is reported twice: by the helper, and by the main thread's own handler once it is
// free. A report from one source therefore cancels an unpaired report from the other; anything
// else is a new signal. (A time window would swallow a second, real interrupt.)
type SignalSource = "helper" | "main";
const PAIRING_WINDOW_MS = 5000;
const unpaired: Record<SignalSource, number[]> = { helper: [], main: [] };
function onSignal(source: SignalSource): void {
  const now = performance.now();
  const other: SignalSource = source === "helper" ? "main" : "helper";
  unpaired[other] = unpaired[other].filter((at) => now - at < PAIRING_WINDOW_MS);
  if (unpaired[other].length > 0) { unpaired[other].shift(); return; }
  if (sigintWatch.running) unpaired[source].push(now);
  expectMainToRespond(INTERRUPT_GRACE_MS);
  post({ kind: "interrupt" });
}

const sigintWatch = new SigintWatch(() => onSignal("helper"));

// --- messages from the main thread -------------------------------------------------------------
port.on("message", fromMain);

function fromMain(message: ToTransport): void {
  switch (message.kind) {
    case "send": {
      const { channel, message: outgoing } = message;
      send(sockets[channel], encode({ ...outgoing, identities: outgoing.identities.map(asBuffer) }, signer));
      break;
    }
    case "responsive":
      clearTimeout(forceTimer);
      forceTimer = undefined;
      break;
    case "sigint":
      onSignal("main");
      break;
    case "close":
      void close();
      break;
  }
}

async function close(): Promise<void> {
  clearTimeout(forceTimer);
  await Promise.allSettled(sendQueues.values());
  for (const socket of [...Object.values(sockets), heartbeat]) {
    socket.linger = 500;
    socket.close();
  }
  sigintWatch.stop();
  inspector?.disconnect();
  port.close();
}

async function start(): Promise<void> {
  const info = connection;
  try {
    await Promise.all([
      ...(Object.keys(sockets) as (keyof typeof sockets)[]).map((channel) => sockets[channel].bind(endpoint(info, channel))),
      heartbeat.bind(endpoint(info, "hb")),
    ]);
  } catch (error) {
    post({ kind: "fatal", text: `cannot bind the kernel's sockets: ${(error as Error).message}` });
    return;
  }
  for (const channel of Object.keys(routers) as (keyof typeof routers)[]) {
    receive(channel).catch((error: Error) => { if (!routers[channel].closed) log(`${channel} receive loop ended: ${error.message}`); });
  }
  echoHeartbeats().catch(() => undefined);
  session.publish("status", { execution_state: "starting" }, undefined);
  post({ kind: "ready", sessionId: session.id });
  void loadKernelInfo();
}

void start();
