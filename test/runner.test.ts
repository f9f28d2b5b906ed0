// `parlab run` end to end: the real CLI, the real kernel over zeromq, notebooks checked with
// Debian's nbformat (the official schema). Failure paths included: a failing cell, a timeout, bad
// notebooks, Ctrl-C, and a runner killed mid-run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CLI, PYTHON } from "./helpers/jupyter.js";

type Cell = { cell_type: string; source: string; metadata?: Record<string, unknown>; id?: string };

function notebookJson(cells: Cell[]): string {
  return JSON.stringify({
    nbformat: 4, nbformat_minor: 4, metadata: { kernelspec: { name: "parlab", display_name: "TypeScript (parlab)", language: "typescript" } },
    cells: cells.map((cell) => ({ metadata: {}, ...cell, ...(cell.cell_type === "code" ? { outputs: [], execution_count: null } : {}) })),
  });
}

const code = (source: string, tags?: string[]): Cell => ({ cell_type: "code", source, ...(tags ? { metadata: { tags } } : {}) });
const markdown = (source: string): Cell => ({ cell_type: "markdown", source });

function workspace(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), "parlab-run-test-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function run(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [CLI, "run", ...args], { cwd, encoding: "utf8", timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function readOut(dir: string, name: string) {
  return JSON.parse(readFileSync(path.join(dir, "out", `${name}.ipynb`), "utf8")) as {
    nbformat: number; nbformat_minor: number;
    cells: { id: string; cell_type: string; source: string | string[]; execution_count?: number | null; metadata: Record<string, unknown>; outputs?: { output_type: string; text?: string; ename?: string; evalue?: string; data?: Record<string, unknown> }[] }[];
  };
}

/** Validates with Debian's python3-nbformat against the official nbformat 4 schema. */
function assertValidNotebook(file: string): void {
  const check = spawnSync(PYTHON, ["-c", "import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT)); print('valid')", file], { encoding: "utf8" });
  assert.equal(check.stdout.trim(), "valid", check.stderr);
}

type OutCell = ReturnType<typeof readOut>["cells"][number];
const text = (cell: OutCell, name = "stdout") => (cell.outputs ?? []).filter((o) => o.output_type === "stream" && (o as { name?: string }).name === name).map((o) => o.text).join("");
const source = (cell: { source: string | string[] }) => (Array.isArray(cell.source) ? cell.source.join("") : cell.source);

test("a notebook runs: outputs with their cells, counts, timing, sources untouched, valid nbformat 4.5, html and index", (t) => {
  const dir = workspace(t);
  const cells = [
    markdown("# Title\nSome *text*."),
    code('console.log("one");\n1 + 1'),
    code('setTimeout(() => console.log("late"), 30);\nconsole.error("to stderr");'),
    code('display({ "text/markdown": "**shown**" }, { displayId: "d" });'),
    code('updateDisplay("d", { "text/markdown": "**updated**" });\nconsole.log("two");'),
  ];
  writeFileSync(path.join(dir, "first.ipynb"), notebookJson(cells));
  const result = run(["first.ipynb"], dir);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /first\s+4\s+0\s+[\d.]+\s+ok/);
  const out = readOut(dir, "first");
  assertValidNotebook(path.join(dir, "out", "first.ipynb"));
  assert.equal(out.nbformat_minor, 5);
  assert.deepEqual(out.cells.map(source), cells.map((cell) => cell.source), "sources are never modified");
  assert.deepEqual(out.cells.map((cell) => cell.execution_count ?? null), [null, 1, 2, 3, 4]);
  assert.equal(text(out.cells[1]!), "one\n");
  assert.equal(out.cells[1]!.outputs!.find((o) => o.output_type === "execute_result")?.data?.["text/plain"], "2");
  assert.equal(text(out.cells[2]!), "late\n", "late output stays with its own cell");
  assert.equal(text(out.cells[2]!, "stderr"), "to stderr\n");
  assert.equal(out.cells[3]!.outputs![0]!.data!["text/markdown"], "**updated**", "update_display_data reaches the earlier cell");
  assert.equal(text(out.cells[4]!), "two\n");
  const timing = out.cells[1]!.metadata.execution as Record<string, string>;
  for (const key of ["iopub.status.busy", "iopub.execute_input", "shell.execute_reply", "iopub.status.idle"]) assert.ok(timing[key], `timing ${key}`);
  assert.ok(Date.parse(timing["shell.execute_reply"]!) >= Date.parse(timing["iopub.execute_input"]!));
  assert.ok(existsSync(path.join(dir, "out", "first.html")));
  assert.match(readFileSync(path.join(dir, "out", "index.html"), "utf8"), /first\.html/);
  assert.deepEqual(readdirSync(path.join(dir, "out")).filter((name) => name.includes("partial")), [], "no temporary files left");
});

