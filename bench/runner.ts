// Runner benchmark: `parlab run` against nbclient on the same notebook with the same kernel (the
// parlab kernelspec, installed in a sandbox JUPYTER_PATH, so both start the kernel the same way).
// Per-cell overhead is (T60 - T1) / 59: wall time of a 60-cell notebook minus a 1-cell one, so each
// tool's fixed cost (interpreter start, imports, kernel start, writing files) cancels out. Both
// notebooks open with the same warm-up cell, so the kernel's one-time costs (the type checker's
// first check, the first console.log) fall in the fixed part too. Rounds interleave the tools and
// rotate their order. Prints markdown tables and writes out/bench-runner.json (atomically).
// Not a test: it never fails on a MISS. Run: node dist/bench/runner.js (BENCH_ROUNDS=n to change).
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "../src/runner/atomic-write.js";
import { parseNotebook, serializeNotebook, type CodeCell, type Notebook } from "../src/runner/notebook.js";
import { CLI, PYTHON, jupyterSandbox } from "../test/helpers/jupyter.js";
import { budgetedRounds } from "./rounds.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 5));
const MIN_ROUNDS = 3;
const BUDGET_MS = 300_000; // on a busy machine, stop after MIN_ROUNDS rather than run on and on
const CELLS = 60;
const RUN_TIMEOUT_MS = 180_000;
/** Touches what a kernel does once (first type check, first console.log), so it is fixed cost. */
const WARM_UP_CELL = "console.log(0);\n1";
/** The project's target: parlab's per-cell overhead at most this fraction of nbclient's. */
const TARGET = 1 / 2;

type Tool = "parlab" | "nbclient";
const TOOLS: Tool[] = ["parlab", "nbclient"];
const SIZES = [1, CELLS] as const;

const NBCLIENT_SCRIPT = `
import os, sys, nbformat
from nbclient import NotebookClient
source, target = sys.argv[1], sys.argv[2]
nb = nbformat.read(source, as_version=4)
NotebookClient(nb, kernel_name="parlab", resources={"metadata": {"path": os.path.dirname(os.path.abspath(source))}}).execute()
nbformat.write(nb, target)
`;

/** One timed run of one tool on one notebook (times in ms). */
interface Sample {
  tool: Tool;
  cells: number;
  round: number;
  wall: number;
  /** Sum over cells of the kernel's busy → idle (from the executed notebook's timing metadata). */
  kernelBusy: number;
  /** Kernel idle of one cell → busy of the next: the client's turn-around between cells. */
  gaps: number[];
  /** (idle of the last cell − idle of the first) / (cells − 1), by the kernel's clock: per-cell time without any fixed cost. */
  cycle: number;
  /** Kernel busy per cell, the warm-up cell left out. */
  busyPerCell: number;
  problems: string[];
}

const sandbox = jupyterSandbox();
const workDir = path.join(sandbox.dir, "work");
mkdirSync(workDir, { recursive: true });
let killed = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => { killed = true; sandbox.cleanup(); process.exit(130); });

/** Cell i (1-based) of the n-cell notebook: the warm-up, then `1` and `console.log(i)` by turns. */
function cellSource(i: number): string {
  if (i === 1) return WARM_UP_CELL;
  return i % 2 === 0 ? `console.log(${i})` : "1";
}

function expected(i: number): { stdout: string; result: string | undefined } {
  if (i === 1) return { stdout: "0\n", result: "1" };
  return i % 2 === 0 ? { stdout: `${i}\n`, result: undefined } : { stdout: "", result: "1" };
}

function writeNotebook(cells: number): string {
  const file = path.join(workDir, `nb${cells}.ipynb`);
  writeFileSync(file, JSON.stringify({
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: "parlab", display_name: "TypeScript (parlab)", language: "typescript" } },
    cells: Array.from({ length: cells }, (_, i) => ({ id: `c${i + 1}`, cell_type: "code", metadata: {}, source: cellSource(i + 1), outputs: [], execution_count: null })),
  }));
  return file;
}

