// Runs shipped functions inside a pool's worker thread or child process. Each function is
// compiled once per worker (recompiling per call made CPU work ~60 % slower), and what it
// prints is collected per task and sent back, so the main side can show it in the cell that
// asked for the work, even when the worker was started by an earlier cell.
import { Console } from "node:console";
import { createRequire } from "node:module";
import path from "node:path";
import { Writable } from "node:stream";
import { runInThisContext } from "node:vm";
import { isMainThread } from "node:worker_threads";
import { currentLane, type Lane } from "../measure/recorder.js";
import { now, type Span } from "../measure/spans.js";
import type { ShippedFunction } from "./shipped-function.js";

export interface Call {
  args: unknown[];
  task: string;
}

/** One call, or a chunk of calls run one after another (a map's items, sent together). */
export type TaskRequest = { fn: ShippedFunction } & (Call | { chunk: Call[] });

export interface OutputChunk {
  stream: "stdout" | "stderr";
  text: string;
}

export type TaskResult =
  | { ok: true; value: unknown; span: Span; output: OutputChunk[] }
  | { ok: false; error: { name: string; message: string; stack: string }; span: Span; output: OutputChunk[] };

export type ChunkResult = { chunk: TaskResult[] };

// Shipped functions may require() packages: resolved from the notebook's folder, the worker's cwd.
const requireFromNotebook = createRequire(path.join(process.cwd(), "[shipped function]"));
const compiled = new Map<string, (...args: unknown[]) => unknown>();
// A pool's child process has its own lane; in a thread, the same lane the async helpers use.
const lane: Lane = isMainThread ? { lane: `process ${process.pid}`, laneKind: "process" } : currentLane();

// A worker thread that calls process.exit() ends without an error, and tinypool then never
// settles its task. So while a task runs in a thread, exiting fails the task instead.
const realExit = process.exit;
const exitFailsTask = ((code?: number) => {
  // Node itself exits a thread this way after an uncaught error; that error already fails the task.
  if (new Error().stack?.includes("_fatalException")) return realExit(code);
  throw new Error(`process.exit(${code ?? ""}) was called in ${lane.lane}: a pool's thread cannot exit, so the task fails instead`);
}) as typeof process.exit;

function compile(fn: ShippedFunction): (...args: unknown[]) => unknown {
  let callable = compiled.get(fn.id);
  if (!callable) {
    // One line of wrapper, so line numbers in a stack trace are the function's own.
    const wrapped = `(function (require) { "use strict"; return (${fn.source}\n); })`;
    const factory = runInThisContext(wrapped, { filename: `${fn.name}.shipped.js` }) as (load: NodeJS.Require) => (...args: unknown[]) => unknown;
    callable = factory(requireFromNotebook);
    compiled.set(fn.id, callable);
  }
  return callable;
}

// One console per worker, writing into the running task's list: a new Console per task cost
// ~20 µs, a quarter of a trivial task's time in the worker. A worker runs one task at a time.
let taskOutput: OutputChunk[] = [];
function capture(stream: OutputChunk["stream"]): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      taskOutput.push({ stream, text: chunk.toString() });
      done();
    },
  });
}
const taskConsole = new Console({ stdout: capture("stdout"), stderr: capture("stderr") });

export default async function runTask(request: TaskRequest): Promise<TaskResult | ChunkResult> {
  if (!("chunk" in request)) return runCall(request.fn, request);
  const results: TaskResult[] = [];
  for (const call of request.chunk) results.push(await runCall(request.fn, call));
  return { chunk: results };
}

async function runCall(fn: ShippedFunction, { args, task }: Call): Promise<TaskResult> {
  const output: OutputChunk[] = (taskOutput = []);
  const original = globalThis.console;
  globalThis.console = taskConsole;
  if (!isMainThread) process.exit = exitFailsTask;
  const start = now();
  try {
    const value = await compile(fn)(...args);
    return { ok: true, value, span: { task, ...lane, start, end: now() }, output };
  } catch (thrown) {
    const error = thrown instanceof Error
      ? { name: thrown.name, message: thrown.message, stack: thrown.stack ?? `${thrown.name}: ${thrown.message}` }
      : { name: "Error", message: String(thrown), stack: String(thrown) };
    return { ok: false, error, span: { task, ...lane, start, end: now(), error: error.message }, output };
  } finally {
    globalThis.console = original;
    process.exit = realExit;
  }
}