test("a failing cell stops its notebook, names notebook, cell and line, keeps outputs so far; other notebooks still run", (t) => {
  const dir = workspace(t);
  writeFileSync(path.join(dir, "a-fails.ipynb"), notebookJson([code('console.log("before");'), code('const x = 1;\nthrow new RangeError("bad value");'), code('console.log("never");')]));
  writeFileSync(path.join(dir, "b-fine.ipynb"), notebookJson([code('console.log("fine");')]));
  const result = run(["."], dir);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /a-fails\.ipynb: cell 2 \(line 2\) failed: RangeError: bad value/);
  const failed = readOut(dir, "a-fails");
  assertValidNotebook(path.join(dir, "out", "a-fails.ipynb"));
  assert.equal(text(failed.cells[0]!), "before\n");
  assert.equal(failed.cells[1]!.outputs!.find((o) => o.output_type === "error")?.ename, "RangeError");
  assert.deepEqual(failed.cells[2]!.outputs, [], "cells after the failure do not run");
  assert.equal(failed.cells[2]!.execution_count, null);
  assert.equal(text(readOut(dir, "b-fine").cells[0]!), "fine\n");
  assert.match(result.stdout, /a-fails\s+2\s+1\s+[\d.]+\s+failed/);
  assert.match(result.stdout, /b-fine\s+1\s+0\s+[\d.]+\s+ok/);

  const allowed = run(["a-fails.ipynb", "--allow-errors"], dir);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.equal(text(readOut(dir, "a-fails").cells[2]!), "never\n");
});

test("an error thrown in an earlier cell's function names the failing cell's own line", (t) => {
  const dir = workspace(t);
  writeFileSync(path.join(dir, "deep.ipynb"), notebookJson([
    code("function f(): never {\n  throw new Error('deep');\n}"),
    code("// a\n// b\n// c\n\nf();"),
  ]));
  const result = run(["deep.ipynb"], dir);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /deep\.ipynb: cell 2 \(line 5\) failed: Error: deep/);
  writeFileSync(path.join(dir, "inner.ipynb"), notebookJson([
    code("function f(): never {\n  throw new Error('deep');\n}"),
    code("const g = () => f();\n\ng();"),
  ]));
  assert.match(run(["inner.ipynb"], dir).stderr, /inner\.ipynb: cell 2 \(line 1\) failed: Error: deep/, "the innermost frame of the failing cell");
});

test("a type error names the cell and line too", (t) => {
  const dir = workspace(t);
  writeFileSync(path.join(dir, "typed.ipynb"), notebookJson([markdown("intro"), code('const n: number = 1;\nconst s: string = n;')]));
  const result = run(["typed.ipynb"], dir);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /typed\.ipynb: cell 2 \(line 2\) failed: TypeScriptError: .*TS2322/);
});

test("a cell over --timeout is interrupted and reported; the notebook is saved with the interruption", (t) => {
  const dir = workspace(t);
  // The first cell warms the type checker up, so the limit is spent in the loop, not in checking.
  writeFileSync(path.join(dir, "slow.ipynb"), notebookJson([code('console.log("warm");'), code('console.log("started");\nfor (;;) {}'), code('console.log("never");')]));
  const result = run(["slow.ipynb", "--timeout", "8"], dir);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /slow\.ipynb: cell 2 timed out after its 8 s limit; the kernel was interrupted/);
  const out = readOut(dir, "slow");
  assert.equal(text(out.cells[1]!), "started\n");
  assert.equal(out.cells[1]!.outputs!.find((o) => o.output_type === "error")?.ename, "InterruptError");
  assert.deepEqual(out.cells[2]!.outputs, []);
  assert.match(result.stdout, /slow\s+2\s+0\s+[\d.]+\s+timeout/);
});

test("a --timeout or --notebook-timeout past setTimeout's 24.8-day limit is a long limit, not an instant timeout", (t) => {
  const dir = workspace(t);
  writeFileSync(path.join(dir, "patient.ipynb"), notebookJson([code('await new Promise((r) => setTimeout(r, 100));\nconsole.log("waited");'), code('console.log("second");')]));
  for (const flag of ["--timeout", "--notebook-timeout"]) {
    const result = run(["patient.ipynb", flag, "2147484"], dir);
    assert.equal(result.code, 0, `${flag}: ${result.stderr}`);
    assert.doesNotMatch(result.stderr, /TimeoutOverflowWarning/);
    const out = readOut(dir, "patient");
    assert.deepEqual([text(out.cells[0]!), text(out.cells[1]!)], ["waited\n", "second\n"]);
  }
});

