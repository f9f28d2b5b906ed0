// `parlab run`: executes notebooks, one fresh kernel each, and writes the executed .ipynb and an
// offline .html per notebook plus an index page. One notebook's failure never stops the others;
// Ctrl-C interrupts the running cell, saves, and stops.
import { mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "./atomic-write.js";
import { executeNotebook, type ExecuteResult } from "./execute-notebook.js";
import type { KernelConnection } from "./kernel-connection.js";
import { readNotebook, serializeNotebook, type Notebook } from "./notebook.js";
import { injectParameters, parseParameter, type Parameter } from "./parameters.js";
import { progressView, type ProgressView } from "./progress.js";

export interface RunOptions {
  out: string;
  timeout?: number;
  notebookTimeout?: number;
  allowErrors: boolean;
  kernel?: string;
  cwd?: string;
  parameters: string[];
  server?: string;
  token?: string;
}

interface Job {
  source: string;
  /** Path inside the output folder, without extension. */
  name: string;
}

interface Row {
  job: Job;
  status: ExecuteResult["status"] | "invalid" | "no kernel" | "skipped";
  cells: number;
  errors: number;
  seconds: number | null;
  message?: string;
  /** Its .html page was written (not for a notebook that never ran, nor when that save failed). */
  page?: boolean;
}

export const DEFAULT_NOTEBOOKS = "notebooks";

/** Returns the process exit code: 0 all ran clean, 1 something failed, 130 interrupted. */
export async function runCommand(inputs: string[], options: RunOptions): Promise<number> {
  const parameters: Parameter[] = options.parameters.map(parseParameter);
  for (const [name, value] of [["--timeout", options.timeout], ["--notebook-timeout", options.notebookTimeout]] as const) {
    if (value !== undefined && !(value > 0)) throw new Error(`${name} must be a number of seconds above 0`);
  }
  if (options.server && !options.token) throw new Error("--server needs --token (the Jupyter Server's token)");
  if (options.server && options.cwd) throw new Error("--cwd does not work with --server: the server starts each kernel in its notebook's folder");
  const out = path.resolve(options.out);
  const jobs = await collectJobs(inputs.length > 0 ? inputs : [DEFAULT_NOTEBOOKS], out);
  const indexPage = indexPageFor(jobs);
  const view = progressView(process.stderr);
  if (jobs.length === 0) {
    view.line(`no notebooks found in ${(inputs.length > 0 ? inputs : [DEFAULT_NOTEBOOKS]).join(", ")}`);
    return 1;
  }
  await checkWritable(out);

  const interrupted = new AbortController();
  // SIGTERM (a CI job cancelled, `docker stop`) is a request to stop, as Ctrl-C is: the running
  // cell is stopped and the notebook saved.
  let exitCode = 130;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted.signal.aborted) {
      // A second signal: every file written so far is complete (writes are atomic).
      process.exit(exitCode);
    }
    exitCode = signal === "SIGTERM" ? 143 : 130;
    view.line(`${signal === "SIGTERM" ? "terminating" : "interrupting"}: the running cell is stopped and the notebook saved (${signal === "SIGTERM" ? "SIGTERM" : "Ctrl-C"} again to quit at once)`);
    interrupted.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const rows: Row[] = [];
  try {
    for (const job of jobs) {
      if (interrupted.signal.aborted) {
        rows.push({ job, status: "skipped", cells: 0, errors: 0, seconds: null, message: "not run: the run was interrupted" });
        continue;
      }
      rows.push(await runOne(job, out, parameters, options, view, interrupted.signal));
    }
  } finally {
    view.end();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  const indexWritten = await writeIndex(out, indexPage, rows).then(() => true, (error: unknown) => {
    process.stderr.write(`✗ ${saveFailure(path.join(out, indexPage), error)}\n`);
    return false;
  });
  printSummary(rows, out, indexPage);
  if (interrupted.signal.aborted) return exitCode;
  return indexWritten && rows.every((row) => row.status === "ok") ? 0 : 1;
}

async function runOne(job: Job, out: string, parameters: Parameter[], options: RunOptions, view: ProgressView, signal: AbortSignal): Promise<Row> {
  let notebook: Notebook;
  try {
    notebook = await readNotebook(job.source);
  } catch (error) {
    view.line(`✗ ${(error as Error).message}`);
    return { job, status: "invalid", cells: 0, errors: 0, seconds: null, message: (error as Error).message };
  }
  const warning = await injectParameters(notebook, parameters);
  if (warning) view.line(`! ${job.source}: ${warning}`);
  const ipynb = path.join(out, `${job.name}.ipynb`);
  let kernel: KernelConnection;
  try {
    kernel = await startKernel(options, path.resolve(job.source), (text) => view.line(`! ${job.source}: ${text}`));
  } catch (error) {
    const message = `${job.source}: ${(error as Error).message}`;
    view.line(`✗ ${message}`);
    return { job, status: "no kernel", cells: 0, errors: 0, seconds: null, message };
  }
  let result: ExecuteResult;
  try {
    result = await executeNotebook(notebook, kernel, {
      cellTimeout: options.timeout,
      notebookTimeout: options.notebookTimeout,
      allowErrors: options.allowErrors,
      signal,
      save: (executed) => writeFileAtomic(ipynb, serializeNotebook(executed)).catch((error: unknown) => { throw new Error(saveFailure(ipynb, error)); }),
      onProgress: (progress) => view.cell(job.name, progress),
    });
  } finally {
    await kernel.shutdown().catch(() => undefined);
  }
  const page = await writeHtml(notebook, job, out).then(() => true, (error: unknown) => {
    const unsaved = saveFailure(path.join(out, `${job.name}.html`), error);
    Object.assign(result, { status: "not saved", failure: result.failure ? `${result.failure}; and ${unsaved}` : unsaved });
    return false;
  });
  if (result.failure) view.line(`✗ ${job.source}: ${result.failure}`);
  return { job, status: result.status, cells: result.cells, errors: result.errors, seconds: result.seconds, message: result.failure, page };
}

async function startKernel(options: RunOptions, notebook: string, onWarning: (text: string) => void): Promise<KernelConnection> {
  if (options.server) {
    const { startRemoteKernel } = await import("./remote-kernel.js");
    return startRemoteKernel({ url: options.server, token: options.token!, kernelName: options.kernel ?? "parlab", notebook, onWarning });
  }
  const [{ startEmbeddedKernel }, { findKernel }] = await Promise.all([import("./embedded-kernel.js"), import("./kernel-launch.js")]);
  return startEmbeddedKernel(await findKernel(options.kernel), options.cwd ? path.resolve(options.cwd) : path.dirname(notebook));
}

async function writeHtml(notebook: Notebook, job: Job, out: string): Promise<void> {
  const { exportNotebookHtml } = await import("../export/html.js");
  await writeFileAtomic(path.join(out, `${job.name}.html`), exportNotebookHtml(notebook, { title: job.name, sourceName: job.source }));
}

async function writeIndex(out: string, indexPage: string, rows: Row[]): Promise<void> {
  const { exportIndexHtml } = await import("../export/html.js");
  const entries = rows.map((row) => ({
    title: row.job.name,
    href: row.page ? `${row.job.name.split(path.sep).map(encodeURIComponent).join("/")}.html` : null,
    cells: row.cells,
    errors: row.errors,
    seconds: row.seconds,
    status: row.status,
  }));
  await writeFileAtomic(path.join(out, indexPage), exportIndexHtml(entries));
}

/**
 * Before anything runs: a folder that cannot take the files would otherwise be found out only
 * after the first notebook ran.
 */
async function checkWritable(out: string): Promise<void> {
  const probe = path.join(out, `.parlab-write-check-${process.pid}`);
  try {
    await mkdir(out, { recursive: true });
    await writeFile(probe, "");
    await rm(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const isFile = code === "EEXIST" || code === "ENOTDIR";
    throw new Error(`--out ${displayPath(out)}: cannot write the results there (${isFile ? "a file is in the way of that folder" : reason(error)})`);
  }
}

function saveFailure(file: string, error: unknown): string {
  return `cannot save ${displayPath(file)} (${reason(error)})`;
}

/** The system's reason without its "EACCES: ..., open '<temporary file>'" wrapping. */
function reason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const known: Record<string, string> = {
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EROFS: "read-only file system",
    ENOSPC: "no space left on the device",
    EDQUOT: "disk quota exceeded",
    EISDIR: "a folder is in the way",
    EEXIST: "a file is in the way",
    ENOTDIR: "a file is in the way of a folder",
  };
  return (code && known[code]) ?? message;
}

/** Notebooks named directly, and every .ipynb under named folders (not checkpoints, not the output). */
async function collectJobs(inputs: string[], out: string): Promise<Job[]> {
  const jobs: Job[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (!info) throw new Error(`${input}: no such notebook or folder`);
    if (info.isDirectory()) {
      for (const file of await findNotebooks(path.resolve(input), out)) {
        jobs.push({ source: path.relative(process.cwd(), file) || file, name: path.relative(path.resolve(input), file).replace(/\.ipynb$/, "") });
      }
    } else {
      jobs.push({ source: input, name: path.basename(input).replace(/\.ipynb$/, "") });
    }
  }
  const names = new Map<string, string>();
  for (const job of jobs) {
    const other = names.get(job.name);
    if (other) throw new Error(`${other} and ${job.source} would both be written to ${job.name}.ipynb in the output folder: run them separately`);
    names.set(job.name, job.source);
  }
  return jobs;
}

/**
 * The run's own page is index.html, unless a notebook index.ipynb at the top needs that name for its
 * page (a folder's index notebook is common, and its page should be where a browser looks).
 * Compared ignoring case, as the file system may.
 */
function indexPageFor(jobs: Job[]): string {
  const taken = (name: string) => jobs.find((job) => job.name.toLowerCase() === name);
  const index = taken("index");
  if (!index) return "index.html";
  const other = taken(ALTERNATE_INDEX);
  if (other) throw new Error(`${index.source} and ${other.source} take both names the run's index page can have (index.html, then ${ALTERNATE_INDEX}.html) in the output folder: rename one of them`);
  return `${ALTERNATE_INDEX}.html`;
}

const ALTERNATE_INDEX = "parlab-index";

async function findNotebooks(dir: string, out: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name.startsWith(".") || entry.name === "node_modules" || full === out) continue;
      found.push(...(await findNotebooks(full, out)));
    } else if (entry.name.endsWith(".ipynb")) {
      found.push(full);
    }
  }
  return found;
}

function printSummary(rows: Row[], out: string, indexPage: string): void {
  const table = [["notebook", "cells", "errors", "seconds", "status"], ...rows.map((row) => [
    row.job.name, String(row.cells), String(row.errors), row.seconds === null ? "-" : row.seconds.toFixed(1), row.status,
  ])];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((line) => line[column]!.length)));
  const format = (line: string[]) => line.map((cell, column) => (column === 0 || column === 4 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ").trimEnd();
  const lines = [format(table[0]!), widths.map((width) => "-".repeat(width)).join("  "), ...table.slice(1).map(format)];
  process.stdout.write(`${lines.join("\n")}\n\nwritten to ${displayPath(out)}${path.sep} (open ${indexPage})\n`);
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === "" ? "." : relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}
