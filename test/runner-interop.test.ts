// `parlab run` against the rest of the Jupyter world, all Debian's real Python packages:
// - through a Jupyter Server (jupyter-server + @jupyterlab/services) the executed notebook equals
//   the embedded run's, a wrong token is a clear error, and a failing cell reads the same;
// - nbclient (nbconvert --execute, the kernelspec installed in a sandbox) runs the same notebooks
//   with the parlab kernel and shows the same streams and results as `parlab run`;
// - with PARLAB_INTEROP_NOTEBOOKS=1, nbconvert also runs every notebook under notebooks/ (minutes).
// The server, kernels and nbconvert all use a sandbox Jupyter data dir, never the user's.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CLI, PYTHON, REPO, jupyterSandbox, type JupyterSandbox } from "./helpers/jupyter.js";

const HAS_JUPYTER = spawnSync(PYTHON, ["-c", "import jupyter_server, nbclient, nbconvert, nbformat"], { stdio: "ignore" }).status === 0;
const skip = HAS_JUPYTER ? false : `${PYTHON} lacks jupyter_server, nbclient, nbconvert or nbformat`;

// ---------- notebooks ----------

type Cell = { cell_type: "code" | "markdown"; source: string };
const code = (source: string): Cell => ({ cell_type: "code", source });
const markdown = (source: string): Cell => ({ cell_type: "markdown", source });

function notebookJson(cells: Cell[]): string {
  return JSON.stringify({
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: "parlab", display_name: "TypeScript (parlab)", language: "typescript" } },
    cells: cells.map((cell, i) => ({ id: `cell-${i}`, metadata: {}, ...cell, ...(cell.cell_type === "code" ? { outputs: [], execution_count: null } : {}) })),
  });
}

/** Streams, an execute_result, a display, a parlab helper import, markdown; no errors. */
const SMALL = [
  markdown("# Interop\nThe same notebook through every client."),
  code('console.log("hello");\n1 + 1'),
  code('display({ "text/markdown": "**shown**", "text/plain": "shown" });'),
  code('import { gather, sleep } from "parlab";\nconst done = await gather(() => sleep(10).then(() => "a"), () => sleep(10).then(() => "b"));\nconsole.log("gathered", done.length);\nconsole.error("to stderr");'),
  code('const words = ["x", "y", "z"];\nfor (const w of words) console.log(w);\nwords.join("-")'),
];

const FAILING = [code('console.log("before");'), markdown("between"), code('const x = 1;\nthrow new RangeError("bad value");'), code('console.log("never");')];

// ---------- reading outputs ----------

type RawOutput = { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown>; execution_count?: number | null; ename?: string; evalue?: string };
type RawCell = { cell_type: string; execution_count?: number | null; outputs?: RawOutput[] };
const joined = (value: unknown) => (Array.isArray(value) ? value.join("") : typeof value === "string" ? value : JSON.stringify(value));

/** A notebook's code cells as comparable outputs: no timing, multiline text joined, consecutive streams merged. */
function outputsOf(file: string) {
  const notebook = JSON.parse(readFileSync(file, "utf8")) as { cells: RawCell[] };
  return notebook.cells.filter((cell) => cell.cell_type === "code").map((cell) => {
    const outputs: Record<string, unknown>[] = [];
    for (const output of cell.outputs ?? []) {
      const last = outputs.at(-1);
      if (output.output_type === "stream") {
        if (last?.output_type === "stream" && last.name === output.name) last.text = `${last.text as string}${joined(output.text)}`;
        else outputs.push({ output_type: "stream", name: output.name, text: joined(output.text) });
      } else if (output.output_type === "error") {
        outputs.push({ output_type: "error", ename: output.ename, evalue: output.evalue });
      } else {
        const data = Object.fromEntries(Object.entries(output.data ?? {}).map(([mime, value]) => [mime, joined(value)]));
        outputs.push({ output_type: output.output_type, data, ...(output.output_type === "execute_result" ? { execution_count: output.execution_count } : {}) });
      }
    }
    return { execution_count: cell.execution_count ?? null, outputs };
  });
}

/** Only what the kernel said in text: streams and results (what nbclient and the runner must agree on exactly). */
const streamsAndResults = (cells: ReturnType<typeof outputsOf>) =>
  cells.map((cell) => cell.outputs.filter((output) => output.output_type === "stream" || output.output_type === "execute_result"));

