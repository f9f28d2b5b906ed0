// The runner's own Jupyter client: it starts a kernel process with a connection file and talks to
// it over zeromq with signed messages, as jupyter_client does, so no server and no Python are
// needed. It reuses the kernel's wire layer (framing and HMAC), seen from the other side.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { KernelMessage } from "@jupyterlab/services";
import * as zmq from "zeromq";
import { decode, encode, type WireMessage } from "../../kernel/wire/codec.js";
import { Signer } from "../../kernel/wire/signer.js";
import type { ExecuteOptions, KernelConnection } from "./kernel-connection.js";
import type { KernelLaunch } from "./kernel-launch.js";

const PROTOCOL_VERSION = "5.3";
const READY_TIMEOUT_MS = 60_000;
const SHUTDOWN_WAIT_MS = 5_000;

type ExecuteReply = KernelMessage.IExecuteReplyMsg["content"];

interface Pending {
  reply?: ExecuteReply;
  idle: boolean;
  resolve(reply: ExecuteReply): void;
}

/** Folders holding a connection file (and with it the kernel's key), removed even on a hurried exit. */
const pendingDirs = new Set<string>();
let removingOnExit = false;

function removeOnExit(dir: string): void {
  if (!removingOnExit) process.once("exit", () => { for (const pending of pendingDirs) rmSync(pending, { recursive: true, force: true }); });
  removingOnExit = true;
  pendingDirs.add(dir);
}

export async function startEmbeddedKernel(launch: KernelLaunch, cwd: string): Promise<EmbeddedKernel> {
  const ports = await freePorts(5);
  const key = randomBytes(32).toString("hex");
  const dir = await mkdtemp(path.join(tmpdir(), "parlab-run-"));
  removeOnExit(dir);
  const connectionFile = path.join(dir, "kernel.json");
  const info = {
    transport: "tcp", ip: "127.0.0.1", key, signature_scheme: "hmac-sha256", kernel_name: launch.name,
    shell_port: ports[0], iopub_port: ports[1], stdin_port: ports[2], control_port: ports[3], hb_port: ports[4],
  };
  await writeFile(connectionFile, JSON.stringify(info), { mode: 0o600 });
  const argv = launch.argv.map((arg) => arg.replaceAll("{connection_file}", connectionFile));
  const child = spawn(argv[0]!, argv.slice(1), { cwd, env: { ...process.env, ...launch.env, JPY_PARENT_PID: String(process.pid) }, stdio: ["ignore", "pipe", "pipe"] });
  const kernel = new EmbeddedKernel(launch, child, new Signer(key), ports, dir);
  try {
    await kernel.waitUntilReady();
  } catch (error) {
    await kernel.shutdown();
    throw error;
  }
  return kernel;
}

export class EmbeddedKernel implements KernelConnection {
  readonly description: string;
  onIOPub: (message: KernelMessage.IIOPubMessage) => void = () => undefined;
  readonly died: Promise<string>;
  readonly #launch: KernelLaunch;
  readonly #child: ChildProcess;
  readonly #signer: Signer;
  readonly #session = randomUUID();
  readonly #shell = new zmq.Dealer({ linger: 0 });
  readonly #control = new zmq.Dealer({ linger: 0 });
  readonly #iopub = new zmq.Subscriber({ linger: 0 });
  readonly #dir: string;
  readonly #pending = new Map<string, Pending>();
  readonly #replies = new Map<string, (message: WireMessage) => void>();
  /** Requests seen on IOPUB while waiting to be ready; dropped once ready, so it does not grow per cell. */
  #seenOnIOPub: Set<string> | undefined = new Set<string>();
  #output = "";
  #shuttingDown = false;
  #exited = false;

  constructor(launch: KernelLaunch, child: ChildProcess, signer: Signer, ports: number[], dir: string) {
    this.#launch = launch;
    this.#child = child;
    this.#signer = signer;
    this.#dir = dir;
    this.description = `kernel "${launch.name}" (pid ${child.pid ?? "?"})`;
    // The kernel's own output (its log, a crash) is kept for the error message if it dies.
    const keep = (chunk: Buffer) => { this.#output = (this.#output + chunk.toString()).slice(-4000); };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.died = new Promise((resolve) => {
      const ended = (reason: string) => {
        this.#exited = true;
        if (!this.#shuttingDown) resolve(`${this.description} ${reason}${this.#output.trim() ? `; its last output:\n${this.#output.trim()}` : ""}`);
      };
      child.once("error", (error) => ended(`could not start: ${error.message}`));
      child.once("exit", (code, signal) => ended(signal ? `was killed by ${signal}` : `exited with code ${code}`));
    });
    this.#shell.connect(`tcp://127.0.0.1:${ports[0]}`);
    this.#iopub.connect(`tcp://127.0.0.1:${ports[1]}`);
    this.#iopub.subscribe();
    this.#control.connect(`tcp://127.0.0.1:${ports[3]}`);
    void this.#receive(this.#shell, (message) => this.#onReply(message));
    void this.#receive(this.#control, (message) => this.#onReply(message));
    void this.#receive(this.#iopub, (message) => this.#onIOPub(message));
  }

