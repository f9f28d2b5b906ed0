// The language side of the kernel, testable without sockets: it checks a cell's types, runs it,
// and reports through the Frontend it is given. Handlers translate messages into these calls.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import type { KernelMessage } from "@jupyterlab/services";
import type { JSONObject } from "../wire/codec.js";
import type { CheckerClient } from "./checker-client.js";
import { COMPILED_SCRIPTS_KEPT, Evaluator } from "./evaluator.js";
import { StreamCapture } from "./streams.js";
import { Tracebacks, type ErrorContent } from "./tracebacks.js";
import { History, type HistoryEntry, type HistoryQuery } from "./history.js";
import { helpTarget } from "./help.js";
import { CommRegistry } from "./comms.js";
import { bindToCurrentCell, cellContext, currentCell, InterruptError, runInCell, suspendForTermination, type CellContext } from "./cell-context.js";
import type { Frontend } from "./frontend.js";
import { createDisplayApi, type DisplayApi } from "../runtime/display.js";
import { ModuleLoader } from "../runtime/module-loader.js";
import { setKernelHook } from "../runtime/kernel-hook.js";
import { toMimeBundle, type MimeBundle } from "../runtime/mime.js";
import { captureChildProcesses, killChildProcesses } from "../runtime/child-processes.js";
import { showPromisesPlainly } from "../runtime/plain-promises.js";
import { CellResources } from "../runtime/cell-resources.js";
import type { CheckResult, CompletionResult, EmittedScript, InspectResult, IsCompleteResult } from "../checker/protocol.js";

import { KERNEL_ROOT } from "./checker-config.js";
import { RecentMap } from "../recent-map.js";
import { KernelPromise } from "../intrinsics.js";

export interface InterpreterOptions {
  notebookDir: string;
  frontend: Frontend;
  historyFile: string;
  /** Started by the caller: it takes longest to get ready, so it should start first. */
  checker: CheckerClient;
}

export interface ExecuteRequest {
  code: string;
  silent: boolean;
  storeHistory: boolean;
  userExpressions: Record<string, string>;
  allowStdin: boolean;
  header: KernelMessage.IHeader;
  identities: Buffer[];
  cellId?: string;
}

export type ExecuteOutcome =
  | { status: "ok"; executionCount: number; userExpressions: Record<string, JSONObject>; payload?: KernelMessage.IExecuteReply["payload"] }
  | { status: "error"; executionCount: number; error: ErrorContent };

class ProcessExit extends Error {
  override name = "ProcessExit";
  constructor(code: unknown) {
    super(`process.exit(${code ?? ""}) would end the kernel and every variable with it, so the kernel goes on. To start afresh, restart the kernel.`);
  }
}

interface Running {
  cell: CellContext;
  /** Whether a value the code hands to the runtime is shown: not for a silent cell, yes for user_expressions. */
  showsValue: boolean;
  /** The shown value as a mime bundle, made while the cell's code runs (see #installRuntime). */
  captured?: { data: MimeBundle };
  interrupt: () => void;
}

export class Interpreter {
  readonly comms: CommRegistry;
  readonly history: History;
  readonly display: DisplayApi;
  readonly #frontend: Frontend;
  readonly #checker: CheckerClient;
  readonly #evaluator = new Evaluator();
  readonly #tracebacks = new Tracebacks();
  readonly #streams: StreamCapture;
  readonly #modules: ModuleLoader;
  readonly #resources = new CellResources();
  #executionCount = 0;
  #scriptCount = 0;
  /** By a script-mode cell's source and JavaScript: see #scriptNumber. */
  readonly #scriptNumbers = new RecentMap<string, number>(COMPILED_SCRIPTS_KEPT);
  #running: Running | undefined;
  /** A finished cell whose busy callback the last termination stopped, until the interrupt tells it so. */
  #stoppedCallbackOf: CellContext | undefined;
  /** What to stop when a cell is interrupted, by cell: see KernelHook.onInterrupt. */
  readonly #interruptWatchers = new Map<CellContext, Set<() => void>>();