test("bad notebooks get clear errors and the others still run", (t) => {
  const dir = workspace(t);
  writeFileSync(path.join(dir, "broken.ipynb"), '{"cells": [');
  writeFileSync(path.join(dir, "old.ipynb"), JSON.stringify({ nbformat: 3, nbformat_minor: 0, worksheets: [] }));
  writeFileSync(path.join(dir, "weird.ipynb"), JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: "python", source: "" }] }));
  writeFileSync(path.join(dir, "good.ipynb"), notebookJson([code('console.log("good");')]));
  const result = run(["."], dir);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /broken\.ipynb: not valid JSON/);
  assert.match(result.stderr, /old\.ipynb: nbformat 3 is not supported/);
  assert.match(result.stderr, /weird\.ipynb: cell 1: cell_type "python" is not code, markdown or raw/);
  assert.equal(text(readOut(dir, "good").cells[0]!), "good\n");
  assert.match(result.stdout, /broken\s+0\s+0\s+-\s+invalid/);
  const index = readFileSync(path.join(dir, "out", "index.html"), "utf8");
  assert.ok(index.includes("4 notebooks, 3 invalid"), "the index counts the notebooks that never ran");
  assert.ok(index.includes("<td>broken</td>") && !index.includes("broken.html"), "no link to a page that was never written");
  assert.ok(!existsSync(path.join(dir, "out", "broken.html")));
  assert.ok(index.includes('<a href="good.html">good</a>'));
  assert.equal(run(["missing.ipynb"], dir).code, 2);
});

test("an --out that cannot be written is refused before anything runs, naming the folder and why", (t) => {
  const dir = workspace(t);
  writeFileSync(path.join(dir, "marks.ipynb"), notebookJson([code('import { writeFileSync } from "node:fs";\nwriteFileSync("ran.txt", "");')]));
  writeFileSync(path.join(dir, "blocker"), "a file, not a folder");
  for (const out of ["blocker", "blocker/inside"]) {
    const result = run(["marks.ipynb", "--out", out], dir);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr, `parlab run: --out ${out}: cannot write the results there (a file is in the way of that folder)\n`);
    assert.equal(existsSync(path.join(dir, "ran.txt")), false, "the notebook did not run");
  }
});

test("a save that fails mid-run fails that notebook with a clear message; the other notebooks still run", (t) => {
  const dir = workspace(t);
  // The notebook puts a folder where its own executed copy goes, so every save of it fails.
  writeFileSync(path.join(dir, "a-blocked.ipynb"), notebookJson([code('import { mkdirSync } from "node:fs";\nmkdirSync("out/a-blocked.ipynb", { recursive: true });'), code('console.log("two");')]));
  writeFileSync(path.join(dir, "b-fine.ipynb"), notebookJson([code('console.log("fine");')]));
  const result = run(["a-blocked.ipynb", "b-fine.ipynb"], dir);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /✗ a-blocked\.ipynb: cannot save out\/a-blocked\.ipynb \(a folder is in the way\)/);
  assert.match(result.stdout, /a-blocked\s+\d+\s+0\s+[\d.]+\s+not saved/);
  assert.match(result.stdout, /b-fine\s+1\s+0\s+[\d.]+\s+ok/);
  assert.equal(text(readOut(dir, "b-fine").cells[0]!), "fine\n");
  assert.deepEqual(readdirSync(path.join(dir, "out")).filter((name) => name.includes("partial")), [], "no temporary files left");
});

test("-p values go after the cell tagged parameters; without one, a warning", (t) => {
  const dir = workspace(t);
  writeFileSync(path.join(dir, "params.ipynb"), notebookJson([code("const size = 10;\nconst label = \"default\";", ["parameters"]), code("console.log(size * 2, label, typeof size);")]));
  const result = run(["params.ipynb", "-p", "size=21", "-p", "label=given"], dir);
  assert.equal(result.code, 0, result.stderr);
  const out = readOut(dir, "params");
  assert.deepEqual(out.cells[1]!.metadata.tags, ["injected-parameters"]);
  assert.equal(text(out.cells[2]!), "42 given number\n");
  writeFileSync(path.join(dir, "untagged.ipynb"), notebookJson([code("console.log(typeof size);")]));
  const untagged = run(["untagged.ipynb", "-p", "size=3"], dir);
  assert.match(untagged.stderr, /no cell is tagged "parameters"/);
  assert.equal(text(readOut(dir, "untagged").cells[1]!), "number\n");
  assert.equal(run(["untagged.ipynb", "-p", "2bad=1"], dir).code, 2);
  // Refused before anything runs, rather than failing the notebook as a syntax error or as null.
  for (const [given, why] of [["class=1", '"class" is a reserved word'], ["await=1", '"await" is a reserved word'], ["size=1e400", "1e400 is too large for a number"]] as const) {
    const refused = run(["untagged.ipynb", "-p", given], dir);
    assert.equal(refused.code, 2, given);
    assert.ok(refused.stderr.includes(`-p ${given}: ${why}`), refused.stderr);
  }
});

