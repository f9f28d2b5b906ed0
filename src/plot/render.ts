// Spec to SVG and PNG, synchronously. The kernel asks a value for its bundle synchronously
// (kernel/runtime/mime.ts calls [Symbol.for("Jupyter.display")] and would show a returned Promise
// as text; display() is synchronous too), but vega renders asynchronously and, being ESM only,
// loads only through import(). So a worker thread, started on the first render, imports vega and
// vega-lite and renders while this thread waits on Atomics.wait: charts stay synchronous values
// and neither library ever enters the notebook's own module graph.
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";

/**
 * A Vega-Lite spec, as JSON. The charts build theirs against vega-lite's own types (spec.ts), but
 * the declarations notebooks see stay free of them: type-checking a cell that imports parlab
 * would otherwise parse some 140 more declaration files.
 */
export type VegaLiteSpec = object;

export interface WorkerData {
  port: MessagePort;
  /** Set to 1 by the worker once it listens on the port. */
  started: Int32Array;
}

export interface RenderRequest {
  /** Echoed in the reply: a wait cut short (the kernel's interrupt) leaves its reply behind. */
  id: number;
  spec: VegaLiteSpec;
  scale: number;
  /** Set by the worker once the reply is on the port (REPLIED), or if it dies first (DIED). */
  done: Int32Array;
}

export const REPLIED = 1;
export const DIED = 2;

export type RenderReply = { id: number } & ({ svg: string; png: Uint8Array; warnings: string[] } | { error: string });

export interface Rendered {
  svg: string;
  png: Buffer;
  /** What vega-lite and vega logged: a sign of a spec mistake, kept for the tests. */
  warnings: string[];
}

/** A thread starts in tens of milliseconds; one that has not in this long never will. */
const START_TIMEOUT_MS = 10_000;
/** The first render loads vega in about a second; a stuck worker must not hang the kernel. */
const RENDER_TIMEOUT_MS = 60_000;
/**
 * 8 times a chart's size is sharper than any screen needs. At 100 times, a chart's pixels alone
 * took gigabytes, and the kernel went down with them.
 */
const MAX_SCALE = 8;

interface Renderer {
  worker: Worker;
  port: MessagePort;
  /** Set while a render is waited for: still set at the next render, the wait was interrupted. */
  waiting?: number;
  /** Why the thread stopped, once it has: reported by the next render that fails. */
  failure?: Error;
}

let renderer: Renderer | undefined;
let lastId = 0;

function fail(current: Renderer, message: string): never {
  void current.worker.terminate();
  if (renderer === current) renderer = undefined;
  throw new Error(`plot: ${message}${current.failure ? ` (${current.failure.message})` : ""}`);
}

function start(): Renderer {
  const { port1, port2 } = new MessageChannel();
  const started = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL("./render-worker.js", import.meta.url), {
    workerData: { port: port2, started } satisfies WorkerData,
    transferList: [port2],
    // Not the notebook's flags: `--input-type`, for one, stops a worker from loading at all.
    execArgv: [],
    // Its own stdout: a stray log line must not land in whichever cell happens to be running.
    stdout: true,
    stderr: true,
  });
  const current: Renderer = { worker, port: port1 };
  // Without a listener a failing thread's error would be thrown in the notebook's thread.
  worker.on("error", (error) => (current.failure = error));
  worker.on("exit", () => {
    if (renderer === current) renderer = undefined;
  });
  // An idle renderer must not keep a script (or a test run) from exiting.
  worker.unref();
  if (Atomics.wait(started, 0, 0, START_TIMEOUT_MS) === "timed-out") fail(current, "the PNG renderer thread did not start");
  return current;
}

/** Renders at `scale` times the spec's size (2 gives sharp text on high-density screens). */
export function renderChart(spec: VegaLiteSpec, scale = 1): Rendered {
  if (!(scale > 0 && scale <= MAX_SCALE)) throw new Error(`png: scale must be a positive number up to ${MAX_SCALE}, got ${scale}`);
  // An interrupted render is still running, and this one would wait behind it: start afresh.
  if (renderer?.waiting !== undefined) {
    void renderer.worker.terminate();
    renderer = undefined;
  }
  const current = (renderer ??= start());
  const id = ++lastId;
  const done = new Int32Array(new SharedArrayBuffer(4));
  current.port.postMessage({ id, spec, scale, done } satisfies RenderRequest);
  current.waiting = id;
  if (Atomics.wait(done, 0, 0, RENDER_TIMEOUT_MS) === "timed-out") fail(current, `rendering the PNG took over ${RENDER_TIMEOUT_MS / 1000} s; the renderer was stopped`);
  current.waiting = undefined;
  if (Atomics.load(done, 0) === DIED) fail(current, "the PNG renderer thread stopped while rendering");
  let reply: RenderReply | undefined;
  for (let received; !reply && (received = receiveMessageOnPort(current.port)); ) {
    if ((received.message as RenderReply).id === id) reply = received.message as RenderReply;
  }
  if (!reply) fail(current, "the PNG renderer signalled a reply but sent none");
  if ("error" in reply) throw new Error(`plot: rendering the PNG failed: ${reply.error}`);
  return { svg: reply.svg, png: Buffer.from(reply.png.buffer, reply.png.byteOffset, reply.png.byteLength), warnings: reply.warnings };
}
