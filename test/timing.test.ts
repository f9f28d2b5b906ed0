// timeit, bench and compare. Durations on this small, noisy machine are never asserted: only
// counts, orders, which spans land where, and the text of results built from known numbers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { gather, sleep } from "../src/async.js";
import { defaultRecorder } from "../src/measure/recorder.js";
import { Comparison, Timing, bench, compare, summarize, timeit } from "../src/measure/timing.js";
import { SpanRecorder } from "../src/measure/spans.js";

// A helper that never settles (e.g. a close() that waits forever) fails instead of hanging the run.
const BOUNDED = { timeout: 20_000 };

test("summarize: min, median (mean of the middle two for an even count), max", BOUNDED, () => {
  assert.deepEqual(summarize([3, 1, 2]), { min: 1, median: 2, max: 3 });
  assert.deepEqual(summarize([4, 1, 3, 2]), { min: 1, median: 2.5, max: 4 });
  assert.deepEqual(summarize([7]), { min: 7, median: 7, max: 7 });
  assert.throws(() => summarize([]), /no values/);
  assert.throws(() => summarize([3, NaN, 1, 2]), /summarize: values\[1\] is not a number, got NaN/);
  assert.throws(() => summarize([1, "2" as never]), /summarize: values\[1\] is not a number, got 2/);
  assert.deepEqual(summarize([2, Infinity, -1]), { min: -1, median: 2, max: Infinity });
});

test("timeit runs warm-up plus repeat × number calls and summarises the measured runs", BOUNDED, async () => {
  let calls = 0;
  const timing = await timeit(function work() {
    calls++;
  }, { repeat: 4, warmup: 2, number: 3 });
  assert.equal(calls, (2 + 4) * 3);
  assert.equal(timing.runsMs.length, 4);
  assert.equal(timing.name, "work");
  assert.ok(timing.runsMs.every((ms) => ms >= 0));
  assert.ok(timing.min <= timing.median && timing.median <= timing.max);
  assert.deepEqual({ min: timing.min, median: timing.median, max: timing.max }, summarize(timing.runsMs));
  assert.equal((await timeit(() => {}, { repeat: 1, warmup: 0 })).name, "timed function");
});

test("timeit awaits async functions: calls never overlap", BOUNDED, async () => {
  let running = 0;
  let most = 0;
  let calls = 0;
  const before = defaultRecorder().spans.length;
  await timeit(async () => {
    most = Math.max(most, ++running);
    calls++;
    await sleep(2);
    running--;
  }, { repeat: 3, warmup: 1, number: 2 });
  assert.equal(calls, 8);
  assert.equal(most, 1);
  assert.equal(defaultRecorder().spans.length, before, "spans recorded while timing do not pile up in the default recorder");
});

test("timeit and bench results read as text and survive JSON", BOUNDED, async () => {
  const timing = await bench("sum", () => [1, 2, 3].reduce((a, b) => a + b), { repeat: 3, warmup: 0 });
  assert.equal(timing.name, "sum");
  assert.match(String(timing), /^sum: median [\d.]+ ms \(min [\d.]+, max [\d.]+; 3 runs, 0 warm-up\)$/);
  assert.equal(inspect(timing), String(timing));
  assert.equal(String(new Timing("once", 1, 0, 1, [2])), "once: median 2.00 ms (min 2.00, max 2.00; 1 run, 0 warm-up)");
  assert.match(String(new Comparison(1, 0, 1, { a: new Timing("a", 1, 0, 1, [2]) }, [])), /^1 interleaved round, 0 warm-up, 1 call per run\n/);
  const display = (timing as unknown as Record<symbol, () => unknown>)[Symbol.for("Jupyter.display")]!();
  assert.deepEqual(display, { "text/plain": String(timing) });
  const json = JSON.parse(JSON.stringify(timing)) as Record<string, unknown>;
  assert.deepEqual(
    { ...json },
    { name: "sum", repeat: 3, warmup: 0, number: 1, runsMs: timing.runsMs, unit: "ms", min: timing.min, median: timing.median, max: timing.max },
  );
});

test("timeit: bad options and failing functions give errors that name them", BOUNDED, async () => {
  const work = () => {};
  await assert.rejects(timeit(work, { repeat: 0 }), /timeit: option "repeat" must be an integer >= 1, got 0/);
  await assert.rejects(timeit(work, { warmup: -1 }), /timeit: option "warmup" must be an integer >= 0, got -1/);
  await assert.rejects(timeit(work, { number: 1.5 }), /timeit: option "number" must be an integer >= 1, got 1.5/);
  await assert.rejects(timeit(work, { repeats: 3 } as never), /timeit: unknown option "repeats"/);
  await assert.rejects(timeit(42 as never), /timeit: expected a function to time, got number/);
  const boom = new Error("boom");
  const error = await timeit(() => {
    throw boom;
  }, { name: "parse", warmup: 1 }).catch((e: unknown) => e);
  assert.ok(error instanceof Error);
  assert.equal(error.message, 'timeit: "parse" failed on warm-up run 1: boom');
  assert.equal(error.cause, boom);
});