function runProcess(command: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: workDir, env: sandbox.env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => { stderr = (stderr + chunk).slice(-4000); });
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    child.once("error", reject);
    child.once("close", (code) => { clearTimeout(timer); resolve({ code, stderr }); });
  });
}

async function measure(tool: Tool, cells: number, round: number): Promise<Sample> {
  const input = path.join(workDir, `nb${cells}.ipynb`);
  const output = tool === "parlab" ? path.join(workDir, `parlab-${round}`, `nb${cells}.ipynb`) : path.join(workDir, `nbclient-${round}-nb${cells}.ipynb`);
  const [command, args] = tool === "parlab"
    ? [process.execPath, [CLI, "run", input, "--kernel", "parlab", "--out", path.dirname(output)]]
    : [PYTHON, ["-c", NBCLIENT_SCRIPT, input, output]];
  const started = performance.now();
  const { code, stderr } = await runProcess(command, args);
  const wall = performance.now() - started;
  const problems: string[] = [];
  if (code !== 0) problems.push(`exit code ${code}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`);
  let timings: Timings = { kernelBusy: NaN, gaps: [], cycle: NaN, busyPerCell: NaN };
  try {
    timings = check(readFileSync(output, "utf8"), cells, problems);
  } catch (error) {
    problems.push(`no executed notebook: ${(error as Error).message}`);
  }
  return { tool, cells, round, wall, ...timings, problems };
}

type Timings = Pick<Sample, "kernelBusy" | "gaps" | "cycle" | "busyPerCell">;

/** Every cell ran and shows what it should; returns the kernel-side timings. */
function check(text: string, cells: number, problems: string[]): Timings {
  const notebook = parseNotebook(text, "executed");
  const code = notebook.cells.filter((cell): cell is CodeCell => cell.cell_type === "code");
  if (code.length !== cells) problems.push(`${code.length} cells, expected ${cells}`);
  let kernelBusy = 0;
  const gaps: number[] = [];
  let lastIdle: number | undefined;
  let firstIdle = NaN;
  let warmUpBusy = NaN;
  for (const [index, cell] of code.entries()) {
    const want = expected(index + 1);
    const join = (value: unknown) => (Array.isArray(value) ? value.join("") : String(value ?? ""));
    const stdout = cell.outputs.filter((o) => o.output_type === "stream" && o.name === "stdout").map((o) => join((o as { text: unknown }).text)).join("");
    const result = cell.outputs.find((o) => o.output_type === "execute_result") as { data: Record<string, unknown> } | undefined;
    if (cell.execution_count !== index + 1 || stdout !== want.stdout || (result ? join(result.data["text/plain"]) : undefined) !== want.result) {
      problems.push(`cell ${index + 1}: execution_count ${cell.execution_count}, stdout ${JSON.stringify(stdout)}, result ${JSON.stringify(result?.data)}`);
    }
    const timing = cell.metadata.execution as Record<string, string> | undefined;
    const busy = Date.parse(timing?.["iopub.status.busy"] ?? "");
    const idle = Date.parse(timing?.["iopub.status.idle"] ?? "");
    kernelBusy += idle - busy;
    if (index === 0) [firstIdle, warmUpBusy] = [idle, idle - busy];
    if (lastIdle !== undefined) gaps.push(busy - lastIdle);
    lastIdle = idle;
  }
  const steady = code.length - 1;
  return { kernelBusy, gaps, cycle: steady > 0 ? (lastIdle! - firstIdle) / steady : NaN, busyPerCell: steady > 0 ? (kernelBusy - warmUpBusy) / steady : NaN };
}

// ---------- where parlab's per-cell time goes ----------

interface SaveCost { serialize: number; atomicFsync: number; atomicNoFsync: number }

/** writeFileAtomic without the fsync: temp file, write, rename. Only to price the fsync. */
async function writeAtomicNoFsync(file: string, data: string): Promise<void> {
  const partial = `${file}.${process.pid}.partial`;
  const handle = await open(partial, "w", 0o644);
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
  await rename(partial, file);
}