// ---------- processes ----------

interface Ran { code: number | null; signal: string | null; stdout: string; stderr: string }

/** Runs a command to its end (async, so a server started by this test keeps being served). */
function runProcess(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 90_000);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const parlabRun = (args: string[], cwd: string, env: NodeJS.ProcessEnv) => runProcess(process.execPath, [CLI, "run", ...args], { cwd, env });

function nbconvert(input: string, output: string, env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<Ran> {
  return runProcess(PYTHON, [
    "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.kernel_name=parlab",
    "--ExecutePreprocessor.timeout=120", "--output-dir", path.dirname(output), "--output", path.basename(output), input,
  ], { cwd: path.dirname(input), env, timeoutMs });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface SessionModel { id: string; path: string; kernel: { id: string } }

interface JupyterServer { url: string; port: number; token: string; log(): string; stop(): Promise<void> }

/**
 * Debian's jupyter-server on a port chosen here (its log does not say which port `--port=0` got),
 * with port_retries=0 so a port taken meanwhile makes it exit, and then another port is tried.
 */
async function startJupyterServer(sandbox: JupyterSandbox, root: string): Promise<JupyterServer> {
  const token = randomBytes(16).toString("hex");
  let lastLog = "";
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(PYTHON, [
      "-m", "jupyter_server", "--no-browser", "--allow-root", "--ip=127.0.0.1", `--port=${port}`, "--ServerApp.port_retries=0",
      `--ServerApp.token=${token}`, `--ServerApp.root_dir=${root}`,
    ], { cwd: root, env: sandbox.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let log = "";
    const keep = (chunk: Buffer) => { log = (log + chunk.toString()).slice(-20_000); };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    // Should this test process end without its after hooks, the server must not outlive it.
    const killOnExit = () => { try { process.kill(-child.pid!, "SIGKILL"); } catch { /* gone */ } };
    process.once("exit", killOnExit);
    void exited.then(() => process.off("exit", killOnExit));
    const server: JupyterServer = { url: `http://127.0.0.1:${port}/`, port, token, log: () => log, stop: () => stopServer(child, exited) };
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
      const status = await fetch(`${server.url}api/status`, { headers: { Authorization: `token ${token}` } }).then((response) => response.status, () => 0);
      if (status === 200) return server;
      await sleep(200);
    }
    await server.stop();
    lastLog = log;
  }
  throw new Error(`jupyter-server did not answer /api/status; its log:\n${lastLog}`);
}

/** SIGTERM lets the server shut its kernels down; the whole group is killed if it takes over 10 s. */
async function stopServer(child: ChildProcess, exited: Promise<void>): Promise<void> {
  const group = (signal: NodeJS.Signals) => { try { process.kill(-child.pid!, signal); } catch { /* gone */ } };
  if (child.exitCode === null && child.signalCode === null) {
    group("SIGTERM");
    if (!(await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]))) group("SIGKILL");
  }
  await Promise.race([exited, sleep(2000)]);
  group("SIGKILL"); // kernels the server left behind in its group
}

/**
 * The client library narrates its connections and kernel states through the console; none of it
 * may mix into what the runner prints: the summary table on stdout, one line per cell (and ✗ or !
 * lines) on stderr.
 */
function assertOnlyRunnerOutput(result: Ran, notebooks: string[]): void {
  const lines = result.stdout.split("\n");
  assert.match(lines[0]!, /^notebook +cells +errors +seconds +status$/, result.stdout);
  assert.match(lines[1]!, /^[- ]+$/, result.stdout);
  assert.deepEqual(lines.slice(2, 2 + notebooks.length).map((line) => line.split(" ")[0]), notebooks, result.stdout);
  assert.deepEqual(lines.slice(2 + notebooks.length, -2), [""], result.stdout);
  assert.match(lines.at(-2)!, /^written to .+ \(open index\.html\)$/, result.stdout);
  assert.equal(lines.at(-1), "", result.stdout);
  for (const line of result.stderr.split("\n").slice(0, -1)) assert.match(line, /^(\S+: cell \d+\/\d+ \w+ \(.+\)|[✗!] .+)$/, result.stderr);
}

// ---------- shared set-up ----------

