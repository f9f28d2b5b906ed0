// The pools without a kernel: shipping cell functions, isolation, failures, cancelling, spans.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ProcessPool, TaskError, ThreadPool } from "../src/pool/pool.js";
import { Process, Thread } from "../src/pool/single.js";
import { UnshippableFunctionError } from "../src/pool/shipped-function.js";
import { SpanRecorder } from "../src/measure/spans.js";

/**
 * What is written to `stream` as text while `work` runs; `onText` sees each write as it comes.
 * On stdout the test runner's own reports travel as binary chunks: those pass through, or the
 * results of the tests around this one would be lost. On stderr a child's output comes piped, as
 * bytes: it is text to capture.
 */
async function capturing<T>(stream: "stdout" | "stderr", work: () => Promise<T>, onText: (text: string) => void = () => undefined): Promise<{ value: T; text: string }> {
  const target = process[stream];
  const written: string[] = [];
  const original = target.write.bind(target);
  target.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk !== "string" && stream === "stdout") return original(chunk, ...rest);
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    written.push(text);
    onText(text);
    return true;
  }) as typeof target.write;
  try {
    const value = await work();
    return { value, text: written.join("") };
  } finally {
    target.write = original;
  }
}

const capturingStdout = <T>(work: () => Promise<T>, onText?: (text: string) => void) => capturing("stdout", work, onText);
const capturingStderr = <T>(work: () => Promise<T>, onText?: (text: string) => void) => capturing("stderr", work, onText);

function fib(n: number): number {
  const go = (k: number): number => (k < 2 ? k : go(k - 1) + go(k - 2));
  return go(n);
}

test("a thread pool maps a cell function over items, in order, on several threads", async (t) => {
  const recorder = new SpanRecorder();
  const pool = new ThreadPool({ maxWorkers: 2, recorder });
  t.after(() => pool.close());
  assert.deepEqual(await pool.map(fib, [10, 15, 20, 1]), [55, 610, 6765, 1]);
  assert.equal(recorder.spans.length, 4);
  for (const span of recorder.spans) {
    assert.equal(span.laneKind, "thread");
    assert.match(span.lane, /^thread \d+$/);
    assert.ok(span.end >= span.start);
  }
});

test("a function using a variable of its surroundings is refused, naming the variable", () => {
  const pool = new ThreadPool({ maxWorkers: 1 });
  const rate = 3;
  assert.throws(() => pool.submit((x: number) => x * rate, 2), (error: Error) => {
    assert.ok(error instanceof UnshippableFunctionError);
    assert.match(error.message, /'rate'/);
    assert.match(error.message, /argument/);
    return true;
  });
  return pool.close();
});

test("globals and require() inside the function are fine", async (t) => {
  const pool = new ThreadPool({ maxWorkers: 1 });
  t.after(() => pool.close());
  const hash = await pool.submit((text: string) => {
    const { createHash } = require("node:crypto") as typeof import("node:crypto");
    return createHash("sha1").update(text).digest("hex").length + Math.max(1, 2);
  }, "abc");
  assert.equal(hash, 42);
});

