// The async and I/O notebooks (E7–E12) run top to bottom through `parlab run` in one go: no
// errors, no stderr, every example's plot, and every claim's numbers in a band that a noisy
// 2-core machine stays inside but a sequential run passing as concurrent would leave.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { claimsOf, plotCount, problemsOf, runNotebooks, type NotebookRun } from "./helpers/notebooks.js";

const NOTEBOOKS = {
  "11-async-gather.ipynb": { examples: ["E7"], plots: 2 },
  "12-concurrency-vs-parallelism.ipynb": { examples: ["E8"], plots: 4 },
  "13-reading-urls.ipynb": { examples: ["E9", "E10", "E11"], plots: 4 },
  "14-thousands-of-waits.ipynb": { examples: ["E12"], plots: 2 },
};

let run: NotebookRun;
const claims = new Map<string, Record<string, number>>();

before(() => {
  const started = performance.now();
  run = runNotebooks(Object.keys(NOTEBOOKS));
  console.log(`ran ${Object.keys(NOTEBOOKS).length} notebooks in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const notebook of run.notebooks.values()) for (const [example, measured] of claimsOf(notebook)) claims.set(example, measured);
  for (const [example, numbers] of claims) console.log(`${example}: ${JSON.stringify(numbers)}`);
});

function measured(example: string): Record<string, number> {
  const numbers = claims.get(example);
  assert.ok(numbers, `no claim cell for ${example}`);
  return numbers;
}

/** `value` lies in [low, high]; the message names the figure and shows the claim's numbers. */
function within(example: string, name: string, low: number, high: number): void {
  const value = measured(example)[name];
  assert.equal(typeof value, "number", `${example}: ${name} missing from ${JSON.stringify(measured(example))}`);
  assert.ok(value >= low && value <= high, `${example}: ${name} = ${value}, expected ${low}..${high} (${JSON.stringify(measured(example))})`);
}

test("parlab run executes every notebook and exits 0", () => {
  assert.equal(run.exitCode, 0, `exit ${run.exitCode}\n${run.stdout}\n${run.stderr}`);
  assert.deepEqual([...run.notebooks.keys()].sort(), Object.keys(NOTEBOOKS).sort());
});

for (const [name, { examples, plots }] of Object.entries(NOTEBOOKS)) {
  test(`${name}: no errors or stderr, its plots and its claims (${examples.join(", ")})`, () => {
    const notebook = run.notebooks.get(name);
    assert.ok(notebook, `${name} was not written`);
    assert.deepEqual(problemsOf(notebook), []);
    assert.ok(plotCount(notebook) >= plots, `${name}: ${plotCount(notebook)} plots, expected ${plots}`);
    assert.deepEqual([...claimsOf(notebook).keys()].sort(), [...examples].sort());
  });
}

test("E7: five gathered 2-s sleeps take about 2 s, not 10", () => {
  within("E7", "seconds", 1.9, 4);
});

test("E8: one loop never overlaps CPU steps but overlaps waits; threads overlap CPU steps", () => {
  const m = measured("E8");
  assert.equal(m.loopCpuPeak, 1, "two CPU steps overlapped on one event loop");
  within("E8", "loopSimmerPeak", 2, 4);
  within("E8", "threadsCpuPeak", 2, 4);
  // Four dishes each simmer 0.3 s: one at a time can never beat 1.2 s.
  within("E8", "sequentialSeconds", 1.2, 30);
  within("E8", "concurrentSeconds", 0.3, 0.85 * m.sequentialSeconds);
  within("E8", "parallelSeconds", 0.3, m.sequentialSeconds);
});

test("E9: ten threads read 20 URLs in well under half the sequential time", () => {
  const { sequentialSeconds } = measured("E9");
  within("E9", "sequentialSeconds", 3.8, 60);   // 20 × 200 ms, one at a time
  within("E9", "threadsSeconds", 0.38, sequentialSeconds / 2);   // at least two rounds of 200 ms
  within("E9", "firstRunSeconds", 0.38, 60);
});

test("E10: gathered fetches keep all 20 requests in flight and beat sequential", () => {
  const { sequentialSeconds } = measured("E10");
  within("E10", "sequentialSeconds", 3.8, 60);
  within("E10", "asyncSeconds", 0.19, sequentialSeconds / 2);
  within("E10", "peakInFlight", 15, 20);
});

test("E11: four processes read 20 URLs in rounds of four, faster than sequential", () => {
  const { sequentialSeconds, processesSeconds } = measured("E11");
  within("E11", "sequentialSeconds", 3.8, 60);
  within("E11", "processesSeconds", 0.95, 0.6 * sequentialSeconds);   // five rounds of 200 ms
  within("E11", "processesAsyncSeconds", 0.19, processesSeconds);
  within("E11", "firstRunSeconds", 0.95, 60);
});

test("E12: 10,000 coroutine waits stay near one wait and cost far less memory per wait than threads", () => {
  const m = measured("E12");
  assert.equal(m.asyncCount, 10_000);
  within("E12", "asyncSeconds", 0.95, 3.5);   // one 1-s wait, plus starting 10,000 tasks
  within("E12", "threadsSeconds", 0.95, 120);
  within("E12", "threadMBPerWait", 1, 100);   // a worker thread is a whole isolate
  assert.ok(m.threadMBPerWait * 1024 > 20 * m.asyncKBPerWait, `threads ${m.threadMBPerWait} MB vs coroutines ${m.asyncKBPerWait} KB per wait`);
  within("E12", "practicalThreadLimit", 1, 100_000);
});