/**
 * Replays the saves of a run (the notebook as it stood after each cell, so it grows) and times the
 * parts: serializeNotebook, writeFileAtomic (temp file, fsync, rename), and the same without fsync.
 * Totals for all the saves of one run, in ms.
 */
async function replaySaves(executed: string): Promise<SaveCost> {
  const full = parseNotebook(executed, "executed");
  const dir = path.join(workDir, "saves");
  mkdirSync(dir, { recursive: true });
  const states = full.cells.map((_, k) => {
    const copy = structuredClone(full);
    for (const cell of copy.cells.slice(k + 1)) if (cell.cell_type === "code") Object.assign(cell, { outputs: [], execution_count: null, metadata: {} });
    return copy;
  });
  const cost: SaveCost = { serialize: 0, atomicFsync: 0, atomicNoFsync: 0 };
  for (const state of states) {
    let t = performance.now();
    const text = serializeNotebook(state);
    cost.serialize += performance.now() - t;
    t = performance.now();
    await writeFileAtomic(path.join(dir, "fsync.ipynb"), text);
    cost.atomicFsync += performance.now() - t;
    t = performance.now();
    await writeAtomicNoFsync(path.join(dir, "no-fsync.ipynb"), text);
    cost.atomicNoFsync += performance.now() - t;
  }
  return cost;
}

type Variant = "writeFileAtomic: temp file, fsync, rename (as parlab run saves)" | "the same without fsync" | "no save at all";
const VARIANTS: Variant[] = ["writeFileAtomic: temp file, fsync, rename (as parlab run saves)", "the same without fsync", "no save at all"];
interface ProfileRun { cycle: number; clientPerCell: number }

/**
 * executeNotebook in this process, the 60-cell notebook on a fresh parlab kernel (from the sandbox
 * kernelspec) per run, with variants of the per-cell save, interleaved. Per cell, by the kernel's
 * timestamps as for the CLI runs: steady-state time and the client's share of it. No grace wait,
 * no progress output, no process start: what is left is the runner's per-cell path.
 */