  constructor(options: InterpreterOptions) {
    const outside = options.frontend;
    // A stack in what a cell prints or shows (`console.log(error)`, an error as its value) reads
    // as its errors do: it showed `parlab-cell-3.js` and the kernel's own frames and file paths.
    const frontend: Frontend = {
      publish: (cell, msgType, content, ...rest) => outside.publish(cell, msgType, this.#tracebacks.inOutput(msgType, content), ...rest),
      requestInput: (...request) => outside.requestInput(...request),
    };
    this.#checker = options.checker;
    this.#streams = new StreamCapture(frontend);
    // Everything else a cell sends goes out after the stream text written before it.
    this.#frontend = {
      publish: (...message) => { this.#streams.flush(); frontend.publish(...message); },
      requestInput: (...request) => { this.#streams.flush(); return frontend.requestInput(...request); },
    };
    this.comms = new CommRegistry(this.#frontend);
    this.history = new History(options.historyFile);
    this.display = createDisplayApi(this.#frontend);
    this.#modules = new ModuleLoader(options.notebookDir, {
      tslab: pathToFileURL(path.join(KERNEL_ROOT, "dist/kernel/runtime/tslab.js")).href,
      parlab: pathToFileURL(path.join(KERNEL_ROOT, "dist/src/index.js")).href,
    });
    this.#installRuntime(options.notebookDir);
  }

  get executionCount(): number {
    return this.#executionCount;
  }

  /** Resolves when the type checker has parsed lib and @types/node. */
  get ready(): Promise<void> {
    return this.#checker.ready;
  }

  async execute(request: ExecuteRequest): Promise<ExecuteOutcome> {
    const help = helpTarget(request.code);
    if (help !== undefined) return this.#help(help, request);
    // Asked first, so the checker works while this thread announces the cell.
    const script = ++this.#scriptCount;
    const executionCount = this.#count(request);
    const checking = this.#checker.check(request.code, script, `In[${executionCount}]`).catch((error: Error) => ({ failed: error }));
    const cell = await this.#announce(request, executionCount);
    const { silent } = request;

    let interrupt!: () => void;
    const interrupted = new KernelPromise<never>((_, reject) => { interrupt = () => reject(InterruptError.withoutFrames()); });
    interrupted.catch(() => undefined);
    const running: Running = { cell, interrupt, showsValue: !silent };
    this.#running = running;
    try {
      const error = await this.#run(checking, script, request.code, cell, interrupted, `Cell In[${executionCount}]`);
      if (error) {
        this.#frontend.publish(cell, "error", { ...error });
        return { status: "error", executionCount, error };
      }
      if (running.captured && !silent) {
        this.#frontend.publish(cell, "execute_result", { execution_count: executionCount, data: running.captured.data, metadata: {} });
      }
      const userExpressions = Object.keys(request.userExpressions ?? {}).length === 0 ? {} : await this.#userExpressions(request.userExpressions, cell, running, interrupted);
      return { status: "ok", executionCount, userExpressions };
    } finally {
      this.#streams.flush();
      if (this.#running === running) this.#running = undefined;
    }
  }

  /** Counts the cell, unless silent or unstored; returns its execution count. */
  #count(request: ExecuteRequest): number {
    if (request.storeHistory && !request.silent) this.#executionCount++;
    return this.#executionCount;
  }

  /** Says the cell runs, and keeps it in history; the same cell's earlier run ends first. */
  async #announce(request: ExecuteRequest, executionCount: number): Promise<CellContext> {
    const storeHistory = request.storeHistory && !request.silent;
    // A silent request (a frontend's own query) is no notebook cell: it never replaces a cell's pools.
    const cellKey = request.silent ? undefined : request.cellId ?? request.code;
    const cell = cellContext({ header: request.header, identities: request.identities, executionCount, allowStdin: request.allowStdin, cellKey });
    const closing = cellKey === undefined ? undefined : this.#resources.closeCell(cellKey);
    if (closing) await closing;
    if (!request.silent) this.#frontend.publish(cell, "execute_input", { code: request.code, execution_count: executionCount });
    if (storeHistory) this.history.store(executionCount, request.code);
    return cell;
  }

  /** As in IPython, help is a cell like any other: announced, counted and kept in history. */
  async #help(name: string, request: ExecuteRequest): Promise<ExecuteOutcome> {
    const cell = await this.#announce(request, this.#count(request));
    const found = await this.inspect(name, name.length);
    // IPython's words, on stdout, for a name it cannot find.
    if (!found) this.#streams.write(cell, "stdout", `Object \`${name}\` not found.\n`);
    this.#streams.flush();
    const text = found && [found.signature, found.documentation].filter(Boolean).join("\n\n");
    const payload = text ? [{ source: "page", data: { "text/plain": text }, start: 0 }] : [];
    return { status: "ok", executionCount: cell.executionCount, userExpressions: {}, payload };
  }