let sandbox: JupyterSandbox;
let dir: string;
/** The embedded run of SMALL and FAILING, computed once: the reference every other client is held to. */
let embedded: { small: ReturnType<typeof outputsOf>; failure: string };

const failureLine = (stderr: string) => stderr.split("\n").find((line) => line.startsWith("✗ ")) ?? "";

before(async () => {
  if (!HAS_JUPYTER) return;
  sandbox = jupyterSandbox();
  dir = mkdtempSync(path.join(tmpdir(), "parlab-interop-"));
  writeFileSync(path.join(dir, "small.ipynb"), notebookJson(SMALL));
  writeFileSync(path.join(dir, "fails.ipynb"), notebookJson(FAILING));
  // One run of both (one kernel each): exit code 1 for the failing one, the other must be ok.
  const result = await parlabRun(["small.ipynb", "fails.ipynb", "--out", "embedded"], dir, sandbox.env);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stdout, /small\s+4\s+0\s+[\d.]+\s+ok/, result.stderr);
  assert.match(result.stdout, /fails\s+2\s+1\s+[\d.]+\s+failed/, result.stderr);
  embedded = { small: outputsOf(path.join(dir, "embedded", "small.ipynb")), failure: failureLine(result.stderr) };
});

after(() => {
  sandbox?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the embedded run is the reference: every cell's output is there", { skip }, () => {
  const texts = streamsAndResults(embedded.small);
  assert.deepEqual(embedded.small.map((cell) => cell.execution_count), [1, 2, 3, 4]);
  assert.deepEqual(texts[0], [{ output_type: "stream", name: "stdout", text: "hello\n" }, { output_type: "execute_result", data: { "text/plain": "2" }, execution_count: 1 }]);
  assert.deepEqual(embedded.small[1]!.outputs, [{ output_type: "display_data", data: { "text/markdown": "**shown**", "text/plain": "shown" } }]);
  assert.deepEqual(texts[2], [{ output_type: "stream", name: "stdout", text: "gathered 2\n" }, { output_type: "stream", name: "stderr", text: "to stderr\n" }]);
  assert.deepEqual(texts[3]!.map((output) => output.text ?? output.data), ["x\ny\nz\n", { "text/plain": "'x-y-z'" }]);
  assert.equal(embedded.failure, "✗ fails.ipynb: cell 3 (line 2) failed: RangeError: bad value");
});

