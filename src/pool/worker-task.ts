// Runs shipped functions inside a pool's worker thread or child process. Each function is
// compiled once per worker (recompiling per call made CPU work ~60 % slower). What a task
// prints reaches the main side at once, tagged with the task, so it can show it in the cell that
// asked for the work, even when the worker was started by an earlier cell (live-output.ts).
import { AsyncLocalStorage } from "node:async_hooks";
import { Console } from "node:console";
import { createRequire } from "node:module";
import path from "node:path";
import { Writable } from "node:stream";
import { inspect } from "node:util";
import { pathToFileURL } from "node:url";
import { runInThisContext } from "node:vm";
import { BroadcastChannel, isMainThread } from "node:worker_threads";
import { runsInPoolProcess, type Lane } from "../measure/recorder.js";
import { now, type Span } from "../measure/spans.js";
import type { ShippedFunction } from "./shipped-function.js";
import { dataCloneError, whyNotCloneable } from "./cloneable.js";
import { LIVE_OUTPUT_CHANNEL, type LiveMessage } from "./live-output.js";
import type { CrashReport } from "./child-death.js";

export interface Call {
  args: unknown[];
  task: string;
}

/**
 * One call, or a chunk of calls run one after another (a map's items, sent together).
 * `outputKey`: where a thread sends what the calls print, as they print it (see live-output.ts).
 * `announceStart`: say so on the same way when the request starts running (its timeout starts then).
 */
export type TaskRequest = { fn: ShippedFunction; outputKey: string; announceStart?: boolean } & (Call | { chunk: Call[] });

export interface OutputChunk {
  stream: "stdout" | "stderr";
  text: string;
}

/** `output`: what was printed and not already sent live; `liveChunks`: how many writes were. */
export type TaskResult =
  | { ok: true; value: unknown; span: Span; output: OutputChunk[]; liveChunks: number }
  | { ok: false; error: WorkerError; span: Span; output: OutputChunk[]; liveChunks: number };

/** What a task threw, as it can travel: `properties` are its own ones that can (`code`, `cause`...). */
export interface WorkerError {
  name: string;
  message: string;
  stack: string;
  properties?: Record<string, unknown>;
}

export type ChunkResult = { chunk: TaskResult[] };

/** Runs nothing: sent only to make tinypool start a worker for its queue (see Pool.#refill). */
export type Refill = { refill: true };

// Shipped functions may require() packages: resolved from the notebook's folder, the worker's cwd;
// "parlab" is this parlab, as in the notebook (the folder need not have it installed).
const requireFromNotebook = createRequire(path.join(process.cwd(), "[shipped function]"));
let parlab: Record<string, unknown> | undefined;
const requireInWorker = Object.assign((id: string) => (id === "parlab" && parlab ? parlab : requireFromNotebook(id)), requireFromNotebook) as NodeJS.Require;
const compiled = new Map<string, (...args: unknown[]) => unknown>();
// A pool's child process has its own lane, which the async helpers it runs use too; in a thread,
// the thread's lane.
const lane: Lane = runsInPoolProcess();

// A worker thread that calls process.exit() ends without an error: tinypool never hears of it,
// never settles its task and goes on sending tasks to the dead thread. So exiting throws instead:
// during a task it fails the task; from a timer after it, the uncaught error ends the thread the
// way tinypool notices, and the pool replaces it.
const realExit = process.exit;
let runningTask: string | undefined;
if (!isMainThread) {
  process.exit = ((code?: number) => {
    // Node itself exits a thread this way after an uncaught error; that error already reached tinypool.
    if (new Error().stack?.includes("_fatalException")) return realExit(code);
    const where = `process.exit(${code ?? ""}) was called in ${lane.lane}`;
    if (runningTask === undefined) throw new Error(`${where} after its task ended: a pool's thread cannot exit, so it is ended and replaced`);
    throw new Error(`${where}: a pool's thread cannot exit, so the task fails instead`);
  }) as typeof process.exit;
}

// A child process's uncaught error (a timer's throw, a rejection nobody handled) would be printed
// by Node to the child's stderr, which tinypool pipes to the parent's (in the kernel: the cell
// that happened to start the child), and its task would fail with tinypool's bare "Worker exited
// unexpectedly". So the child sends the error over its IPC channel, behind the output its tasks
// sent, and exits once it is written: the pool then names it in the task's error (child-death.ts).
// A handler the function installed itself keeps Node's rule: the error is handled, nothing ends.
let exiting = false;
if (isMainThread && process.send) {
  process.on("uncaughtException", (error) => {
    if (process.listenerCount("uncaughtException") > 1) return;
    exiting = true;
    const report: CrashReport = { crashed: describeThrown(error), pid: process.pid };
    try {
      process.send!(report, () => realExit(1));
    } catch {
      realExit(1); // no channel left: nobody to tell
    }
  });
}

// `import()` and `import.meta` in a cell's function reach the worker rewritten by the kernel, as
// `__parlab.import(x)` and `__parlab.importMeta`; here they resolve from the notebook's folder as
// in the kernel (ESM-only packages, local .ts files, "parlab" itself).
interface WorkerRuntime {
  import(specifier: unknown): Promise<unknown>;
  importMeta: { url: string; dirname: string; filename: string; resolve(specifier: string): string };
}
let runtime: WorkerRuntime | undefined;

async function loadRuntime(): Promise<WorkerRuntime> {
  const { ModuleLoader } = await import("../../kernel/runtime/module-loader.js");
  const notebook = path.join(process.cwd(), "notebook.ts");
  const modules = new ModuleLoader(process.cwd(), {
    parlab: new URL("../index.js", import.meta.url).href,
    tslab: new URL("../../kernel/runtime/tslab.js", import.meta.url).href,
  });
  return {
    import: (specifier) => modules.import(specifier),
    importMeta: { url: pathToFileURL(notebook).href, dirname: process.cwd(), filename: notebook, resolve: (specifier) => modules.resolve(specifier) },
  };
}