  /**
   * Stops the running cell: its promise is settled here, whatever its code is waiting for. Busy
   * code that had to be terminated may have been a callback of another cell: that cell is told.
   */
  interrupt(): boolean {
    const stoppedCallbackOf = this.#stoppedCallbackOf;
    this.#stoppedCallbackOf = undefined;
    if (stoppedCallbackOf) {
      const { traceback } = this.#tracebacks.fromThrown(InterruptError.withoutFrames("a callback of this cell was stopped"));
      this.#streams.write(stoppedCallbackOf, "stderr", `${traceback.join("\n")}\n`);
    }
    if (!this.#running) return false;
    this.#running.interrupt();
    const watchers = this.#interruptWatchers.get(this.#running.cell);
    this.#interruptWatchers.delete(this.#running.cell);
    for (const stop of watchers ?? []) {
      try {
        stop();
      } catch {
        // One watcher's failure must not keep the others from stopping their work.
      }
    }
    return true;
  }

  #onInterrupt(callback: () => void): () => void {
    const cell = currentCell();
    if (!cell) return () => undefined;
    let watchers = this.#interruptWatchers.get(cell);
    if (!watchers) this.#interruptWatchers.set(cell, (watchers = new Set()));
    watchers.add(callback);
    return () => {
      watchers.delete(callback);
      if (watchers.size === 0 && this.#interruptWatchers.get(cell) === watchers) this.#interruptWatchers.delete(cell);
    };
  }

  complete(code: string, cursor: number): Promise<CompletionResult> {
    return this.#checker.call("complete", { code, cursor });
  }

  inspect(code: string, cursor: number): Promise<InspectResult | null> {
    return this.#checker.call("inspect", { code, cursor });
  }

  async isComplete(code: string): Promise<IsCompleteResult> {
    // Not TypeScript, but execute runs it.
    if (helpTarget(code) !== undefined) return { status: "complete" };
    return this.#checker.call("isComplete", { code });
  }

  queryHistory(query: HistoryQuery): HistoryEntry[] {
    return this.history.query(query);
  }

  flushOutput(): void {
    this.#streams.flush();
  }

  /** Ends everything cells started; the kernel is about to exit or restart. */
  async shutdown(): Promise<void> {
    this.#streams.flush();
    await this.#resources.closeEverything();
    killChildProcesses("SIGTERM");
    this.#checker.close();
    this.#evaluator.close();
  }

  async #run(checking: Promise<CheckResult | { failed: Error }>, script: number, code: string, cell: CellContext, interrupted: Promise<never>, label: string): Promise<ErrorContent | undefined> {
    try {
      const checked = await KernelPromise.race([checking, interrupted]);
      // The checker itself failed (it restarts for the next cell, or says why it cannot): this
      // cell's error, not the kernel's.
      if ("failed" in checked) return this.#tracebacks.fromCheckerFailure(checked.failed);
      if (!checked.ok) return this.#tracebacks.fromDiagnostics(label, checked.diagnostics);
      return await this.#evaluate(script, checked, code, label, cell, interrupted);
    } catch (error) {
      if (error instanceof InterruptError) return this.#tracebacks.fromThrown(error);
      throw error;
    }
  }

  async #evaluate(script: number, emitted: EmittedScript, source: string, label: string, cell: CellContext, interrupted: Promise<never>): Promise<ErrorContent | undefined> {
    const scriptName = `parlab-cell-${emitted.mode === "script" ? this.#scriptNumber(source, emitted.js, script) : script}.js`;
    this.#tracebacks.register(scriptName, label, source, emitted.sourceMap);
    const evaluation = await KernelPromise.race([runInCell(cell, () => this.#evaluator.evaluate(emitted.js, scriptName, emitted.mode)), interrupted]);
    if (evaluation.ok) return undefined;
    if ("terminated" in evaluation) return this.#tracebacks.fromThrown(new InterruptError());
    return this.#tracebacks.fromThrown(evaluation.thrown);
  }

  /**
   * A script-mode cell run again unchanged keeps the name of its first run, and so the code V8
   * compiled then (compiling was 0.04 ms of a 1+1 round trip). Its tracebacks take the latest
   * run's label, as in ipykernel, which names a cell's code by its content.
   */
  #scriptNumber(source: string, js: string, fresh: number): number {
    const key = `${source}\u0000${js}`;
    const kept = this.#scriptNumbers.get(key);
    if (kept !== undefined) return kept;
    this.#scriptNumbers.set(key, fresh);
    return fresh;
  }

  async #userExpressions(expressions: Record<string, string>, cell: CellContext, running: Running, interrupted: Promise<never>): Promise<Record<string, JSONObject>> {
    const results: Record<string, JSONObject> = {};
    running.showsValue = true;
    for (const [name, expression] of Object.entries(expressions ?? {})) {
      const script = ++this.#scriptCount;
      const transpiled = await this.#checker.call("transpileExpression", { code: expression });
      let error: ErrorContent | undefined;
      delete running.captured;
      if (!transpiled.ok) error = this.#tracebacks.fromDiagnostics(`user_expressions["${name}"]`, transpiled.diagnostics);
      else error = await this.#evaluate(script, transpiled, expression, `user_expressions["${name}"]`, cell, interrupted).catch((e: unknown) => this.#tracebacks.fromThrown(e));
      results[name] = error
        ? { status: "error", ...error }
        : { status: "ok", data: shownValue(running), metadata: {} };
    }
    return results;
  }

