// Runs a notebook's code cells in order on one kernel, the way nbclient does: outputs kept with
// their own cell (routed by parent message id, also when they arrive late), timing metadata per
// cell, the notebook saved after every cell, and a failure that says where.
import type { KernelMessage } from "@jupyterlab/services";
import type { KernelConnection } from "./kernel-connection.js";
import { CellOutputs, DisplayRegistry } from "./outputs.js";
import { sourceText, type CodeCell, type Notebook } from "./notebook.js";
import { MAX_TIMER_MS } from "../timer-limit.js";

export type NotebookStatus = "ok" | "failed" | "timeout" | "interrupted" | "kernel died" | "not saved";

export interface Progress {
  cell: number;
  cells: number;
  state: "running" | "ok" | "error";
}

export interface ExecuteOptions {
  /** Seconds a cell may run before the kernel is interrupted (default: no limit). */
  cellTimeout?: number;
  /** Seconds the whole notebook may run. */
  notebookTimeout?: number;
  allowErrors: boolean;
  /** Waits this long after the last cell for output that arrives after idle (default 250 ms). */
  graceMs?: number;
  /** Aborted by Ctrl-C: the running cell is interrupted and the notebook ends here. */
  signal?: AbortSignal;
  /** A failed save stops the notebook ("not saved", with the error's message as its failure). */
  save(notebook: Notebook): Promise<void>;
  onProgress?(progress: Progress): void;
}

export interface ExecuteResult {
  status: NotebookStatus;
  /** Code cells that ran. */
  cells: number;
  errors: number;
  seconds: number;
  /** What went wrong, naming the cell and line. */
  failure?: string;
}


/** How long an interrupted cell gets to finish before the run stops waiting for it. */
const AFTER_INTERRUPT_MS = 10_000;

export async function executeNotebook(notebook: Notebook, kernel: KernelConnection, options: ExecuteOptions): Promise<ExecuteResult> {
  const started = Date.now();
  const displays = new DisplayRegistry();
  const collectors = new Map<string, { outputs: CellOutputs; timing: Record<string, string> }>();
  let lastMessage = Date.now();
  kernel.onIOPub = (message) => {
    lastMessage = Date.now();
    const parent = (message.parent_header as Partial<KernelMessage.IHeader>).msg_id;
    const collector = parent ? collectors.get(parent) : undefined;
    if (!collector) return;
    // nbclient's timing keys, so tools that read them work on these notebooks too.
    const type = message.header.msg_type;
    const state = (message.content as { execution_state?: string }).execution_state;
    if (type === "execute_input") collector.timing["iopub.execute_input"] = message.header.date;
    else if (type === "status" && state === "busy") collector.timing["iopub.status.busy"] = message.header.date;
    else if (type === "status" && state === "idle") collector.timing["iopub.status.idle"] = message.header.date;
    collector.outputs.handle(message);
  };
  await recordLanguageInfo(notebook, kernel);
  const code = notebook.cells.filter((cell): cell is CodeCell => cell.cell_type === "code");
  for (const cell of code) {
    cell.outputs = [];
    cell.execution_count = null;
  }
  const notebookDeadline = options.notebookTimeout ? started + options.notebookTimeout * 1000 : Infinity;
  const result: ExecuteResult = { status: "ok", cells: 0, errors: 0, seconds: 0 };
  const saver = new BackgroundSaver(() => options.save(notebook));

  // The next cell is sent while this one runs, so the kernel starts it the moment this one ends,
  // without a round trip through the runner. Only with stop_on_error: the kernel then aborts it
  // if this cell fails (or is interrupted), so nothing ever runs after a failure.
  const pipelined = !options.allowErrors;
  const sent = new Map<CodeCell, ReturnType<KernelConnection["execute"]>>();
  const send = (cell: CodeCell | undefined) => {
    if (!cell || sent.has(cell) || sourceText(cell.source).trim() === "") return;
    const request = kernel.execute(sourceText(cell.source), { cellId: cell.id, stopOnError: !options.allowErrors });
    collectors.set(request.msgId, { outputs: new CellOutputs(cell, displays), timing: {} });
    sent.set(cell, request);
  };
  const reached = new Set<CodeCell>();

  for (const [index, cell] of code.entries()) {
    if (sourceText(cell.source).trim() === "") continue;
    options.onProgress?.({ cell: index + 1, cells: code.length, state: "running" });
    send(cell);
    if (pipelined) send(code.slice(index + 1).find((next) => sourceText(next.source).trim() !== ""));
    const request = sent.get(cell)!;
    const { timing } = collectors.get(request.msgId)!;
    cell.metadata.execution = timing;
    reached.add(cell);
    const budget = Math.min(options.cellTimeout ? options.cellTimeout * 1000 : Infinity, notebookDeadline - Date.now());
    const ending = await waitForCell(request.done, kernel, budget, options.signal);
    timing["shell.execute_reply"] = new Date().toISOString();
    result.cells++;
    const where = `cell ${notebook.cells.indexOf(cell) + 1}`;
    if (ending.kind === "died") {
      Object.assign(result, { status: "kernel died", failure: `${where}: ${ending.reason}` });
    } else if (ending.kind === "timeout" || ending.kind === "interrupted") {
      const limit = options.cellTimeout && budget === options.cellTimeout * 1000 ? `its ${options.cellTimeout} s limit` : "the notebook's time limit";
      const why = ending.kind === "timeout" ? `timed out after ${limit}; the kernel was interrupted` : "interrupted (Ctrl-C)";
      Object.assign(result, { status: ending.kind, failure: `${where} ${why}` });
    } else if (ending.kind === "done" && ending.reply.status === "error") {
      result.errors++;
      const reply = ending.reply as KernelMessage.IReplyErrorContent;
      if (!options.allowErrors) Object.assign(result, { status: "failed", failure: `${where}${lineOf(reply.traceback, reply.evalue, cell.execution_count)} failed: ${reply.ename}: ${firstLine(reply.evalue)}` });
    }
    options.onProgress?.({ cell: index + 1, cells: code.length, state: ending.kind === "done" && ending.reply.status === "ok" ? "ok" : "error" });
    saver.request();
    if (saver.failure) break;
    if (result.status !== "ok") break;
  }
  // A cell sent ahead that the run never reached was aborted by the kernel; should a kernel have
  // run it anyway, its output must not pass for part of this run.
  for (const cell of sent.keys()) {
    if (reached.has(cell)) continue;
    collectors.delete(sent.get(cell)!.msgId);
    cell.outputs = [];
    cell.execution_count = null;
  }
  // Output can trail the idle status (a worker's last line, a late display update): wait until
  // the kernel has been quiet for the grace period, then save what came.
  const grace = options.graceMs ?? 250;
  while (Date.now() - lastMessage < grace) await sleep(grace - (Date.now() - lastMessage));
  await saver.flush();
  await saver.saveNow();
  if (saver.failure) {
    // The file on disk is not this run's: say so first, and keep what else went wrong.
    const unsaved = saver.failure.message;
    Object.assign(result, { status: "not saved", failure: result.failure ? `${unsaved}; before that, ${result.failure}` : unsaved });
  }
  result.seconds = (Date.now() - started) / 1000;
  return result;
}