test("-p redeclares each name as the parameters cell does: same keyword, its annotation, else the value's widened type", (t) => {
  const dir = workspace(t);
  writeFileSync(path.join(dir, "kinds.ipynb"), notebookJson([
    code("let size = 10;\nvar label = \"default\";\nconst mode: string = 'fast';\nconst n: number = 10;\nconst ratio = 0.5;", ["parameters"]),
    code("size += 1;\nconsole.log(n === 10 ? 'a' : 'b', mode === 'fast' ? 'f' : 's', ratio === 0.5 ? 'half' : 'other', size, label, extra);"),
  ]));
  const result = run(["kinds.ipynb", "-p", "size=5", "-p", "label=given", "-p", "mode=slow", "-p", "n=5", "-p", "ratio=0.25", "-p", "extra=[1]"], dir);
  assert.equal(result.code, 0, result.stderr);
  const out = readOut(dir, "kinds");
  assert.equal(source(out.cells[1]!), [
    "// Parameters given to this run",
    "let size: number = 5;",
    'var label: string = "given";',
    'const mode: string = "slow";',
    "const n: number = 5;",
    "const ratio: number = 0.25;",
    "const extra = [1];",
  ].join("\n"));
  assert.equal(text(out.cells[2]!), "b s other 6 given [ 1 ]\n");
});