test("through a Jupyter Server: same outputs as embedded, wrong token is a clear error, a failing cell reads the same", { skip }, async (t) => {
  // The server serves the folder parlab runs in, as when both start in one project folder.
  const server = await startJupyterServer(sandbox, dir);
  t.after(() => server.stop());
  const api = async (route: string, method = "GET", body?: unknown) => {
    const response = await fetch(`${server.url}api/${route}`, { method, headers: { Authorization: `token ${server.token}` }, body: body === undefined ? undefined : JSON.stringify(body) });
    assert.ok(response.ok, `${method} /api/${route}: HTTP ${response.status}`);
    return response.status === 204 ? undefined : await response.json() as unknown;
  };

  await t.test("a notebook runs on the server's kernel and its outputs equal the embedded run's", async () => {
    const result = await parlabRun(["small.ipynb", "--server", server.url, "--token", server.token, "--out", path.join(dir, "remote")], dir, sandbox.env);
    assert.equal(result.code, 0, `${result.stderr}\n--- server log ---\n${server.log()}`);
    assert.match(result.stdout, /small\s+4\s+0\s+[\d.]+\s+ok/);
    assertOnlyRunnerOutput(result, ["small"]);
    assert.deepEqual(outputsOf(path.join(dir, "remote", "small.ipynb")), embedded.small);
    const metadata = (file: string) => (JSON.parse(readFileSync(file, "utf8")) as { metadata: Record<string, unknown> }).metadata;
    assert.deepEqual(metadata(path.join(dir, "remote", "small.ipynb")).language_info, metadata(path.join(dir, "embedded", "small.ipynb")).language_info);
    assert.deepEqual(await api("sessions"), [], "the run deleted its session on the server");
    assert.deepEqual(await api("kernels"), [], "the run shut its kernel down on the server");
  });

  await t.test("the kernel starts in the notebook's folder: a local .ts import resolves; a JupyterLab session on the same notebook is left alone", async () => {
    const folder = path.join(dir, "nest", "sub");
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, "helper.ts"), "export const v = 42;\n");
    writeFileSync(path.join(folder, "c.ipynb"), notebookJson([code('import { v } from "./helper.ts";\nconsole.log(v, process.cwd());')]));
    const user = await api("sessions", "POST", { path: "nest/sub/c.ipynb", type: "notebook", name: "c.ipynb", kernel: { name: "parlab" } }) as SessionModel;
    const result = await parlabRun([path.join("nest", "sub", "c.ipynb"), "--server", server.url, "--token", server.token, "--out", path.join(dir, "nested")], dir, sandbox.env);
    assert.equal(result.code, 0, `${result.stderr}\n--- server log ---\n${server.log()}`);
    assert.deepEqual(streamsAndResults(outputsOf(path.join(dir, "nested", "c.ipynb"))), [[{ output_type: "stream", name: "stdout", text: `42 ${realpathSync(folder)}\n` }]]);
    const left = await api("sessions") as SessionModel[];
    assert.deepEqual(left.map((session) => [session.path, session.kernel.id]), [["nest/sub/c.ipynb", user.kernel.id]], "only the user's own session is left, with its kernel");
    await api(`sessions/${user.id}`, "DELETE");
    assert.deepEqual(await api("kernels"), [], "the run shut its kernel down on the server");
  });

  await t.test("a notebook the server does not serve still runs, in the server's root folder, and says so; --cwd is refused", async () => {
    const elsewhere = mkdtempSync(path.join(tmpdir(), "parlab-elsewhere-"));
    t.after(() => rmSync(elsewhere, { recursive: true, force: true }));
    writeFileSync(path.join(elsewhere, "stray.ipynb"), notebookJson([code("console.log(process.cwd())")]));
    const ranInRoot = (outDir: string) => assert.deepEqual(streamsAndResults(outputsOf(path.join(outDir, "stray.ipynb"))), [[{ output_type: "stream", name: "stdout", text: `${realpathSync(dir)}\n` }]]);
    const outside = await parlabRun([path.join(elsewhere, "stray.ipynb"), "--server", server.url, "--token", server.token, "--out", path.join(dir, "outside")], dir, sandbox.env);
    assert.equal(outside.code, 0, outside.stderr);
    assert.ok(outside.stderr.includes(`! ${path.join(elsewhere, "stray.ipynb")}: outside ${realpathSync(dir)}, the folder parlab takes for the server's root: its kernel runs in the server's root folder, where its relative imports may not resolve`), outside.stderr);
    ranInRoot(path.join(dir, "outside"));
    const unserved = await parlabRun(["stray.ipynb", "--server", server.url, "--token", server.token, "--out", path.join(dir, "unserved")], elsewhere, sandbox.env);
    assert.equal(unserved.code, 0, unserved.stderr);
    assert.ok(unserved.stderr.includes(`! stray.ipynb: the server has no stray.ipynb (it does not serve ${realpathSync(elsewhere)}): its kernel runs in the server's root folder, where its relative imports may not resolve`), unserved.stderr);
    ranInRoot(path.join(dir, "unserved"));
    const cwd = await parlabRun(["small.ipynb", "--server", server.url, "--token", server.token, "--cwd", elsewhere, "--out", path.join(dir, "stray")], dir, sandbox.env);
    assert.equal(cwd.code, 2, cwd.stderr);
    assert.equal(cwd.stderr, "parlab run: --cwd does not work with --server: the server starts each kernel in its notebook's folder\n");
    assert.deepEqual(await api("sessions"), []);
    assert.deepEqual(await api("kernels"), []);
  });

  await t.test("a wrong token: a clear error naming the server, exit code 1, no crash", async () => {
    const result = await parlabRun(["small.ipynb", "--server", server.url, "--token", "not-the-token", "--out", path.join(dir, "refused")], dir, sandbox.env);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.signal, null);
    const origin = server.url.replace(/\/$/, "");
    assert.ok(result.stderr.includes(`✗ small.ipynb: cannot start kernel "parlab" on ${origin}: the server refused the token (HTTP 403)`), result.stderr);
    assert.doesNotMatch(result.stderr, /^\s+at /m, "no stack trace");
    assert.match(result.stdout, /small\s+0\s+0\s+-\s+no kernel/);
  });

  await t.test("a failing cell stops the notebook with the embedded run's message", async () => {
    const result = await parlabRun(["fails.ipynb", "--server", server.url, "--token", server.token, "--out", path.join(dir, "remote")], dir, sandbox.env);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(failureLine(result.stderr), embedded.failure);
    const cells = outputsOf(path.join(dir, "remote", "fails.ipynb"));
    assert.deepEqual(cells.map((cell) => cell.outputs.map((output) => output.output_type)), [["stream"], ["error"], []]);
    assert.deepEqual(cells[1]!.outputs[0], { output_type: "error", ename: "RangeError", evalue: "bad value" });
    assert.equal(cells[2]!.execution_count, null, "cells after the failure do not run");
  });
});