/**
 * The kernel's language_info goes in the notebook's metadata, as nbclient puts it: nbconvert reads
 * it (`--to script` takes the file extension from it), and so do editors for highlighting.
 */
async function recordLanguageInfo(notebook: Notebook, kernel: KernelConnection): Promise<void> {
  // Metadata only: a kernel that will not say runs its cells all the same.
  const info = await Promise.race([kernel.kernelInfo().catch(() => undefined), kernel.died.then(() => undefined)]);
  if (info?.language_info) notebook.metadata.language_info = info.language_info;
}

/**
 * The save after every cell, off the cells' path: a save (serialize, write, fsync, rename) takes a
 * few ms of disk time that the next cell need not wait for. One save runs at a time and starts at
 * once, so it writes the notebook as it stands right after the cell; a request made while one runs
 * becomes one more save when it ends. After a failed save there are no more; `failure` holds it.
 */
class BackgroundSaver {
  readonly #save: () => Promise<void>;
  #running: Promise<void> | undefined;
  #again = false;
  failure: Error | undefined;

  constructor(save: () => Promise<void>) {
    this.#save = save;
  }

  request(): void {
    if (this.failure) return;
    if (this.#running) this.#again = true;
    else this.#running = this.#run();
  }

  /** Waits for the saves asked for so far. */
  async flush(): Promise<void> {
    await this.#running;
  }

  /** One more save, waited for (the final one). */
  async saveNow(): Promise<void> {
    await this.flush();
    if (this.failure) return;
    await this.#save().catch((error: unknown) => this.#fail(error));
  }

  async #run(): Promise<void> {
    try {
      do {
        this.#again = false;
        await this.#save();
      } while (this.#again);
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#running = undefined;
    }
  }

  #fail(error: unknown): void {
    this.failure = error instanceof Error ? error : new Error(`the save failed: ${String(error)}`);
  }
}

type Ending =
  | { kind: "done"; reply: KernelMessage.IExecuteReplyMsg["content"] }
  | { kind: "timeout" | "interrupted" }
  | { kind: "died"; reason: string };

async function waitForCell(done: Promise<KernelMessage.IExecuteReplyMsg["content"]>, kernel: KernelConnection, budgetMs: number, signal: AbortSignal | undefined): Promise<Ending> {
  const finished = done.then((reply): Ending => ({ kind: "done", reply }));
  const died = kernel.died.then((reason): Ending => ({ kind: "died", reason }));
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<Ending>((resolve) => {
    if (Number.isFinite(budgetMs)) {
      // setTimeout fires at once for a delay past 2^31-1 ms (~24.8 days): a longer budget waits in steps.
      const deadline = Date.now() + budgetMs;
      const arm = () => {
        const left = deadline - Date.now();
        timer = left > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(() => resolve({ kind: "timeout" }), Math.max(0, left));
      };
      arm();
    }
    onAbort = () => resolve({ kind: "interrupted" });
    if (signal?.aborted) onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    const first = await Promise.race([finished, died, stopped]);
    if (first.kind !== "timeout" && first.kind !== "interrupted") return first;
    // Interrupt, then let the cell end properly so its error and outputs are recorded.
    await kernel.interrupt().catch(() => undefined);
    await Promise.race([finished, died, sleep(AFTER_INTERRUPT_MS, { unref: true })]);
    return first;
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * ", line 3" from the failing cell's innermost position in the traceback (TypeScript errors and
 * runtime frames alike). Frames of other cells are skipped: an error thrown in a function an
 * earlier cell declared must name the line of this cell that called it.
 */
function lineOf(traceback: readonly string[], evalue: string, executionCount: number | null): string {
  const plain = [evalue, ...traceback].join("\n").replace(/\u001b\[[0-9;]*m/g, "");
  const cell = executionCount === null ? "\\d+" : String(executionCount);
  const match = new RegExp(`Cell In\\[${cell}\\](?:, line |:)(\\d+)`).exec(plain);
  return match ? ` (line ${match[1]})` : "";
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? "";
}

/** `unref`: a wait that lost a race must not keep the process alive. */
function sleep(ms: number, { unref = false } = {}): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (unref) timer.unref();
  });
}
