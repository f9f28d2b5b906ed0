// Child processes started by cells. A child spawned with stdio "inherit" would write straight to
// the kernel's terminal; ipykernel catches that at the file-descriptor level. Node cannot
// redirect its own descriptors, so inherited stdout/stderr become pipes whose data is written to
// the cell that spawned the child. Every child is tracked so none outlives the kernel.
import childProcess, { type ChildProcess } from "node:child_process";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { bindToCurrentCell, InterruptError } from "../interpreter/cell-context.js";
import { descendantPids } from "./process-tree.js";
import { SYNC_CALL_VARIABLE, syncCallMarker } from "./sync-calls.js";

type StdioEntry = unknown;
const live = new Set<ChildProcess>();

/**
 * A cell blocked in spawnSync, execSync or execFileSync runs no JavaScript, so V8 cannot stop it
 * on interrupt; only ending its child can. The transport thread does that (see sync-calls.ts).
 * Shared with it: [0] the call running now (0 if none), [1] the last call it interrupted.
 */
export const syncCalls = new Int32Array(new SharedArrayBuffer(8));
let lastSyncCall = 0;

/** Runs a synchronous child marked as this call's, and fails with InterruptError if it was interrupted. */
function markedSyncCall<T>(options: Record<string, unknown> | undefined, description: string, call: (options: Record<string, unknown>) => T): T {
  const id = ++lastSyncCall;
  const env = { ...((options?.env as NodeJS.ProcessEnv | undefined) ?? process.env), [SYNC_CALL_VARIABLE]: syncCallMarker(process.pid, id) };
  Atomics.store(syncCalls, 0, id);
  try {
    return call({ ...options, env });
  } finally {
    Atomics.store(syncCalls, 0, 0);
    if (Atomics.load(syncCalls, 1) === id) throw new InterruptError(`"${description}" was stopped`);
  }
}

/** Every pid already signalled: a later SIGKILL must reach them even after they were orphaned. */
const signalled = new Set<number>();

/** Which of fds 1 and 2 the options inherit, with those replaced by pipes. */
function pipeInherited(stdio: unknown): { stdio: StdioEntry[]; inherited: [boolean, boolean] } | undefined {
  const entries: StdioEntry[] = typeof stdio === "string" ? [stdio, stdio, stdio] : Array.isArray(stdio) ? [...stdio] : [];
  if (entries.length === 0) return undefined;
  const inherits = (index: 1 | 2) => {
    const entry = entries[index];
    return entry === "inherit" || entry === index || entry === (index === 1 ? process.stdout : process.stderr);
  };
  const inherited: [boolean, boolean] = [inherits(1), inherits(2)];
  if (!inherited[0] && !inherited[1]) return undefined;
  if (inherited[0]) entries[1] = "pipe";
  if (inherited[1]) entries[2] = "pipe";
  return { stdio: entries, inherited };
}

/** Each pipe decodes its own bytes: a character split across two chunks must not meet another child's bytes. */
function forward(child: ChildProcess, inherited: [boolean, boolean]): void {
  if (inherited[0]) child.stdout?.setEncoding("utf8").on("data", bindToCurrentCell((text: string) => { process.stdout.write(text); }));
  if (inherited[1]) child.stderr?.setEncoding("utf8").on("data", bindToCurrentCell((text: string) => { process.stderr.write(text); }));
}

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

/** Splits Node's flexible (command, args?, options?) signature. */
function splitArgs(rest: unknown[]): { args: unknown; options: Record<string, unknown> | undefined; argsGiven: boolean } {
  if (Array.isArray(rest[0])) return { args: rest[0], options: rest[1] as Record<string, unknown> | undefined, argsGiven: true };
  // `fork(file, undefined, options)`, as tinypool calls it: Node skips a missing args list.
  if ((rest[0] === undefined || rest[0] === null) && rest.length > 1) return { args: undefined, options: rest[1] as Record<string, unknown> | undefined, argsGiven: false };
  return { args: undefined, options: rest[0] as Record<string, unknown> | undefined, argsGiven: false };
}