async function compile(fn: ShippedFunction): Promise<(...args: unknown[]) => unknown> {
  let callable = compiled.get(fn.id);
  if (!callable) {
    if (fn.needsParlab) parlab ??= (await import("../index.js")) as Record<string, unknown>;
    if (fn.needsRuntime) runtime ??= await loadRuntime();
    // The notebook's parlab imports, rebuilt from the worker's own parlab.
    const bindings = Object.entries(fn.parlab).map(([local, exported]) => `${local} = __exports${exported === "*" ? "" : `[${JSON.stringify(exported)}]`}`);
    // One line of wrapper, so line numbers in a stack trace are the function's own.
    const wrapped = `(function (require, __exports, __parlab) { "use strict"; ${bindings.length > 0 ? `const ${bindings.join(", ")}; ` : ""}return (${fn.source}\n); })`;
    const factory = runInThisContext(wrapped, { filename: `${fn.name}.shipped.js` }) as (load: NodeJS.Require, exports: unknown, kernelRuntime: unknown) => (...args: unknown[]) => unknown;
    callable = factory(requireInWorker, parlab, runtime);
    compiled.set(fn.id, callable);
  }
  return callable;
}

// One console per worker, installed at its first task: a new Console per task cost ~20 µs, a
// quarter of a trivial task's time in the worker. Each write goes to the task whose code made it,
// which async context tells: a timer a task left behind still prints for that task, not for the
// one the worker runs when it fires.
let taskOutput: OutputChunk[] = [];
const taskOf = new AsyncLocalStorage<string>();
/** The running task's output key: its writes are counted, so the task settles after they are shown. */
let liveKey: string | undefined;
let liveChunks = 0;
// Threads share the process, so a broadcast channel reaches the main thread without a port to
// pass; a child process has its IPC channel, the same one its results take, so order is kept.
const liveChannel = isMainThread ? undefined : new BroadcastChannel(LIVE_OUTPUT_CHANNEL);
liveChannel?.unref();
const sendLive: ((message: LiveMessage) => void) | undefined = liveChannel
  ? (chunk) => liveChannel.postMessage(chunk)
  : process.send ? (chunk) => process.send!(chunk) : undefined;
function capture(stream: OutputChunk["stream"]): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const text = chunk.toString();
      const key = taskOf.getStore();
      if (key === undefined || (!sendLive && key !== liveKey)) {
        // Not written by any task's code (or nowhere to send a finished task's): the worker's own
        // output, as it would be without a pool.
        (stream === "stdout" ? process.stdout : process.stderr).write(text);
        done(); // at once, as below: a write left waiting would run the next one outside its task
        return;
      }
      if (sendLive) {
        sendLive({ key, stream, text, lane: lane.lane });
        if (key === liveKey) liveChunks++;
      } else {
        taskOutput.push({ stream, text });
      }
      done();
    },
  });
}
const taskConsole = new Console({ stdout: capture("stdout"), stderr: capture("stderr") });

export default async function runTask(request: TaskRequest | Refill): Promise<TaskResult | ChunkResult | undefined> {
  if ("refill" in request) return undefined;
  if (request.announceStart) sendLive?.({ key: request.outputKey, started: true });
  const result = "chunk" in request ? await runChunk(request.fn, request.chunk, request.outputKey) : await runCall(request.fn, request, request.outputKey);
  // An uncaught error is ending this process: its task fails with that error, so no result goes
  // out while the report is being written.
  if (exiting) await new Promise(() => undefined);
  return result;
}

async function runChunk(fn: ShippedFunction, chunk: Call[], outputKey: string): Promise<ChunkResult> {
  const results: TaskResult[] = [];
  for (const call of chunk) results.push(await runCall(fn, call, outputKey));
  return { chunk: results };
}

async function runCall(fn: ShippedFunction, { args, task }: Call, outputKey: string): Promise<TaskResult> {
  const output: OutputChunk[] = (taskOutput = []);
  liveKey = outputKey;
  liveChunks = 0;
  globalThis.console = taskConsole;
  runningTask = task;
  const start = now();
  try {
    const callable = await compile(fn);
    const value = await taskOf.run(outputKey, () => callable(...args));
    const unsendable = whyNotCloneable(value);
    if (unsendable) throw dataCloneError(`the return value of ${task} cannot be sent back from ${lane.lane}`, unsendable);
    return { ok: true, value, span: { task, ...lane, start, end: now() }, output, liveChunks };
  } catch (thrown) {
    const error = describeThrown(thrown);
    return { ok: false, error, span: { task, ...lane, start, end: now(), error: error.message }, output, liveChunks };
  } finally {
    runningTask = undefined;
    liveKey = undefined;
  }
}

function describeThrown(thrown: unknown): WorkerError {
  // `throw { code: 42 }` shows as the object, not "[object Object]".
  const error: WorkerError = thrown instanceof Error
    ? { name: thrown.name, message: thrown.message, stack: thrown.stack ?? `${thrown.name}: ${thrown.message}` }
    : { name: "Error", message: inspect(thrown), stack: `Error: ${inspect(thrown)}` };
  if (typeof thrown !== "object" || thrown === null) return error;
  const properties: Record<string, unknown> = {};
  for (const key of [...Object.keys(thrown), "cause"]) {
    if (key === "name" || key === "message" || key === "stack" || !Object.hasOwn(thrown, key)) continue;
    const value = (thrown as Record<string, unknown>)[key];
    if (whyNotCloneable(value) === undefined) properties[key] = value;
  }
  if (Object.keys(properties).length > 0) error.properties = properties;
  return error;
}
