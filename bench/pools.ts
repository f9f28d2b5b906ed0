// Concurrency-helper benchmark: parlab's pools and gather side by side with their anchors in one
// run (piscina, raw worker_threads, raw child_process, two independent node processes, plain
// Promise.all). Every round runs each variant once, in an order that rotates from round to round,
// so machine noise hits all alike; the table shows medians over rounds, the ratio to the anchor
// and the project's target. Writes everything to out/bench-pools.json. Not a test: a MISS never
// fails it.
import { fork, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { Piscina } from "piscina";
import { Tinypool } from "tinypool";
import { gather, sleep } from "../src/async.js";
import { defaultRecorder } from "../src/measure/recorder.js";
import { ProcessPool, ThreadPool, closeAllPools, type Pool } from "../src/pool/pool.js";
import { budgetedRounds } from "./rounds.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const PISCINA_TASK = fileURLToPath(new URL("./piscina-task.js", import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MIN_ROUNDS = Math.min(3, ROUNDS);
const BUDGET_MS = 150_000; // on a busy machine, stop after MIN_ROUNDS rather than run past ~3 minutes

const TASKS = 10_000; // row 1: trivial tasks per timed run
const WARM_TASKS = 500; // row 1: tasks through a new pool before timing (workers started, code warm)
const RAW_WINDOWS = [1, 16]; // row 1: tasks in flight per worker in the raw worker_threads pool
const CPU_TASKS = 8; // row 2
const CPU_TASK_MS = 150; // row 2: one task's CPU time on this machine, calibrated at start
const RT_WARM = 20; // row 3: round trips before timing
const RT_TIMED = 200; // row 3: timed round trips per round
const SLEEPS = 10_000; // row 4
// Row 4 takes ~0.1 s a run and a stray garbage collection moves one run by 20 %: three runs of
// each variant per round, interleaved, give its medians three times the samples.
const GATHER_RUNS_PER_ROUND = 3;
const SLEEP_MS = 100;

// ---------- the work ----------

// Module-level functions, so a pool ships (checks, hashes) each once, as a notebook cell would.
const inc = (x: number): number => x + 1;
const one = (): number => 1;
/** CPU work with nothing to optimise away: n rounds of a multiplicative hash. */
function spin(n: number): number {
  let x = 0;
  for (let i = 0; i < n; i++) x = (Math.imul(x ^ i, 0x9e3779b1) + 1) | 0;
  return x;
}

const ITEMS = Array.from({ length: TASKS }, (_, i) => i);
const WARM_ITEMS = ITEMS.slice(0, WARM_TASKS);
const EXPECTED_SUM = TASKS * (TASKS + 1) / 2; // sum of inc(i) over ITEMS
function checkSum(results: number[], what: string): void {
  const sum = results.reduce((a, b) => a + b, 0);
  if (results.length !== TASKS || sum !== EXPECTED_SUM) throw new Error(`${what}: wrong results (${results.length} results, sum ${sum})`);
}

// Child processes still alive, killed on any exit path so none outlives the benchmark.
const live = new Set<ChildProcess>();
process.on("exit", () => live.forEach((child) => child.kill("SIGKILL")));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));
function track(child: ChildProcess): Promise<number | null> {
  live.add(child);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => {
      live.delete(child);
      resolve(code);
    });
  });
}

/** Spans the default recorder got from one measured run (it is cleared before each, outside the timing). */
function takeSpans(): number {
  const n = defaultRecorder().spans.length;
  defaultRecorder().clear();
  return n;
}

// ---------- row 1: throughput of trivial tasks ----------

/** `pool.map` as a user calls it (chunked like Python's Pool.map), or with `chunksize: 1`, one task per message as piscina runs them. */
async function parlabThroughput(chunksize?: number): Promise<number> {
  const pool = new ThreadPool({ maxWorkers: 2 });
  try {
    await pool.map(inc, WARM_ITEMS, { chunksize });
    takeSpans();
    const start = performance.now();
    const results = await pool.map(inc, ITEMS, { chunksize });
    const ms = performance.now() - start;
    checkSum(results, "parlab ThreadPool");
    spansSeen.throughput = takeSpans();
    return TASKS / (ms / 1000);
  } finally {
    await pool.close();
  }
}