  #installRuntime(notebookDir: string): void {
    const modules = this.#modules;
    const runtime = {
      result: (value: unknown) => {
        const running = this.#running;
        if (!running || !running.showsValue || currentCell() !== running.cell) return;
        // Made here, inside the cell's own evaluation: a value whose display code throws or never
        // ends fails or is interrupted as the cell, as a failing __repr__ does in IPython, and
        // what that code logs lands in the cell.
        if (value === undefined) delete running.captured;
        else running.captured = { data: toMimeBundle(value) };
      },
      import: (specifier: unknown) => modules.import(specifier),
      named: (namespace: Record<string, unknown>) => modules.named(namespace),
      importMeta: {
        url: pathToFileURL(path.join(notebookDir, "notebook.ts")).href,
        dirname: notebookDir,
        filename: path.join(notebookDir, "notebook.ts"),
        resolve: (specifier: string) => modules.resolve(specifier),
      },
    };
    const input = (prompt = "", options: { password?: boolean } = {}) => {
      const cell = currentCell();
      if (!cell) return KernelPromise.reject(new Error("input() can only be used while a cell runs"));
      if (!cell.allowStdin) return KernelPromise.reject(new Error("input(): this frontend does not accept input (the request said allow_stdin: false)"));
      // An interrupt ends the wait, as KeyboardInterrupt ends input() in IPython.
      const stop = new AbortController();
      const unwatch = this.#onInterrupt(() => stop.abort(new InterruptError("input() was waiting for an answer")));
      return this.#frontend.requestInput(cell, String(prompt), Boolean(options.password), stop.signal).finally(unwatch);
    };
    const globals: Record<string, unknown> = {
      __parlab: runtime,
      display: this.display.display,
      updateDisplay: this.display.updateDisplay,
      clearOutput: this.display.clearOutput,
      input,
      comms: {
        registerTarget: this.comms.registerTarget.bind(this.comms),
        unregisterTarget: this.comms.unregisterTarget.bind(this.comms),
        open: this.comms.open.bind(this.comms),
      },
      require: createRequire(path.join(notebookDir, "notebook.js")),
    };
    for (const [name, value] of Object.entries(globals)) {
      Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
    }
    const resources = this.#resources;
    setKernelHook({
      ...this.display,
      input,
      adoptResource(resource) {
        const cellKey = currentCell()?.cellKey;
        if (cellKey !== undefined) resources.adopt(cellKey, resource);
      },
      releaseResource: (resource) => resources.release(resource),
      bindToCell: bindToCurrentCell,
      onInterrupt: (callback) => this.#onInterrupt(callback),
    });
    // The interrupter calls this while this thread is paused in a busy loop it is about to stop.
    // Known only then: by the time the interrupt is handled, the stopped cell may have finished.
    const beforeTerminate = () => {
      const stopped = suspendForTermination();
      this.#stoppedCallbackOf = stopped !== this.#running?.cell ? stopped : undefined;
    };
    Object.defineProperty(globalThis, Symbol.for("parlab.beforeTerminate"), { value: beforeTerminate, configurable: true });
    // A script ported as it was often ends with process.exit(): in a cell that would end the
    // kernel, and every variable with it. IPython shows sys.exit() as the cell's error, and so
    // does this. (The kernel's own exit keeps the original; see main.ts.)
    process.exit = ((code?: unknown) => { throw new ProcessExit(code); }) as typeof process.exit;
    this.#streams.install();
    captureChildProcesses();
    showPromisesPlainly();
    this.#catchBackgroundErrors();
  }

  /** An error thrown by a cell's timer or callback after the cell finished must not kill the kernel. */
  #catchBackgroundErrors(): void {
    const report = (prefix: string) => (error: unknown) => {
      const cell = currentCell();
      const content = this.#tracebacks.fromThrown(error);
      if (cell) this.#streams.write(cell, "stderr", `${prefix}${content.traceback.join("\n")}\n`);
    };
    // fromThrown never throws: an exception from these handlers would end the kernel.
    process.on("uncaughtException", report(""));
    process.on("unhandledRejection", report("Unhandled promise rejection: "));
  }
}

/** A function, not inline: TypeScript would keep `captured` narrowed to undefined across the evaluation. */
function shownValue(running: Running): MimeBundle {
  return running.captured?.data ?? toMimeBundle(undefined);
}