async function profileSaves(reps: number): Promise<Record<Variant, ProfileRun[]>> {
  for (const key of ["JUPYTER_PATH", "JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "PARLAB_HISTORY_FILE", "IPYTHONDIR"]) process.env[key] = sandbox.env[key];
  const [{ executeNotebook }, { startEmbeddedKernel }, { findKernel }] = await Promise.all([
    import("../src/runner/execute-notebook.js"), import("../src/runner/embedded-kernel.js"), import("../src/runner/kernel-launch.js"),
  ]);
  const launch = await findKernel("parlab");
  const source = readFileSync(path.join(workDir, `nb${CELLS}.ipynb`), "utf8");
  const result = Object.fromEntries(VARIANTS.map((v) => [v, [] as ProfileRun[]])) as Record<Variant, ProfileRun[]>;
  const file = path.join(workDir, "profile", "nb.ipynb");
  mkdirSync(path.dirname(file), { recursive: true });
  const saves = new Map<Variant, (notebook: Notebook) => Promise<void>>([
    [VARIANTS[0]!, (notebook) => writeFileAtomic(file, serializeNotebook(notebook))],
    [VARIANTS[1]!, (notebook) => writeAtomicNoFsync(file, serializeNotebook(notebook))],
    [VARIANTS[2]!, async () => undefined],
  ]);
  for (let rep = 0; rep < reps; rep++) {
    for (const variant of rep % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
      const kernel = await startEmbeddedKernel(launch, workDir);
      try {
        const notebook = parseNotebook(source, "profile");
        const run = await executeNotebook(notebook, kernel, { allowErrors: false, graceMs: 0, save: saves.get(variant)! });
        if (run.status !== "ok") throw new Error(`profile run: ${run.failure}`);
        const problems: string[] = [];
        const timings = check(serializeNotebook(notebook), CELLS, problems);
        if (problems.length > 0) throw new Error(`profile run: ${problems[0]}`);
        result[variant].push({ cycle: timings.cycle, clientPerCell: timings.cycle - timings.busyPerCell });
        process.stderr.write(`profile ${rep + 1}/${reps} ${variant}: ${fmt(timings.cycle)}/cell, client ${fmt(timings.cycle - timings.busyPerCell)}/cell\n`);
      } finally {
        await kernel.shutdown();
      }
    }
  }
  return result;
}

// ---------- statistics and reporting ----------

const median = (xs: number[]) => percentile(xs, 50);
function percentile(xs: number[], p: number): number {
  const values = xs.filter((x) => Number.isFinite(x));
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!; // nearest rank
}
const fmt = (value: number, unit = "ms") => (Number.isNaN(value) ? "n/a" : `${value.toFixed(Math.abs(value) >= 100 ? 0 : 1)} ${unit}`);
const range = (xs: number[]) => {
  const values = xs.filter((x) => Number.isFinite(x));
  return values.length > 1 ? ` (${fmt(Math.min(...values), "").trim()}–${fmt(Math.max(...values), "").trim()})` : "";
};

interface ToolSummary {
  t1: number; t1Runs: number[];
  t60: number; t60Runs: number[];
  /** (T60 − T1) / 59 per round, the fixed cost subtracted by wall clock. */
  perCell: number; perCellRuns: number[];
  /** The same from the kernel's timestamps inside the 60-cell run: no fixed cost to subtract, far less noise. */
  cycle: number; cycleRuns: number[];
  busyPerCell: number;
  /** cycle − kernel busy: the tool's own turn-around per cell. */
  clientPerCell: number; clientPerCellRuns: number[];
  gapMedian: number; gapP95: number;
}

async function main(): Promise<void> {
  const began = performance.now();
  const loadBefore = os.loadavg()[0]!;
  for (const size of SIZES) writeNotebook(size);

  // Untimed: the first start of each tool pays for cold caches (node modules, Python bytecode).
  for (const tool of TOOLS) {
    const warm = await measure(tool, 1, 0);
    process.stderr.write(`warm-up ${tool}: ${fmt(warm.wall)}${warm.problems.length ? `, problems: ${warm.problems.join("; ")}` : ""}\n`);
  }

  const samples: Sample[] = [];
  let rounds = 0;
  for (const round of budgetedRounds({ rounds: ROUNDS, minRounds: MIN_ROUNDS, budgetMs: BUDGET_MS, began })) {
    rounds = round;
    // Both sizes of both tools per round; tool order and size order rotate.
    const tools = round % 2 === 1 ? TOOLS : [...TOOLS].reverse();
    const sizes = Math.ceil(round / 2) % 2 === 1 ? SIZES : [...SIZES].reverse();
    for (const size of sizes) {
      for (const tool of tools) {
        const sample = await measure(tool, size, round);
        samples.push(sample);
        process.stderr.write(`round ${round}/${ROUNDS} ${tool.padEnd(8)} ${String(size).padStart(2)} cells: ${fmt(sample.wall)}, kernel busy ${fmt(sample.kernelBusy)}${size > 1 ? `, cycle ${fmt(sample.cycle)}/cell` : ""}${sample.problems.length ? `, ${sample.problems.length} problem(s): ${sample.problems[0]}` : ""}\n`);
      }
    }
  }

  const of = (tool: Tool, cells: number) => samples.filter((s) => s.tool === tool && s.cells === cells);
  const good = (tool: Tool, cells: number) => of(tool, cells).filter((s) => s.problems.length === 0);
  const summary = Object.fromEntries(TOOLS.map((tool): [Tool, ToolSummary] => {
    const perCellRuns = Array.from({ length: rounds }, (_, r) => {
      const t1 = good(tool, 1).find((s) => s.round === r + 1);
      const t60 = good(tool, CELLS).find((s) => s.round === r + 1);
      return t1 && t60 ? (t60.wall - t1.wall) / (CELLS - 1) : NaN;
    });
    const cycleRuns = good(tool, CELLS).map((s) => s.cycle);
    const clientPerCellRuns = good(tool, CELLS).map((s) => s.cycle - s.busyPerCell);
    return [tool, {
      t1: median(good(tool, 1).map((s) => s.wall)), t1Runs: of(tool, 1).map((s) => s.wall),
      t60: median(good(tool, CELLS).map((s) => s.wall)), t60Runs: of(tool, CELLS).map((s) => s.wall),
      perCell: median(perCellRuns), perCellRuns,
      cycle: median(cycleRuns), cycleRuns,
      busyPerCell: median(good(tool, CELLS).map((s) => s.busyPerCell)),
      clientPerCell: median(clientPerCellRuns), clientPerCellRuns,
      gapMedian: median(good(tool, CELLS).flatMap((s) => s.gaps)), gapP95: percentile(good(tool, CELLS).flatMap((s) => s.gaps), 95),
    }];
  })) as Record<Tool, ToolSummary>;

  const ratio = (metric: string, key: "perCell" | "cycle" | "clientPerCell") => {
    const value = summary.parlab[key] / summary.nbclient[key];
    return { metric, key, parlab: summary.parlab[key], nbclient: summary.nbclient[key], ratio: value, target: "≤ 1/2", pass: value <= TARGET };
  };
  const ratios = [
    ratio(`per-cell overhead (T${CELLS} − T1) / ${CELLS - 1}, wall clock`, "perCell"),
    ratio("per-cell time in steady state, kernel timestamps (idle → idle)", "cycle"),
    ratio("per-cell time minus kernel busy: the tool's own turn-around", "clientPerCell"),
  ];

  // Where parlab's per-cell time goes.
  process.stderr.write("profiling the per-cell save in process…\n");
  let saves: SaveCost | undefined;
  const lastParlab = good("parlab", CELLS).at(-1);
  if (lastParlab) {
    const text = readFileSync(path.join(workDir, `parlab-${lastParlab.round}`, `nb${CELLS}.ipynb`), "utf8");
    const replays: SaveCost[] = [];
    for (let i = 0; i < 3; i++) replays.push(await replaySaves(text));
    saves = { serialize: median(replays.map((r) => r.serialize)), atomicFsync: median(replays.map((r) => r.atomicFsync)), atomicNoFsync: median(replays.map((r) => r.atomicNoFsync)) };
  }
  let profile: Awaited<ReturnType<typeof profileSaves>> | undefined;
  let profileError: string | undefined;
  try {
    profile = await profileSaves(3);
  } catch (error) {
    profileError = (error as Error).message;
  }

  const row = (tool: Tool) => {
    const s = summary[tool];
    return `| ${tool} | ${fmt(s.t1)}${range(s.t1Runs)} | ${fmt(s.t60)}${range(s.t60Runs)} | ${fmt(s.perCell)}${range(s.perCellRuns)} | ${fmt(s.cycle)}${range(s.cycleRuns)} | ${fmt(s.busyPerCell)} | ${fmt(s.clientPerCell)}${range(s.clientPerCellRuns)} | ${fmt(s.gapMedian)} / ${fmt(s.gapP95)} |`;
  };
  const lines = [
    `Runner benchmark: ${rounds} interleaved rounds; each round runs a 1-cell and a ${CELLS}-cell notebook with \`parlab run --kernel parlab\` and with nbclient's NotebookClient, both on the parlab kernelspec. Cells: one warm-up cell (${JSON.stringify(WARM_UP_CELL)}), then \`1\` and \`console.log(i)\` by turns.`,
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, Node ${process.version}, 1-min load average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0]!.toFixed(2)} after. Medians over rounds (min–max).`,
    "",
    `| tool | T1 wall | T${CELLS} wall | per cell (T${CELLS} − T1)/${CELLS - 1} | per cell, steady state | kernel busy per cell | per cell minus kernel busy | turn-around between cells median / p95 |`,
    "|---|---|---|---|---|---|---|---|",
    row("parlab"),
    row("nbclient"),
    "",
    "| metric | parlab | nbclient | parlab/nbclient | target | |",
    "|---|---|---|---|---|---|",
    ...ratios.map((r) => `| ${r.metric} | ${fmt(r.parlab)} | ${fmt(r.nbclient)} | ${Number.isNaN(r.ratio) ? "n/a" : r.ratio.toFixed(3)} | ${r.target} | ${Number.isNaN(r.ratio) ? "n/a" : r.pass ? "PASS" : "MISS"} |`),
    "",
    `Total wall for ${CELLS} cells (median): parlab ${fmt(summary.parlab.t60)}, nbclient ${fmt(summary.nbclient.t60)}.`,
    `Steady state per cell = (idle of the last cell − idle of the first) / ${CELLS - 1} by the kernel's clock in the ${CELLS}-cell run: the same quantity as (T${CELLS} − T1)/${CELLS - 1} without the fixed costs' noise (kernel start and the first type check vary by seconds on a busy machine).`,
  ];
  if (saves) {
    const per = (ms: number) => fmt(ms / CELLS);
    lines.push(
      "",
      `parlab's save after every cell, replayed on an executed ${CELLS}-cell notebook (${CELLS} saves of the growing notebook, ${(readFileSync(path.join(workDir, `parlab-${lastParlab!.round}`, `nb${CELLS}.ipynb`)).length / 1024).toFixed(0)} KiB at the end): ` +
      `serializeNotebook ${per(saves.serialize)}/cell, writeFileAtomic (fsync) ${per(saves.atomicFsync)}/cell, the same without fsync ${per(saves.atomicNoFsync)}/cell.`,
    );
  }
  if (profile) {
    const cycles = (v: Variant) => profile![v].map((r) => r.cycle);
    const clients = (v: Variant) => profile![v].map((r) => r.clientPerCell);
    lines.push(
      "",
      `In-process profile: executeNotebook, the ${CELLS}-cell notebook on a fresh parlab kernel per run, ${profile[VARIANTS[0]].length} runs per save variant, interleaved (no process start, no grace wait, no progress output):`,
      "",
      "| save after every cell | per cell, steady state | per cell minus kernel busy |",
      "|---|---|---|",
      ...VARIANTS.map((v) => `| ${v} | ${fmt(median(cycles(v)))}${range(cycles(v))} | ${fmt(median(clients(v)))}${range(clients(v))} |`),
    );
  }
  if (profileError) lines.push(`In-process profile failed: ${profileError}`);
  lines.push("Fixed per notebook (cancels out in T60 − T1): process start, kernel start and shutdown, the warm-up cell, parlab's 250 ms grace wait after the last cell and its HTML export and index page.");
  for (const s of samples.filter((s) => s.problems.length > 0)) lines.push(`Problem: round ${s.round} ${s.tool} ${s.cells} cells: ${s.problems.slice(0, 3).join("; ")}`);
  lines.push(`Total run time ${((performance.now() - began) / 1000).toFixed(1)} s.`);
  console.log(lines.join("\n"));

  const json = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.release()}`, loadBefore, loadAfter: os.loadavg()[0] },
    config: { rounds, cells: CELLS, warmUpCell: WARM_UP_CELL, target: "parlab's per-cell overhead ≤ 1/2 of nbclient's", nbclientScript: NBCLIENT_SCRIPT.trim() },
    summary,
    ratios,
    saves: saves ? { totalsMs: saves, perCellMs: { serialize: saves.serialize / CELLS, atomicFsync: saves.atomicFsync / CELLS, atomicNoFsync: saves.atomicNoFsync / CELLS } } : null,
    profile: profile ? Object.fromEntries(VARIANTS.map((v) => [v, { cycleMedian: median(profile![v].map((r) => r.cycle)), clientPerCellMedian: median(profile![v].map((r) => r.clientPerCell)), runs: profile![v] }])) : { error: profileError },
    samples,
  };
  mkdirSync(path.join(REPO, "out"), { recursive: true });
  await writeFileAtomic(path.join(REPO, "out/bench-runner.json"), `${JSON.stringify(json, null, 2)}\n`);
}

try {
  await main();
} finally {
  if (!killed) sandbox.cleanup();
}
