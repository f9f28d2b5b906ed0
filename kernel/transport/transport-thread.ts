// The transport thread: owns the control and heartbeat sockets, which must answer while the main
// thread is busy running a cell, and stops a cell that will not yield (see terminateMainThread).
// Shell, IOPUB and stdin belong to the main thread (see kernel-sockets.ts).
import { parentPort, workerData } from "node:worker_threads";
import { createRequire } from "node:module";
import type { Session } from "node:inspector";
import { asBuffer, encode, type WireMessage } from "../wire/codec.js";
import { Signer } from "../wire/signer.js";
import { endpoint, readConnectionFile } from "../wire/connection.js";
import { SigintWatch } from "./sigint-helper.js";
import { createLog } from "../log.js";
import { closeAfterSending, readAuthentic, SEND_AT_ONCE, sendAtOnce, zmq } from "./zmq.js";
import { KernelSession } from "../session.js";
import type { JSONObject, OutgoingMessage } from "../wire/codec.js";
import type { ToMain, ToTransport, TransportInit } from "./protocol.js";

const require = createRequire(import.meta.url);
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
const post = (message: ToMain) => port.postMessage(message);
const log = createLog();

let signer: Signer;
const control = new zmq.Router(SEND_AT_ONCE);
const heartbeat = new zmq.Reply();

function sendOnControl(message: OutgoingMessage): void {
  sendAtOnce(control, encode({ ...message, identities: message.identities.map(asBuffer) }, signer), log);
}

/** Answers kernel_info here once the main thread has handed over its content (see fromMain). */
let kernelInfo: { session: KernelSession; content: JSONObject } | undefined;

function forwardControl(message: WireMessage): void {
  const type = message.header.msg_type;
  // Clients ask it to learn that the kernel is alive (Jupyter Server's nudge): the answer must
  // not wait for a cell's synchronous loop. IOPUB is the main thread's, which brackets the
  // request with busy and idle once it is free.
  if (type === "kernel_info_request" && kernelInfo) {
    kernelInfo.session.reply({ ...message, channel: "control" }, "kernel_info_reply", kernelInfo.content);
    post({ kind: "answered", header: message.header });
    return;
  }
  if (type === "interrupt_request") expectMainToRespond(INTERRUPT_GRACE_MS);
  if (type === "shutdown_request") expectMainToRespond(SHUTDOWN_GRACE_MS);
  post({ kind: "message", channel: "control", message });
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
    if (!interruptSyncCall()) void terminateMainThread();
  }, graceMs);
}

// A main thread blocked in a synchronous child call (execSync, say) runs no JavaScript that V8
// could terminate: the child gets SIGINT, as from a terminal's Ctrl-C, and SIGKILL if the call
// has not ended a second later. The call then fails with InterruptError (see child-processes.ts).
const SYNC_CALL_KILL_MS = 1000;
let syncCalls: Int32Array | undefined;

function interruptSyncCall(): boolean {
  const calls = syncCalls;
  const call = calls ? Atomics.load(calls, 0) : 0;
  if (!calls || call === 0) return false;
  Atomics.store(calls, 1, call);
  // Loaded when needed: it reads the process table, which this thread rarely has to.
  void import("../runtime/sync-calls.js").then(({ signalSyncCall }) => {
    signalSyncCall(process.pid, call, "SIGINT");
    setTimeout(() => {
      if (Atomics.load(calls, 0) === call) signalSyncCall(process.pid, call, "SIGKILL");
    }, SYNC_CALL_KILL_MS).unref();
  });
  return true;
}

/**
 * Pauses the main thread where it is busy, lets the kernel prepare (see suspendForTermination in
 * interpreter/cell-context.ts), then terminates that execution. The termination is asked for
 * while the thread is still paused, so that it lands as soon as the thread resumes: given a
 * moment to run first, the busy code would enter async contexts the kernel just prepared for.
 */
async function terminateMainThread(): Promise<void> {
  const session = inspector ??= connectInspector();
  const call = (method: string, params: object = {}) => new Promise<void>((resolve) => session.post(method, params, () => resolve()));
  let stepsOut = 0;
  const onPaused = async ({ params }: { params: { callFrames: { functionName: string }[] } }) => {
    // A busy `await` loop runs Node's promise hooks all the time, and a termination that lands
    // in one is lost (V8 does not let a promise hook throw): step out of it first.
    const inPromiseHook = params.callFrames.some((frame) => PROMISE_HOOKS.has(frame.functionName));
    if (inPromiseHook && stepsOut++ < MAX_STEPS_OUT) {
      session.post("Debugger.stepOut");
      return;
    }
    session.off("Debugger.paused", onPaused);
    await call("Runtime.evaluate", { expression: `globalThis[Symbol.for("parlab.beforeTerminate")]?.()` });
    // Answered only once the termination is over: not awaited.
    session.post("Runtime.terminateExecution", () => undefined);
    await call("Debugger.resume");
    await call("Debugger.disable");
  };
  session.on("Debugger.paused", onPaused);
  await call("Debugger.enable");
  await call("Debugger.pause");
}

/** Node's functions that V8 calls as promise hooks (lib/internal/async_hooks.js). */
const PROMISE_HOOKS = new Set(["promiseInitHook", "promiseInitHookWithDestroyTracking", "promiseBeforeHook", "promiseAfterHook", "promiseResolveHook", "destroyTracking"]);
/** Steps out of a promise hook before terminating (see terminateMainThread): a few are enough. */
const MAX_STEPS_OUT = 20;

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
    case "send":
      sendOnControl(message.message);
      break;
    case "kernelInfo":
      kernelInfo = { session: new KernelSession({ send: (_channel, reply) => sendOnControl(reply) }, message.sessionId), content: message.content };
      break;
    case "responsive":
      clearTimeout(forceTimer);
      forceTimer = undefined;
      break;
    case "sigint":
      onSignal("main");
      break;
    case "syncCalls":
      syncCalls = message.calls;
      break;
    case "close":
      close();
      break;
  }
}

function close(): void {
  clearTimeout(forceTimer);
  closeAfterSending([control, heartbeat]);
  sigintWatch.stop();
  inspector?.disconnect();
  port.close();
}

async function start(): Promise<void> {
  try {
    const info = readConnectionFile(init.connectionFile);
    signer = new Signer(info.key);
    await Promise.all([control.bind(endpoint(info, "control")), heartbeat.bind(endpoint(info, "hb"))]);
  } catch (error) {
    post({ kind: "fatal", text: `cannot bind the kernel's control and heartbeat sockets: ${(error as Error).message}` });
    return;
  }
  readAuthentic(control, "control", signer, log, forwardControl);
  echoHeartbeats().catch(() => undefined);
  post({ kind: "ready" });
  // Spawning the helper blocks this thread for ~10 ms; no cell runs this early, so until then
  // the main thread takes a SIGINT itself.
  if (init.watchSignals) setImmediate(() => sigintWatch.start());
}

void start();