  /** Ready means a kernel_info reply on shell and its status on IOPUB: nothing published later is lost. */
  async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const died = this.died.then((reason) => { throw new Error(reason); });
    died.catch(() => undefined); // once ready, a later death is reported by whoever runs cells
    while (Date.now() < deadline) {
      const msgId = randomUUID();
      const reply = this.#request("shell", "kernel_info_request", {}, msgId);
      const answered = await Promise.race([reply.then(() => true), sleep(1000).then(() => false), died]);
      if (answered && (this.#seenOnIOPub!.has(msgId) || (await sleep(200), this.#seenOnIOPub!.has(msgId)))) {
        this.#seenOnIOPub = undefined;
        return;
      }
    }
    throw new Error(`${this.description} did not answer kernel_info_request within ${READY_TIMEOUT_MS / 1000} s`);
  }

  async kernelInfo(): Promise<KernelMessage.IInfoReply> {
    const reply = await this.#request("shell", "kernel_info_request", {});
    return reply.content as unknown as KernelMessage.IInfoReply;
  }

  execute(code: string, options: ExecuteOptions): { msgId: string; done: Promise<ExecuteReply> } {
    const msgId = randomUUID();
    const done = new Promise<ExecuteReply>((resolve) => this.#pending.set(msgId, { idle: false, resolve }));
    const content = { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: options.stopOnError };
    void this.#send(this.#shell, "execute_request", content, msgId, { cellId: options.cellId });
    return { msgId, done };
  }

  async interrupt(): Promise<void> {
    if (this.#launch.interruptMode === "signal") {
      this.#child.kill("SIGINT");
      return;
    }
    await Promise.race([this.#request("control", "interrupt_request", {}), sleep(5000)]);
  }

  async shutdown(): Promise<void> {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    if (!this.#exited) {
      void this.#send(this.#control, "shutdown_request", { restart: false }, randomUUID()).catch(() => undefined);
      const exited = new Promise<void>((resolve) => this.#child.once("exit", () => resolve()));
      if (!(await Promise.race([exited.then(() => true), sleep(SHUTDOWN_WAIT_MS).then(() => false)]))) {
        this.#child.kill("SIGKILL");
        await Promise.race([exited, sleep(1000)]);
      }
    }
    for (const socket of [this.#shell, this.#control, this.#iopub]) socket.close();
    await rm(this.#dir, { recursive: true, force: true });
    pendingDirs.delete(this.#dir);
  }

  #request(channel: "shell" | "control", msgType: string, content: Record<string, unknown>, msgId = randomUUID()): Promise<WireMessage> {
    const reply = new Promise<WireMessage>((resolve) => this.#replies.set(msgId, resolve));
    void this.#send(channel === "shell" ? this.#shell : this.#control, msgType, content, msgId);
    return reply;
  }

  async #send(socket: zmq.Dealer, msgType: string, content: Record<string, unknown>, msgId: string, metadata: Record<string, unknown> = {}): Promise<void> {
    const header = { msg_id: msgId, msg_type: msgType, session: this.#session, username: "parlab-run", date: new Date().toISOString(), version: PROTOCOL_VERSION };
    const frames = encode({ identities: [], header: header as KernelMessage.IHeader, parent_header: {}, metadata, content }, this.#signer);
    await socket.send(frames);
  }

  async #receive(socket: zmq.Dealer | zmq.Subscriber, handle: (message: WireMessage) => void): Promise<void> {
    try {
      for await (const frames of socket) {
        const decoded = decode(frames as Buffer[], this.#signer);
        // A message that fails the signature check is not from our kernel: dropped, never trusted.
        if (decoded.ok) handle(decoded.message);
      }
    } catch (error) {
      if (!socket.closed) throw error;
    }
  }

  #onReply(message: WireMessage): void {
    const parentId = (message.parent_header as { msg_id?: string }).msg_id ?? "";
    const pending = this.#pending.get(parentId);
    if (pending && message.header.msg_type === "execute_reply") {
      pending.reply = message.content as unknown as ExecuteReply;
      this.#settle(parentId, pending);
      return;
    }
    const waiting = this.#replies.get(parentId);
    this.#replies.delete(parentId);
    waiting?.(message);
  }

  #onIOPub(message: WireMessage): void {
    const parentId = (message.parent_header as { msg_id?: string }).msg_id ?? "";
    this.#seenOnIOPub?.add(parentId);
    const pending = this.#pending.get(parentId);
    if (pending && message.header.msg_type === "status" && (message.content as { execution_state?: string }).execution_state === "idle") {
      pending.idle = true;
    }
    this.onIOPub({ ...message, channel: "iopub" } as unknown as KernelMessage.IIOPubMessage);
    if (pending) this.#settle(parentId, pending);
  }

  #settle(msgId: string, pending: Pending): void {
    if (!pending.reply || !pending.idle) return;
    this.#pending.delete(msgId);
    pending.resolve(pending.reply);
  }
}

/** Ports the OS says are free now; the kernel binds them a moment later, as with jupyter_client. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  })));
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