export function captureChildProcesses(): void {
  // The CommonJS exports object is the one Node's ESM named exports mirror (after syncBuiltinESMExports).
  const cp = createRequire(import.meta.url)("node:child_process") as typeof childProcess & Record<string, unknown>;
  const original = { spawn: cp.spawn, fork: cp.fork, exec: cp.exec, execFile: cp.execFile, spawnSync: cp.spawnSync };

  cp.spawn = function spawn(command: string, ...rest: unknown[]) {
    const { args, options, argsGiven } = splitArgs(rest);
    const piped = pipeInherited(options?.stdio);
    const finalOptions = piped ? { ...options, stdio: piped.stdio } : options;
    const spawnOriginal = original.spawn as (...a: unknown[]) => ChildProcess;
    const child = argsGiven ? spawnOriginal(command, args, finalOptions) : spawnOriginal(command, finalOptions);
    if (piped) forward(child, piped.inherited);
    return track(child);
  } as typeof cp.spawn;

  cp.fork = function fork(modulePath: string, ...rest: unknown[]) {
    const { args, options } = splitArgs(rest);
    // fork() inherits stdout/stderr unless told to be silent.
    const stdio = options?.stdio ?? (options?.silent ? undefined : ["inherit", "inherit", "inherit", "ipc"]);
    const piped = pipeInherited(stdio);
    const child = original.fork(modulePath, (args ?? []) as string[], piped ? { ...options, stdio: piped.stdio as never } : options);
    if (piped) forward(child, piped.inherited);
    return track(child);
  } as typeof cp.fork;

  cp.exec = function exec(...args: unknown[]) {
    return track((original.exec as (...a: unknown[]) => ChildProcess)(...args));
  } as typeof cp.exec;

  cp.execFile = function execFile(...args: unknown[]) {
    return track((original.execFile as (...a: unknown[]) => ChildProcess)(...args));
  } as typeof cp.execFile;

  // spawnSync/execSync/execFileSync: inherited output is captured and written once the child is done.
  cp.spawnSync = function spawnSync(command: string, ...rest: unknown[]) {
    const { args, options, argsGiven } = splitArgs(rest);
    const piped = pipeInherited(options?.stdio);
    const finalOptions = piped ? { ...options, stdio: piped.stdio } : options;
    const result = markedSyncCall(finalOptions, [command, ...((args ?? []) as string[])].join(" "), (marked) =>
      (original.spawnSync as (...a: unknown[]) => childProcess.SpawnSyncReturns<Buffer | string>)(command, ...(argsGiven ? [args, marked] : [marked])));
    if (piped?.inherited[0] && result.stdout) { process.stdout.write(result.stdout); (result as { stdout: unknown }).stdout = null; }
    if (piped?.inherited[1] && result.stderr) { process.stderr.write(result.stderr); (result as { stderr: unknown }).stderr = null; }
    if (result.output && piped) (result as { output: unknown[] }).output = [null, result.stdout, result.stderr];
    return result;
  } as typeof cp.spawnSync;

  cp.execSync = function execSync(command: string, options: Record<string, unknown> = {}) {
    return runSync(original.spawnSync, command, [], { ...options, shell: options.shell ?? true }, command);
  } as typeof cp.execSync;
  cp.execFileSync = function execFileSync(file: string, ...rest: unknown[]) {
    const { args, options } = splitArgs(rest);
    return runSync(original.spawnSync, file, (args ?? []) as string[], options ?? {}, [file, ...((args ?? []) as string[])].join(" "));
  } as typeof cp.execFileSync;
  syncBuiltinESMExports();
}

/**
 * execSync and execFileSync inherit stderr by default and return only stdout. They are run
 * through spawnSync with pipes, so whatever the child wrote to an inherited stream reaches the
 * cell, and the result and errors look as Node's own would.
 */
function runSync(spawnSync: typeof childProcess.spawnSync, file: string, args: string[], options: Record<string, unknown>, description: string): Buffer | string | null {
  const piped = pipeInherited(options.stdio ?? ["pipe", "pipe", "inherit"]);
  const stdio = piped?.stdio ?? options.stdio ?? ["pipe", "pipe", "inherit"];
  const result = markedSyncCall({ ...options, stdio, encoding: "buffer" }, description, (marked) => spawnSync(file, args, marked as childProcess.SpawnSyncOptions) as childProcess.SpawnSyncReturns<Buffer>);
  if (piped?.inherited[0] && result.stdout?.length) process.stdout.write(result.stdout);
  if (piped?.inherited[1] && result.stderr?.length) process.stderr.write(result.stderr);
  const decode = (buffer: Buffer | null) => buffer && typeof options.encoding === "string" && options.encoding !== "buffer" ? buffer.toString(options.encoding as BufferEncoding) : buffer;
  const stdout = piped?.inherited[0] ? null : decode(result.stdout);
  const stderr = piped?.inherited[1] ? null : decode(result.stderr);
  if (result.error) throw Object.assign(result.error, { stdout, stderr });
  if (result.status !== 0 || result.signal) {
    const detail = stderr ? `\n${stderr.toString()}` : "";
    throw Object.assign(new Error(`Command failed: ${description}${detail}`), { status: result.status, signal: result.signal, pid: result.pid, stdout, stderr, output: [null, stdout, stderr] });
  }
  return stdout;
}

/**
 * Stops every process cells started, at shutdown and restart: nothing may be left behind. Direct
 * children are not enough (a shell's `sleep`, a worker thread's children), so the kernel's whole
 * process tree is collected first, then signalled: killing a parent first would orphan its
 * children out of reach.
 */
export function killChildProcesses(signal: NodeJS.Signals = "SIGTERM"): void {
  const pids = new Set([...signalled, ...descendantPids(process.pid), ...[...live].map((child) => child.pid).filter((pid): pid is number => pid !== undefined)]);
  for (const pid of pids) {
    signalled.add(pid);
    try { process.kill(pid, signal); } catch { /* already gone */ }
  }
}