test("an error in a task surfaces with the worker's stack, and the pool keeps working", async (t) => {
  const pool = new ThreadPool({ maxWorkers: 1 });
  t.after(() => pool.close());
  await assert.rejects(pool.submit(function explode() { throw new RangeError("too far"); }).result(), (error: Error) => {
    assert.ok(error instanceof TaskError);
    assert.equal(error.name, "RangeError");
    assert.equal(error.message, "too far");
    assert.match(error.stack ?? "", /^RangeError: too far\n    at explode \(explode\.shipped\.js:1:\d+\)/);
    assert.match(error.stack ?? "", /at explode #\d+ \(in thread \d+\)$/);
    return true;
  });
  await assert.rejects(pool.submit(() => process.exit(3)).result(), /process\.exit\(3\)/);
  await assert.rejects(pool.submit(() => { setTimeout(() => { throw new Error("late crash"); }, 1); return new Promise(() => undefined); }).result(), /late crash/);
  assert.equal(await pool.submit((n: number) => n * 2, 21), 42);
});

test("a per-task timeout stops a runaway task, and cancel() stops a queued one", async (t) => {
  const pool = new ThreadPool({ maxWorkers: 1 });
  t.after(() => pool.close());
  await assert.rejects(pool.submitWith({ timeoutMs: 100 }, () => { for (;;) { /* spin */ } }).result(), { name: "TimeoutError" });
  const blocker = pool.submitWith({ timeoutMs: 30_000 }, (ms: number) => { const end = Date.now() + ms; while (Date.now() < end) { /* busy */ } return "blocker"; }, 300);
  const queued = pool.submit(() => "should not run");
  assert.equal(queued.cancel(), true);
  await assert.rejects(queued.result(), { name: "AbortError" });
  assert.equal(await blocker, "blocker");
  const controller = new AbortController();
  const aborted = pool.submitWith({ signal: controller.signal }, () => new Promise(() => undefined));
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(aborted.result(), { name: "AbortError" });
  assert.equal(await pool.submit(() => "still working"), "still working");
});

test("timeoutMs counts from when a task starts running, not from when it was queued", async (t) => {
  // Six waves of 200 ms on two workers: the last items start well after 1000 ms from submission,
  // yet none runs longer than 200 ms. Chunked or not, no item may time out.
  const pool = new ThreadPool({ maxWorkers: 2 });
  t.after(() => pool.close());
  const busy = (ms: number) => { const end = Date.now() + ms; while (Date.now() < end) { /* busy */ } return ms; };
  assert.deepEqual(await pool.map(busy, Array(12).fill(200), { timeoutMs: 1000 }), Array(12).fill(200));
  assert.deepEqual(await pool.map(busy, Array(6).fill(100), { timeoutMs: 1000, chunksize: 2 }), Array(6).fill(100));
  await assert.rejects(pool.map(() => { for (;;) { /* spin */ } }, [1, 2], { timeoutMs: 100, chunksize: 2 }), { name: "TimeoutError" });
  for (const timeoutMs of [-5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
    assert.throws(() => pool.submitWith({ timeoutMs }, () => 1), /^RangeError: timeoutMs must be a number of milliseconds from 0 to 2147483647/);
    assert.throws(() => pool.map((x: number) => x, [1], { timeoutMs }), /timeoutMs must be/);
  }
});

test("an unreasonable maxWorkers is refused, naming the bound", () => {
  for (const maxWorkers of [0, 1.5, 1025, 2 ** 32]) {
    assert.throws(() => new ThreadPool({ maxWorkers }), { name: "RangeError", message: `maxWorkers must be a whole number from 1 to 1024, got ${maxWorkers}` });
    assert.throws(() => new ProcessPool({ maxWorkers }), /from 1 to 1024/);
  }
  return new ThreadPool({ maxWorkers: 1024 }).close();
});

test("processes do not share memory: a child's write to a global is not seen by the parent", async (t) => {
  const recorder = new SpanRecorder();
  const pool = new ProcessPool({ maxWorkers: 2, recorder });
  t.after(() => pool.close());
  (globalThis as { counter?: number }).counter = 0;
  const results = await pool.map(function bump(n: number) {
    const scope = globalThis as { counter?: number };
    scope.counter = (scope.counter ?? 0) + n;
    return { pid: process.pid, counter: scope.counter };
  }, [5, 7]);
  assert.equal((globalThis as { counter?: number }).counter, 0);
  for (const result of results) assert.notEqual(result.pid, process.pid);
  assert.deepEqual(await pool.starmap((a: number, b: number) => a * b, [[2, 3], [4, 5]]), [6, 20]);
  assert.equal(await pool.apply((a: string) => a.toUpperCase(), ["x"]), "X");
  assert.ok(recorder.spans.every((span) => span.laneKind === "process" && /^process \d+$/.test(span.lane)));
  await assert.rejects(pool.submit(() => process.exit(2)).result(), /exited with code 2$/);
  assert.equal(await pool.submit(() => "alive"), "alive");
});

test("a child process that dies says how: its exit code, its signal, or the uncaught error it threw; the pool goes on", async (t) => {
  // tinypool says "Worker exited unexpectedly" for all three; Node printed the uncaught error on
  // the child's stderr, piped into the parent's.
  const pool = new ProcessPool({ maxWorkers: 1 });
  t.after(() => pool.close());
  await assert.rejects(pool.submit(function quits() { process.exit(3); }).result(), {
    name: "WorkerCrashError", message: /^the process running quits #\d+ exited with code 3$/, exitCode: 3, signal: null,
  });
  await assert.rejects(pool.submit(function isKilled() { process.kill(process.pid, "SIGKILL"); }).result(), {
    name: "WorkerCrashError", message: /^the process running isKilled #\d+ was killed by SIGKILL$/, exitCode: null, signal: "SIGKILL",
  });
  const { value: crash, text } = await capturingStderr(() => pool.submit(function leavesAThrow() {
    setTimeout(() => { throw new RangeError("async boom"); });
    return new Promise(() => undefined);
  }).result().then(() => assert.fail("the task succeeded"), (error: Error) => error));
  assert.equal(crash.name, "WorkerCrashError");
  assert.match(crash.message, /^the process running leavesAThrow #\d+ threw RangeError: async boom \(uncaught: the process ended\)$/);
  assert.match(crash.stack ?? "", /\n    at Timeout\._onTimeout \(leavesAThrow\.shipped\.js:\d+:\d+\)\n/, "where the child threw, not the pool's frames");
  const cause = crash.cause;
  assert.ok(cause instanceof TaskError, "the child's error is the cause");
  assert.equal(cause.name, "RangeError");
  assert.equal(cause.message, "async boom");
  assert.match(cause.stack ?? "", /^RangeError: async boom\n    at Timeout\._onTimeout \(leavesAThrow\.shipped\.js:\d+:\d+\)/);
  assert.match(cause.stack ?? "", /at leavesAThrow #\d+ \(in process \d+\)$/);
  assert.doesNotMatch(text, /async boom/, "the error is not also printed by the child's Node");
  assert.equal(await pool.submit(() => "alive"), "alive");
});

test("a thread that dies of an uncaught error says what it threw, as a child process does; the pool goes on", async (t) => {
  // It said "died: async boom" above the pool's own frames, and "died: undefined" for a thrown object.
  const pool = new ThreadPool({ maxWorkers: 1 });
  t.after(() => pool.close());
  const crash = await pool.submit(function leavesAThrow() {
    setTimeout(() => { throw new RangeError("async boom"); });
    return new Promise(() => undefined);
  }).result().then(() => assert.fail("the task succeeded"), (error: Error) => error);
  assert.equal(crash.name, "WorkerCrashError");
  assert.match(crash.message, /^the thread running leavesAThrow #\d+ threw RangeError: async boom \(uncaught: the thread ended\)$/);
  assert.match(crash.stack ?? "", /\n    at Timeout\._onTimeout \(leavesAThrow\.shipped\.js:\d+:\d+\)\n/, "where the thread threw, not the pool's frames");
  assert.ok(crash.cause instanceof TaskError);
  assert.equal(crash.cause.name, "RangeError");
  await assert.rejects(pool.submit(function throwsAnObject() {
    setTimeout(() => { throw { code: 42 }; });
    return new Promise(() => undefined);
  }).result(), { name: "WorkerCrashError", message: /^the thread running throwsAnObject #\d+ threw \{ code: 42 \} \(uncaught: the thread ended\)$/ });
  assert.equal(await pool.submit(() => "alive"), "alive");
});

test("a child process that throws between tasks is reported with its error and its frames, and replaced", async (t) => {
  const pool = new ProcessPool({ maxWorkers: 1 });
  t.after(() => pool.close());
  let reported: () => void;
  const report = new Promise<void>((resolve) => { reported = resolve; });
  const { text } = await capturingStderr(async () => {
    assert.equal(await pool.submit(function leavesALateThrow() { setTimeout(() => { throw new Error("late boom"); }, 10); return 1; }), 1);
    // An idle pool's children keep nothing alive: this timer does, until the report (20 s at most).
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([report, new Promise((resolve) => { bound = setTimeout(resolve, 20_000); })]);
    clearTimeout(bound);
  }, (written) => { if (written.includes("between tasks")) reported(); });
  assert.match(text, /^a process of this pool \(process \d+\) threw Error: late boom \(uncaught: the process ended\) between tasks\n    at Timeout\._onTimeout \(leavesALateThrow\.shipped\.js:\d+:\d+\)\n/);
  assert.equal((text.match(/late boom/g) ?? []).length, 1, `printed once: ${text}`);
  assert.equal(await pool.submit(() => "alive"), "alive");
});

test("Thread and Process start, join and return the result", async () => {
  const thread = new Thread(fib, [12]).start();
  const child = new Process((a: number, b: number) => a + b, [1, 2]).start();
  assert.equal(await thread.join(), 144);
  assert.equal(await child.join(), 3);
  assert.throws(() => thread.start(), /started once/);
  await assert.rejects(new Thread(fib, [1]).join(), /start\(\) first/);
});

for (const kind of ["thread", "process"] as const) {
  test(`a ${kind}'s output shows while its task still runs, and all of it before the task settles`, async (t) => {
    // The task prints, then waits (20 s at most) for a file the main thread writes only once it
    // has seen that line. Shown only at the task's end, the line could never be seen first.
    const seenFile = path.join(mkdtempSync(path.join(os.tmpdir(), "parlab-live-")), "seen");
    const pool = kind === "thread" ? new ThreadPool({ maxWorkers: 1 }) : new ProcessPool({ maxWorkers: 1 });
    t.after(() => pool.close());
    const { value: sawTheFile, text } = await capturingStdout(() => pool.submit((file: string) => {
      const fs = require("node:fs");
      console.log("waiting for the main thread");
      const gate = new Int32Array(new SharedArrayBuffer(4));
      for (let i = 0; i < 200 && !fs.existsSync(file); i++) Atomics.wait(gate, 0, 0, 100);
      console.log("done waiting");
      return fs.existsSync(file) as boolean;
    }, seenFile).result(), (text) => {
      if (text.includes("waiting for the main thread")) writeFileSync(seenFile, "seen");
    });
    assert.equal(sawTheFile, true, "the main thread saw the line while the task was still running");
    // The last line came before the task settled, though after the first.
    assert.ok(text.indexOf("waiting for the main thread") < text.indexOf("done waiting") && text.includes("done waiting\n"), text);
  });
}

test("what a thread or a child process prints reaches the caller, labelled by lane when asked", async (t) => {
  const pool = new ThreadPool({ maxWorkers: 1, labelOutput: true });
  const processes = new ProcessPool({ maxWorkers: 1, labelOutput: true });
  t.after(() => Promise.all([pool.close(), processes.close()]));
  const { text } = await capturingStdout(async () => {
    await pool.submit(() => { console.log("first line"); console.log("second line"); });
    await processes.submit(() => { console.log("from a child"); });
  });
  assert.match(text, /\[(thread \d+)\] first line\n\[\1\] second line\n/);
  assert.match(text, /\[process \d+\] from a child\n/);
});

test("map names its tasks after the name option, numbered by item", async (t) => {
  const recorder = new SpanRecorder();
  const pool = new ThreadPool({ maxWorkers: 2, recorder });
  t.after(() => pool.close());
  assert.deepEqual(await pool.map((n: number) => n * 2, [1, 2, 3], { name: "double" }), [2, 4, 6]);
  assert.deepEqual(recorder.spans.map((span) => span.task).sort(), ["double 1", "double 2", "double 3"]);
});

test("a long map goes to the workers in chunks, yet every item keeps its own span, name and output", async (t) => {
  const recorder = new SpanRecorder();
  const pool = new ThreadPool({ maxWorkers: 2, recorder });
  t.after(() => pool.close());
  const items = Array.from({ length: 1000 }, (_, i) => i);
  const { value: doubled, text } = await capturingStdout(() =>
    pool.map((n: number) => { if (n % 250 === 0) console.log(`item ${n}`); return n * 2; }, items, { name: "double" }));
  assert.deepEqual(doubled, items.map((n) => n * 2));
  assert.equal(recorder.spans.length, 1000);
  assert.deepEqual(new Set(recorder.spans.map((span) => span.task)), new Set(items.map((n) => `double ${n + 1}`)));
  // Chunks run in parallel, so only the set of lines is fixed, not their order across chunks.
  assert.deepEqual(text.match(/item \d+\n/g)?.sort(), ["item 0\n", "item 250\n", "item 500\n", "item 750\n"]);
  await assert.rejects(pool.map((n: number) => { if (n === 700) throw new RangeError("bad item"); return n; }, items, { name: "check" }),
    (error: Error) => error instanceof TaskError && error.name === "RangeError" && /at check 701 \(in thread \d+\)/.test(error.stack ?? ""));
  assert.throws(() => pool.map((n: number) => n, items, { chunksize: 0 }), /chunksize must be a whole number/);
});