/** tinypool, which parlab's pools are built on, running the same task file as piscina: the part of the gap that is not parlab's own. */
async function tinypoolThroughput(): Promise<number> {
  const pool = new Tinypool({ filename: PISCINA_TASK, minThreads: 0, maxThreads: 2, idleTimeout: 2000 });
  try {
    await Promise.all(WARM_ITEMS.map((x) => pool.run(x) as Promise<number>));
    const start = performance.now();
    const results = await Promise.all(ITEMS.map((x) => pool.run(x) as Promise<number>));
    const ms = performance.now() - start;
    checkSum(results, "tinypool");
    return TASKS / (ms / 1000);
  } finally {
    await pool.destroy();
  }
}

async function piscinaThroughput(): Promise<number> {
  // The same shape as parlab's pool: up to 2 threads, started on demand, 2 s idle timeout.
  const pool = new Piscina<number, number>({ filename: PISCINA_TASK, minThreads: 0, maxThreads: 2, idleTimeout: 2000 });
  try {
    await Promise.all(WARM_ITEMS.map((x) => pool.run(x)));
    if (pool.threads.length !== 2) throw new Error(`piscina started ${pool.threads.length} threads, not 2`);
    const start = performance.now();
    const results = await Promise.all(ITEMS.map((x) => pool.run(x)));
    const ms = performance.now() - start;
    checkSum(results, "piscina");
    return TASKS / (ms / 1000);
  } finally {
    await pool.destroy();
  }
}

// A minimal pool: 2 workers, one message per task, round-robin, at most `window` tasks in flight
// per worker (1 is what piscina and tinypool do: one task per worker at a time).
const RAW_WORKER = `
const { parentPort } = require("node:worker_threads");
const inc = (x) => x + 1;
parentPort.on("message", (m) => parentPort.postMessage({ id: m.id, value: inc(m.x) }));
`;

function rawRun(workers: Worker[], items: number[], window: number): Promise<number[]> {
  return new Promise((resolve) => {
    const results = new Array<number>(items.length);
    let next = 0;
    let done = 0;
    const listeners = workers.map((worker) => {
      const listener = (m: { id: number; value: number }) => {
        results[m.id] = m.value;
        if (++done === items.length) {
          workers.forEach((w, i) => w.off("message", listeners[i]!));
          resolve(results);
        } else if (next < items.length) {
          const id = next++;
          worker.postMessage({ id, x: items[id] });
        }
      };
      worker.on("message", listener);
      return listener;
    });
    for (let slot = 0; slot < window; slot++) {
      for (const worker of workers) {
        if (next >= items.length) break;
        const id = next++;
        worker.postMessage({ id, x: items[id] });
      }
    }
  });
}