test("a notebook named index.ipynb keeps its page index.html; the run's index is then parlab-index.html", (t) => {
  const dir = workspace(t);
  writeFileSync(path.join(dir, "index.ipynb"), notebookJson([code('console.log("from the index notebook");')]));
  writeFileSync(path.join(dir, "other.ipynb"), notebookJson([code("1")]));
  const result = run(["."], dir);
  assert.equal(result.code, 0, result.stderr);
  assert.match(readFileSync(path.join(dir, "out", "index.html"), "utf8"), /from the index notebook/);
  const runIndex = readFileSync(path.join(dir, "out", "parlab-index.html"), "utf8");
  assert.match(runIndex, /href="index\.html"/);
  assert.match(runIndex, /href="other\.html"/);
  assert.match(result.stdout, /open parlab-index\.html/);

  writeFileSync(path.join(dir, "parlab-index.ipynb"), notebookJson([code("1")]));
  const clash = run(["."], dir);
  assert.equal(clash.code, 2);
  assert.match(clash.stderr, /index\.ipynb and parlab-index\.ipynb take both names the run's index page can have \(index\.html, then parlab-index\.html\)/);
});

test("the page keeps the text of a terminal hyperlink (OSC 8) in a stream, without the link", (t) => {
  const dir = workspace(t);
  const link = (url: string, label: string, end: string) => `"\\u001b]8;;${url}${end}" + ${label} + "\\u001b]8;;${end}"`;
  writeFileSync(path.join(dir, "links.ipynb"), notebookJson([
    code(`console.log(${link("https://example.com/a", '"first" + "-label"', "\\u001b\\\\")} + " and " + ${link("https://example.com/b", '"second" + "-label"', "\\u0007")});`),
  ]));
  const result = run(["links.ipynb"], dir);
  assert.equal(result.code, 0, result.stderr);
  assert.match(text(readOut(dir, "links").cells[0]!), /first-label.* and .*second-label/, "the notebook keeps the sequences");
  const page = readFileSync(path.join(dir, "out", "links.html"), "utf8");
  assert.match(page, /first-label and second-label/);
  assert.doesNotMatch(page, /example\.com\/[ab]"/);
});

test("progress is one plain line per cell when stderr is not a terminal", (t) => {
  const dir = workspace(t);
  writeFileSync(path.join(dir, "lines.ipynb"), notebookJson([code("1"), code("2")]));
  const result = run(["lines.ipynb"], dir);
  assert.match(result.stderr, /^lines: cell 1\/2 ok \([\d.]+ s\)\nlines: cell 2\/2 ok \([\d.]+ s\)$/m);
  assert.doesNotMatch(result.stderr, /\r|\u001b/);
});

function startRun(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, [CLI, "run", ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => { stderr += chunk; });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (status) => resolve(status)));
  const waitFor = async (pattern: RegExp) => {
    for (let i = 0; i < 600 && !pattern.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(stderr, pattern);
  };
  return { child, exited, waitFor, stderr: () => stderr };
}

test("Ctrl-C interrupts the running cell, saves the notebook and exits 130", async (t) => {
  const dir = workspace(t);
  writeFileSync(path.join(dir, "long.ipynb"), notebookJson([code('console.log("first");'), code('console.log("second");\nawait new Promise(() => {});'), code('console.log("never");')]));
  const running = startRun(["long.ipynb"], dir);
  await running.waitFor(/long: cell 1\/3 ok/);
  await new Promise((r) => setTimeout(r, 1000));
  running.child.kill("SIGINT");
  assert.equal(await running.exited, 130, running.stderr());
  const out = readOut(dir, "long");
  assert.equal(text(out.cells[1]!), "second\n");
  assert.equal(out.cells[1]!.outputs!.find((o) => o.output_type === "error")?.ename, "InterruptError");
  assert.deepEqual(out.cells[2]!.outputs, []);
  assert.match(running.stderr(), /long\.ipynb: cell 2 interrupted/);
});

test("SIGTERM stops the running cell, saves and exits 143; a second one exits at once; no connection file is left", async (t) => {
  const dir = workspace(t);
  const tmp = path.join(dir, "tmp");
  mkdirSync(tmp);
  const env = { ...process.env, TMPDIR: tmp };
  writeFileSync(path.join(dir, "long.ipynb"), notebookJson([code('console.log("first");'), code('await new Promise(() => {});'), code('console.log("never");')]));
  const graceful = startRun(["long.ipynb"], dir, env);
  await graceful.waitFor(/long: cell 1\/3 ok/);
  graceful.child.kill("SIGTERM");
  assert.equal(await graceful.exited, 143, graceful.stderr());
  assert.equal(readOut(dir, "long").cells[1]!.outputs!.find((o) => o.output_type === "error")?.ename, "InterruptError");
  // The folder with the connection file holds the kernel's key: never left behind.
  assert.deepEqual(readdirSync(tmp).filter((name) => name.startsWith("parlab-run-")), []);
  const hurried = startRun(["long.ipynb"], dir, env);
  await hurried.waitFor(/long: cell 1\/3 ok/);
  hurried.child.kill("SIGTERM");
  await hurried.waitFor(/terminating/);
  hurried.child.kill("SIGTERM");
  assert.equal(await hurried.exited, 143, hurried.stderr());
  assert.deepEqual(readdirSync(tmp).filter((name) => name.startsWith("parlab-run-")), []);
});

test("a runner killed mid-run leaves complete files and no kernel behind", async (t) => {
  const dir = workspace(t);
  const cells = [code('console.log(process.pid);')];
  for (let i = 0; i < 40; i++) cells.push(code(`await new Promise((r) => setTimeout(r, 50));\nconsole.log(${i});`));
  writeFileSync(path.join(dir, "killed.ipynb"), notebookJson(cells));
  const running = startRun(["killed.ipynb"], dir);
  await running.waitFor(/killed: cell 5\/41 ok/);
  const kernelPid = Number(text(readOut(dir, "killed").cells[0]!));
  assert.ok(kernelPid > 0);
  running.child.kill("SIGKILL");
  await running.exited;
  assertValidNotebook(path.join(dir, "out", "killed.ipynb"));
  let alive = true;
  for (let i = 0; i < 100 && alive; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try { process.kill(kernelPid, 0); } catch { alive = false; }
  }
  assert.equal(alive, false, "the kernel outlived its killed runner");
});

test("in a terminal, progress is one line redrawn in place with the notebook, cell n/m and elapsed time", (t) => {
  const dir = workspace(t);
  writeFileSync(path.join(dir, "tty.ipynb"), notebookJson([code("await new Promise((r) => setTimeout(r, 700));"), code("2")]));
  // util-linux `script` gives the runner a pseudo-terminal, as a user's shell would.
  const result = spawnSync("script", ["-qec", `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} run tty.ipynb`, "/dev/null"], { cwd: dir, encoding: "utf8", timeout: 120_000 });
  assert.equal(result.status, 0, result.stdout);
  assert.match(result.stdout, /\r\u001b\[2Ktty {2}[█░]+ {2}cell 1\/2 {2}\d+\.\d s/);
  assert.match(result.stdout, /\r\u001b\[2Ktty {2}[█░]+ {2}cell 2\/2/);
  assert.doesNotMatch(result.stdout, /tty: cell 1\/2 ok/, "no plain lines in a terminal");
});