test("compare interleaves the variants round by round, warm-up included", BOUNDED, async () => {
  const log: string[] = [];
  const comparison = await compare({
    a: () => void log.push("a"),
    b: async () => {
      log.push("b");
      await sleep(1);
    },
    c: () => void log.push("c"),
  }, { repeat: 3, warmup: 2 });
  assert.deepEqual(log, Array(5).fill(["a", "b", "c"]).flat());
  assert.deepEqual(comparison.runs.map((run) => `${run.variant}${run.repeat}`), ["a0", "b0", "c0", "a1", "b1", "c1", "a2", "b2", "c2"]);
  for (let i = 1; i < comparison.runs.length; i++) {
    assert.ok(comparison.runs[i]!.start >= comparison.runs[i - 1]!.end, "runs never overlap");
  }
  for (const name of ["a", "b", "c"] as const) {
    const timing = comparison.variants[name];
    assert.equal(timing.name, name);
    assert.deepEqual(timing.runsMs, comparison.runs.filter((run) => run.variant === name).map((run) => run.ms));
  }
  assert.ok(["a", "b", "c"].includes(comparison.fastest));
});

test("compare gives each run the spans its helpers recorded, and only those", BOUNDED, async () => {
  const before = defaultRecorder().spans.length;
  const run = (label: string) =>
    compare({
      one: () => sleep(3, { name: `${label} one` }),
      two: () => gather(() => sleep(2), () => sleep(2), { name: `${label} two` }),
    }, { repeat: 2, warmup: 1 });
  // Two comparisons at once, as two cells could: neither sees the other's spans.
  const [x, y] = await Promise.all([run("x"), run("y")]);
  for (const [label, comparison] of [["x", x], ["y", y]] as const) {
    assert.equal(comparison.runs.length, 4);
    for (const r of comparison.runs) {
      const expected = r.variant === "one" ? [`${label} one`] : [`${label} two #1`, `${label} two #2`];
      assert.deepEqual(r.spans.map((s) => s.task).sort(), expected);
      for (const span of r.spans) assert.ok(span.start >= r.start && span.end <= r.end, `${span.task} lies outside its run`);
    }
  }
  assert.equal(defaultRecorder().spans.length, before);
});

test("compare: a failing variant is named with its round; bad arguments are named", BOUNDED, async () => {
  let calls = 0;
  const boom = new Error("boom");
  const error = await compare({
    fine: () => {},
    flaky: () => {
      if (++calls === 3) throw boom;
    },
  }, { repeat: 3, warmup: 1 }).catch((e: unknown) => e);
  assert.ok(error instanceof Error);
  assert.equal(error.message, 'compare: variant "flaky" failed on round 2 of 3: boom');
  assert.equal(error.cause, boom);
  await assert.rejects(compare({}), /compare: no variants/);
  await assert.rejects(compare({ a: 1 } as never), /compare: variant "a" is not a function \(got number\)/);
  await assert.rejects(compare({ a: () => {} }, { repeat: 0 }), /compare: option "repeat" must be an integer >= 1, got 0/);
  await assert.rejects(compare({ a: () => {} }, { name: "x" } as never), /compare: unknown option "name"/);
});

test("a comparison prints as a table relative to the fastest median and survives JSON", BOUNDED, () => {
  const comparison = new Comparison(3, 1, 1, {
    loop: new Timing("loop", 3, 1, 1, [3, 4, 500]),
    threads: new Timing("threads", 3, 1, 1, [1.5, 2, 9]),
    processes: new Timing("processes", 3, 1, 1, [0.25, 0.5, 0.75]),
  }, []);
  assert.equal(comparison.fastest, "processes");
  assert.equal(
    String(comparison),
    [
      "3 interleaved rounds, 1 warm-up, 1 call per run",
      "variant    min ms  median ms  max ms  × fastest",
      "loop         3.00       4.00   500.0       8.00",
      "threads      1.50       2.00    9.00       4.00",
      "processes   0.250      0.500   0.750       1.00",
    ].join("\n"),
  );
  assert.equal(inspect(comparison), String(comparison));
  const json = JSON.parse(JSON.stringify(comparison)) as { fastest: string; variants: Record<string, { median: number }>; runs: unknown[] };
  assert.equal(json.fastest, "processes");
  assert.equal(json.variants["threads"]!.median, 2);
  assert.deepEqual(json.runs, []);
});

test("a recorder with a limit keeps only its newest spans", () => {
  const recorder = new SpanRecorder(10);
  for (let i = 0; i < 25; i++) recorder.add({ task: `t${i}`, lane: "main loop", laneKind: "loop", start: i, end: i + 1 });
  assert.ok(recorder.spans.length <= 10);
  assert.equal(recorder.spans.at(-1)!.task, "t24");
  assert.ok(recorder.spans.every((span, i, all) => i === 0 || span.start > all[i - 1]!.start));
});

test("a recorder with a limit of 1 keeps the newest span; a limit that is no count is refused", () => {
  const recorder = new SpanRecorder(1);
  for (let i = 0; i < 3; i++) {
    recorder.add({ task: `t${i}`, lane: "main loop", laneKind: "loop", start: i, end: i + 1 });
    assert.deepEqual(recorder.spans.map((span) => span.task), [`t${i}`]);
  }
  for (const limit of [0, -5, NaN, 2.5]) {
    assert.throws(() => new SpanRecorder(limit), /SpanRecorder: limit must be an integer >= 1 or Infinity, got/);
  }
  assert.equal(new SpanRecorder().limit, Infinity);
});