async function rawThroughput(window: number): Promise<number> {
  const workers = [0, 1].map(() => new Worker(RAW_WORKER, { eval: true }));
  try {
    await rawRun(workers, WARM_ITEMS, window);
    const start = performance.now();
    const results = await rawRun(workers, ITEMS, window);
    const ms = performance.now() - start;
    checkSum(results, "raw worker_threads");
    return TASKS / (ms / 1000);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

// ---------- row 2: CPU-bound speedup ----------

let spinRounds = 0; // calibrated so one spin() takes CPU_TASK_MS here

/** The fastest of 3 runs: on a shared machine, a slow run was interrupted, not slow. */
function spinMs(n: number): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    spin(n);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

function calibrate(): void {
  let n = 1_000_000;
  spinMs(n); // warm the JIT
  let ms = spinMs(n);
  while (ms < 30) ms = spinMs((n *= 4));
  spinRounds = Math.round((n * CPU_TASK_MS) / ms);
  spinRounds = Math.round((spinRounds * CPU_TASK_MS) / spinMs(spinRounds)); // once more, at full size
}

function sequentialMain(): number {
  const start = performance.now();
  for (let i = 0; i < CPU_TASKS; i++) spin(spinRounds);
  return performance.now() - start;
}

/** The 8 tasks on a pool whose 2 workers are already running (started by a small warm-up map). */
async function warmPoolCpu(make: () => Pool): Promise<number> {
  const pool = make();
  try {
    await pool.map(spin, [1000, 1000]);
    const start = performance.now();
    await pool.map(spin, new Array<number>(CPU_TASKS).fill(spinRounds));
    return performance.now() - start;
  } finally {
    await pool.close();
  }
}

/** The 8 tasks on a new ThreadPool: from `new ThreadPool` to the results (what a cell does). */
async function coldThreadPoolCpu(): Promise<number> {
  const start = performance.now();
  const pool = new ThreadPool({ maxWorkers: 2 });
  try {
    await pool.map(spin, new Array<number>(CPU_TASKS).fill(spinRounds));
    return performance.now() - start;
  } finally {
    await pool.close();
  }
}

/** One `node` process running half of the tasks. */
function spinProcess(): Promise<number | null> {
  const script = `${spin.toString()}\nfor (let i = 0; i < ${CPU_TASKS / 2}; i++) spin(${spinRounds});`;
  return track(spawn(process.execPath, ["-e", script], { stdio: "ignore" }));
}

async function ceilingConcurrent(): Promise<number> {
  const start = performance.now();
  await Promise.all([spinProcess(), spinProcess()]);
  return performance.now() - start;
}

async function ceilingSequential(): Promise<number> {
  const start = performance.now();
  await spinProcess();
  await spinProcess();
  return performance.now() - start;
}

// ---------- row 3: process start-up and round trip ----------

// The smallest fork target: echoes every IPC message back. CommonJS, the quickest kind of module
// for node to start (the same echo as an ES module answered its first message later: median 235
// vs 193 ms over 20 interleaved starts on the loaded 2-core machine), so it is written out as a
// .cjs file rather than compiled with the bench (which is ESM, like the whole package).
const scratch = mkdtempSync(path.join(os.tmpdir(), "parlab-bench-pools-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));
const FORK_CHILD = path.join(scratch, "echo.cjs");
writeFileSync(FORK_CHILD, `process.on("message", (message) => process.send(message));\n`);

interface StartSample { start: number; roundTrip: number }

async function parlabProcessStart(): Promise<StartSample> {
  const start = performance.now();
  const pool = new ProcessPool({ maxWorkers: 1 });
  try {
    if ((await pool.apply(one, [])) !== 1) throw new Error("ProcessPool: wrong result");
    const started = performance.now() - start;
    const trips: number[] = [];
    for (let i = 0; i < RT_WARM + RT_TIMED; i++) {
      const sent = performance.now();
      await pool.apply(one, []);
      if (i >= RT_WARM) trips.push(performance.now() - sent);
    }
    return { start: started, roundTrip: median(trips) };
  } finally {
    await pool.close();
  }
}

async function rawForkStart(): Promise<StartSample> {
  const start = performance.now();
  const child = fork(FORK_CHILD, [], { stdio: "inherit" });
  const exited = track(child);
  const echo = (message: number) =>
    new Promise<unknown>((resolve) => {
      child.once("message", resolve);
      child.send(message);
    });
  try {
    if ((await echo(1)) !== 1) throw new Error("fork: wrong reply");
    const started = performance.now() - start;
    const trips: number[] = [];
    for (let i = 0; i < RT_WARM + RT_TIMED; i++) {
      const sent = performance.now();
      await echo(i);
      if (i >= RT_WARM) trips.push(performance.now() - sent);
    }
    return { start: started, roundTrip: median(trips) };
  } finally {
    child.kill();
    await exited;
  }
}

// ---------- row 4: gather of many sleeps ----------

interface GatherSample { ms: number; spans: number }

/** What a user writes: `gather(...xs.map(() => sleep(100)))` (sleep records a span per call). */
async function parlabGatherPromises(): Promise<GatherSample> {
  takeSpans();
  const start = performance.now();
  await gather(...Array.from({ length: SLEEPS }, () => sleep(SLEEP_MS)));
  const ms = performance.now() - start;
  return { ms, spans: takeSpans() };
}

/** The coroutine-like form: gather starts each function and records it as a task. */
async function parlabGatherFunctions(): Promise<GatherSample> {
  takeSpans();
  const start = performance.now();
  await gather(...Array.from({ length: SLEEPS }, () => () => sleep(SLEEP_MS)));
  const ms = performance.now() - start;
  return { ms, spans: takeSpans() };
}

async function rawPromiseAll(): Promise<GatherSample> {
  const start = performance.now();
  await Promise.all(Array.from({ length: SLEEPS }, () => new Promise<void>((resolve) => setTimeout(resolve, SLEEP_MS))));
  return { ms: performance.now() - start, spans: 0 };
}

// ---------- statistics and reporting ----------

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const spansSeen = { throughput: 0 };

/** Everything measured, one array entry per round. */
const samples = {
  parlabTps: [] as number[],
  parlabSingleTps: [] as number[],
  piscinaTps: [] as number[],
  tinypoolTps: [] as number[],
  rawTps: Object.fromEntries(RAW_WINDOWS.map((w) => [w, [] as number[]])) as Record<number, number[]>,
  seqMain: [] as number[],
  threadWarm: [] as number[],
  processWarm: [] as number[],
  threadCold: [] as number[],
  ceilingConc: [] as number[],
  ceilingSeq: [] as number[],
  parlabStart: [] as StartSample[],
  forkStart: [] as StartSample[],
  gatherPromises: [] as GatherSample[],
  gatherFunctions: [] as GatherSample[],
  promiseAll: [] as GatherSample[],
};

type Step = [name: string, run: () => Promise<void>];

/** The steps of one section, rotated by round so no variant always goes first or last. */
async function runRotated(steps: Step[], round: number, log: string[]): Promise<void> {
  for (let i = 0; i < steps.length; i++) {
    const [name, run] = steps[(i + round - 1) % steps.length]!;
    const began = performance.now();
    await run();
    log.push(`${name} ${(performance.now() - began).toFixed(0)} ms`);
  }
}

async function round(r: number): Promise<void> {
  const log: string[] = [];
  await runRotated([
    ["parlab", async () => { samples.parlabTps.push(await parlabThroughput()); }],
    ["parlab one by one", async () => { samples.parlabSingleTps.push(await parlabThroughput(1)); }],
    ["piscina", async () => { samples.piscinaTps.push(await piscinaThroughput()); }],
    ["tinypool", async () => { samples.tinypoolTps.push(await tinypoolThroughput()); }],
    ...RAW_WINDOWS.map((w): Step => [`raw/${w}`, async () => { samples.rawTps[w]!.push(await rawThroughput(w)); }]),
  ], r, log);
  await runRotated([
    ["seq", async () => { samples.seqMain.push(sequentialMain()); }],
    ["ThreadPool", async () => { samples.threadWarm.push(await warmPoolCpu(() => new ThreadPool({ maxWorkers: 2 }))); }],
    ["ProcessPool", async () => { samples.processWarm.push(await warmPoolCpu(() => new ProcessPool({ maxWorkers: 2 }))); }],
    ["cold ThreadPool", async () => { samples.threadCold.push(await coldThreadPoolCpu()); }],
    ["2 procs concurrent", async () => { samples.ceilingConc.push(await ceilingConcurrent()); }],
    ["2 procs sequential", async () => { samples.ceilingSeq.push(await ceilingSequential()); }],
  ], r, log);
  await runRotated([
    ["ProcessPool start", async () => { samples.parlabStart.push(await parlabProcessStart()); }],
    ["fork start", async () => { samples.forkStart.push(await rawForkStart()); }],
  ], r, log);
  for (let run = 0; run < GATHER_RUNS_PER_ROUND; run++) {
    await runRotated([
      ["gather(promises)", async () => { samples.gatherPromises.push(await parlabGatherPromises()); }],
      ["gather(functions)", async () => { samples.gatherFunctions.push(await parlabGatherFunctions()); }],
      ["Promise.all", async () => { samples.promiseAll.push(await rawPromiseAll()); }],
    ], r + run, log);
  }
  process.stderr.write(`round ${r}/${ROUNDS}: parlab ${fmtRate(samples.parlabTps.at(-1)!)}, piscina ${fmtRate(samples.piscinaTps.at(-1)!)}; ` +
    `speedup ${(samples.seqMain.at(-1)! / samples.threadWarm.at(-1)!).toFixed(2)}× vs ceiling ${(samples.ceilingSeq.at(-1)! / samples.ceilingConc.at(-1)!).toFixed(2)}×; ` +
    `start ${samples.parlabStart.at(-1)!.start.toFixed(0)} vs ${samples.forkStart.at(-1)!.start.toFixed(0)} ms; ` +
    `gather ${samples.gatherPromises.at(-1)!.ms.toFixed(0)} vs ${samples.promiseAll.at(-1)!.ms.toFixed(0)} ms\n  (${log.join(", ")})\n`);
}

const fmtRate = (v: number) => `${Math.round(v).toLocaleString("en-US")}/s`;
const fmtMs = (v: number) => `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 3)} ms`;
const fmtX = (v: number) => `${v.toFixed(2)}×`;

interface Row {
  row: string;
  parlab: string;
  anchor: string;
  ratio: number;
  /** Pass when ratio ≥ min or ≤ max; rows with neither are for information. */
  min?: number;
  max?: number;
  values: { parlab: number; anchor: number; unit: string; parlabPerRound: number[]; anchorPerRound: number[]; ratioPerRound: number[] };
}

/** A row: medians over rounds, with the range over rounds in brackets (as bench/kernel.ts shows it). */
function makeRow(row: string, unit: string, fmt: (v: number) => string, parlab: number[], anchorName: string, anchor: number[], target: { min?: number; max?: number } = {}): Row {
  const p = median(parlab), a = median(anchor);
  const bare = (v: number) => fmt(v).replace(/\s*(ms|×|\/s)$/, "");
  const range = (xs: number[]) => (xs.length > 1 ? ` (${bare(Math.min(...xs))}–${bare(Math.max(...xs))})` : "");
  return {
    row, ...target, ratio: p / a,
    parlab: fmt(p) + range(parlab),
    anchor: `${anchorName} ${fmt(a)}${range(anchor)}`,
    values: { parlab: p, anchor: a, unit, parlabPerRound: parlab, anchorPerRound: anchor, ratioPerRound: parlab.map((v, i) => v / anchor[i]!) },
  };
}

function buildRows(): Row[] {
  const speedups = (times: number[]) => times.map((t, i) => samples.seqMain[i]! / t);
  const ceiling = samples.ceilingConc.map((c, i) => samples.ceilingSeq[i]! / c);
  const n = TASKS.toLocaleString("en-US"), k = SLEEPS.toLocaleString("en-US");
  return [
    makeRow(`1. ThreadPool(2).map throughput, ${n} × (x) => x + 1, vs piscina 5`, "tasks/s", fmtRate, samples.parlabTps, "piscina", samples.piscinaTps, { min: 1 }),
    makeRow(`1a. … map with chunksize 1 (one task per message, as piscina) vs piscina`, "tasks/s", fmtRate, samples.parlabSingleTps, "piscina", samples.piscinaTps),
    makeRow(`1b. … vs tinypool 2 (what parlab's pools run on), same task file as piscina`, "tasks/s", fmtRate, samples.parlabTps, "tinypool", samples.tinypoolTps),
    ...RAW_WINDOWS.map((w) => makeRow(`1c. … vs raw worker_threads, ${w} in flight per worker`, "tasks/s", fmtRate, samples.parlabTps, "raw", samples.rawTps[w]!)),
    makeRow(`2. CPU speedup, ${CPU_TASKS} × ~${CPU_TASK_MS} ms on ThreadPool(2) (warm) vs 2 node processes`, "×", fmtX, speedups(samples.threadWarm), "ceiling", ceiling, { min: 0.95 }),
    makeRow(`2b. … ProcessPool(2) (warm)`, "×", fmtX, speedups(samples.processWarm), "ceiling", ceiling),
    makeRow(`2c. … ThreadPool(2) cold (new pool → results)`, "×", fmtX, speedups(samples.threadCold), "ceiling", ceiling),
    makeRow(`3. ProcessPool(1) start → first result vs raw fork → first reply`, "ms", fmtMs, samples.parlabStart.map((s) => s.start), "fork", samples.forkStart.map((s) => s.start), { max: 1.2 }),
    makeRow(`3b. … warm round trip, median of ${RT_TIMED}, vs raw IPC echo`, "ms", fmtMs, samples.parlabStart.map((s) => s.roundTrip), "IPC", samples.forkStart.map((s) => s.roundTrip)),
    makeRow(`4. gather(...${k} × sleep(${SLEEP_MS})) vs Promise.all of setTimeout`, "ms", fmtMs, samples.gatherPromises.map((s) => s.ms), "Promise.all", samples.promiseAll.map((s) => s.ms), { max: 1.1 }),
    makeRow(`4b. … gather(...${k} × () => sleep(${SLEEP_MS}))`, "ms", fmtMs, samples.gatherFunctions.map((s) => s.ms), "Promise.all", samples.promiseAll.map((s) => s.ms)),
  ];
}

function verdict(row: Row): string {
  if (Number.isNaN(row.ratio)) return "n/a";
  if (row.min !== undefined) return row.ratio >= row.min ? "PASS" : "MISS";
  if (row.max !== undefined) return row.ratio <= row.max ? "PASS" : "MISS";
  return "(info)";
}
const target = (row: Row) => (row.min !== undefined ? `≥ ${row.min}` : row.max !== undefined ? `≤ ${row.max}` : "—");

async function main(): Promise<void> {
  const began = performance.now();
  const loadBefore = os.loadavg()[0]!;
  calibrate();
  // The helpers' spans use AsyncLocalStorage, and its first run turns on promise hooks for the
  // whole process (a kernel has them on anyway: cells run in one). Turn them on now, so round 1
  // runs under the same conditions as the others, and the anchors pay for them too.
  await gather(() => sleep(1));
  takeSpans();
  process.stderr.write(`spin(${spinRounds.toLocaleString("en-US")}) ≈ ${CPU_TASK_MS} ms here\n`);
  let rounds = 0;
  for (const r of budgetedRounds({ rounds: ROUNDS, minRounds: MIN_ROUNDS, budgetMs: BUDGET_MS, began })) {
    rounds = r;
    await round(r);
  }
  await closeAllPools(); // every pool was closed after its run; this is the belt to those braces

  const rows = buildRows();
  const spans = {
    throughputRun: spansSeen.throughput,
    gatherPromises: samples.gatherPromises.at(-1)?.spans ?? 0,
    gatherFunctions: samples.gatherFunctions.at(-1)?.spans ?? 0,
  };
  const lines = [
    `Pool benchmark: ${rounds} rounds, variants interleaved (order rotates per round); medians over rounds. spin(${spinRounds.toLocaleString("en-US")}) ≈ ${CPU_TASK_MS} ms.`,
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, Node ${process.version}, 1-min load average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0]!.toFixed(2)} after. Promise hooks (AsyncLocalStorage) on throughout, as in a kernel.`,
    "",
    "| row | parlab | anchor | ratio | target | |",
    "|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.row} | ${r.parlab} | ${r.anchor} | ${r.ratio.toFixed(3)} | ${target(r)} | ${verdict(r)} |`),
    "",
    `Ratios per round (parlab/anchor, same round; row 4: per run, ${GATHER_RUNS_PER_ROUND} a round): ` + rows.filter((r) => r.min !== undefined || r.max !== undefined)
      .map((r) => `row ${r.row.split(".")[0]}: ${r.values.ratioPerRound.map((x) => x.toFixed(2)).join(" ")}`).join("; "),
    `Spans recorded into the default recorder (the default a user gets; cleared between runs here, outside the timing): ` +
      `${spans.throughputRun.toLocaleString("en-US")} per ${TASKS.toLocaleString("en-US")}-task ThreadPool map, ` +
      `${spans.gatherPromises.toLocaleString("en-US")} per gather of sleep promises, ${spans.gatherFunctions.toLocaleString("en-US")} per gather of functions.`,
    `Total run time ${((performance.now() - began) / 1000).toFixed(1)} s.`,
  ];
  console.log(lines.join("\n"));

  const json = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.release()}`, loadBefore, loadAfter: os.loadavg()[0] },
    config: { rounds, tasks: TASKS, warmTasks: WARM_TASKS, rawWindows: RAW_WINDOWS, cpuTasks: CPU_TASKS, cpuTaskMs: CPU_TASK_MS, spinRounds, roundTrips: RT_TIMED, sleeps: SLEEPS, sleepMs: SLEEP_MS },
    rows: rows.map((r) => ({ row: r.row, ...r.values, ratio: r.ratio, target: target(r), verdict: verdict(r) })),
    spans,
    samples,
  };
  // Written whole or not at all: a reader never sees half a file.
  const out = path.join(REPO, "out");
  mkdirSync(out, { recursive: true });
  const file = path.join(out, "bench-pools.json");
  writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(json, null, 2) + "\n");
  renameSync(`${file}.${process.pid}.tmp`, file);

  // Everything is closed, so the process should end by itself; say so if something still holds it.
  setTimeout(() => {
    process.stderr.write(`still running 5 s after the end: a handle was left open (${process.getActiveResourcesInfo().join(", ")})\n`);
    process.exit(1);
  }, 5000).unref();
}

await main();