test("nbclient (nbconvert --execute) runs the same notebook with the parlab kernelspec: same streams and results as parlab run", { skip }, async () => {
  const output = path.join(dir, "nbclient", "small.ipynb");
  const result = await nbconvert(path.join(dir, "small.ipynb"), output, sandbox.env);
  assert.equal(result.code, 0, result.stderr);
  const cells = outputsOf(output);
  assert.deepEqual(streamsAndResults(cells), streamsAndResults(embedded.small));
  assert.deepEqual(cells.map((cell) => cell.execution_count), embedded.small.map((cell) => cell.execution_count));
  // The display: nbclient keeps every mime type the kernel sent, as the runner does.
  assert.deepEqual(cells[1]!.outputs, embedded.small[1]!.outputs);
  const languageInfo = (file: string) => (JSON.parse(readFileSync(file, "utf8")) as { metadata: { language_info?: unknown } }).metadata.language_info;
  assert.ok(languageInfo(output), "nbclient wrote language_info");
  assert.deepEqual(languageInfo(path.join(dir, "embedded", "small.ipynb")), languageInfo(output), "the same language_info as nbclient writes");
  const check = spawnSync(PYTHON, ["-c", "import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4)); print('valid')", output], { encoding: "utf8" });
  assert.equal(check.stdout.trim(), "valid", check.stderr);
});

test("nbconvert --to script turns the executed notebook into a .ts file (it reads the kernel's language_info)", { skip }, async () => {
  const executed = path.join(dir, "embedded", "small.ipynb");
  const result = await runProcess(PYTHON, ["-m", "jupyter", "nbconvert", "--to", "script", "--output-dir", path.join(dir, "script"), executed], { cwd: dir, env: sandbox.env });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(readdirSync(path.join(dir, "script")), ["small.ts"]);
  assert.match(readFileSync(path.join(dir, "script", "small.ts"), "utf8"), /console\.log\("hello"\);/);
});

const NOTEBOOKS_DIR = path.join(REPO, "notebooks");

function findNotebooks(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith(".") || entry.name === "node_modules" ? [] : findNotebooks(full);
    return entry.name.endsWith(".ipynb") ? [full] : [];
  });
}

const projectNotebooks = findNotebooks(NOTEBOOKS_DIR);
// The prepared notebooks measure real work (seconds each): nbconvert over all of them took ~4.5 min
// for 9 notebooks on a busy 2-core machine, past this file's ~2-minute budget, and the notebooks'
// own tests already run them through `parlab run`. So this sweep is asked for, not run by default.
const SWEEP = process.env.PARLAB_INTEROP_NOTEBOOKS === "1";

test("nbclient runs every notebook under notebooks/ with the parlab kernel", {
  skip: skip
    || (projectNotebooks.length === 0 ? `no .ipynb under ${NOTEBOOKS_DIR} yet` : false)
    || (!SWEEP ? `${projectNotebooks.length} notebooks under notebooks/ take minutes through nbconvert: set PARLAB_INTEROP_NOTEBOOKS=1 to run them` : false),
}, async (t) => {
  for (const [index, notebook] of projectNotebooks.entries()) {
    await t.test(path.relative(NOTEBOOKS_DIR, notebook), async () => {
      const output = path.join(dir, "project", String(index), path.basename(notebook));
      const result = await nbconvert(notebook, output, sandbox.env, 180_000);
      assert.equal(result.code, 0, result.stderr.slice(-4000));
      assert.ok(existsSync(output));
      const errors = outputsOf(output).flatMap((cell) => cell.outputs).filter((out) => out.output_type === "error");
      assert.deepEqual(errors, []);
    });
  }
});
