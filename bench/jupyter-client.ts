// A minimal Jupyter client for benchmarks: shell and control DEALERs plus an iopub SUB, signed
// with the kernel's own wire code; replies and iopub messages are matched by parent msg_id.
import { randomBytes, randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { performance } from "node:perf_hooks";
import * as zmq from "zeromq";
import { decode, encode, type JSONObject, type WireMessage } from "../kernel/wire/codec.js";
import { Signer } from "../kernel/wire/signer.js";

export interface ConnectionFile {
  transport: "tcp";
  ip: string;
  key: string;
  signature_scheme: "hmac-sha256";
  shell_port: number;
  control_port: number;
  stdin_port: number;
  iopub_port: number;
  hb_port: number;
}

/** Ports the OS just handed out; all five are held open together so they are distinct. */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  const ports = await Promise.all(servers.map((server) => new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
  })));
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

export async function writeConnectionFile(path: string): Promise<ConnectionFile> {
  const [shell, control, stdin, iopub, hb] = await freePorts(5);
  const info: ConnectionFile = {
    transport: "tcp", ip: "127.0.0.1", key: randomBytes(16).toString("hex"), signature_scheme: "hmac-sha256",
    shell_port: shell!, control_port: control!, stdin_port: stdin!, iopub_port: iopub!, hb_port: hb!,
  };
  writeFileSync(path, JSON.stringify(info, null, 2));
  return info;
}

/** A message and when it arrived (performance.now(), ms). */
export interface Received {
  message: WireMessage;
  at: number;
}

export interface Request {
  msgId: string;
  /** When the message was handed to zeromq (performance.now(), ms). */
  sentAt: number;
  reply: Promise<Received>;
  /** The iopub `status: idle` for this request, with every iopub message it caused. */
  idle: Promise<Received & { iopub: WireMessage[] }>;
}

export class JupyterClient {
  readonly #signer: Signer;
  readonly #session = randomUUID();
  // `immediate` keeps requests out of half-open connections: a send waits until the kernel has
  // bound its socket. A short reconnect interval means we notice the bind within ~10 ms.
  readonly #shell = new zmq.Dealer({ immediate: true, reconnectInterval: 10, linger: 0 });
  readonly #control = new zmq.Dealer({ immediate: true, reconnectInterval: 10, linger: 0 });
  readonly #iopub = new zmq.Subscriber({ reconnectInterval: 10, linger: 0 });
  readonly #replies = new Map<string, (received: Received) => void>();
  readonly #idle = new Map<string, { iopub: WireMessage[]; resolve: (received: Received & { iopub: WireMessage[] }) => void }>();

  constructor(readonly info: ConnectionFile) {
    this.#signer = new Signer(info.key);
  }

  connect(): void {
    const url = (port: number) => `tcp://${this.info.ip}:${port}`;
    this.#shell.connect(url(this.info.shell_port));
    this.#control.connect(url(this.info.control_port));
    this.#iopub.connect(url(this.info.iopub_port));
    this.#iopub.subscribe();
    void this.#receive(this.#shell, (received) => this.#onReply(received));
    void this.#receive(this.#control, (received) => this.#onReply(received));
    void this.#receive(this.#iopub, (received) => this.#onIopub(received));
  }

  async #receive(socket: zmq.Dealer | zmq.Subscriber, onMessage: (received: Received) => void): Promise<void> {
    try {
      for await (const frames of socket) {
        const at = performance.now(); // stamp before decoding: HMAC time is the client's, not the kernel's
        const decoded = decode(frames, this.#signer);
        if (decoded.ok) onMessage({ message: decoded.message, at });
      }
    } catch {
      // the socket was closed
    }
  }

  #onReply(received: Received): void {
    const parent = (received.message.parent_header as { msg_id?: string }).msg_id ?? "";
    this.#replies.get(parent)?.(received);
    this.#replies.delete(parent);
  }

  #onIopub(received: Received): void {
    const parent = (received.message.parent_header as { msg_id?: string }).msg_id ?? "";
    const waiter = this.#idle.get(parent);
    if (!waiter) return;
    waiter.iopub.push(received.message);
    if (received.message.header.msg_type === "status" && received.message.content.execution_state === "idle") {
      this.#idle.delete(parent);
      waiter.resolve({ ...received, iopub: waiter.iopub });
    }
  }

  /** Sends a request; resolves once zeromq has taken it (waits while the kernel has not bound yet). */
  async request(msgType: string, content: JSONObject, channel: "shell" | "control" = "shell"): Promise<Request> {
    const msgId = randomUUID();
    // Register before sending: a fast kernel can answer before `send` resolves.
    const reply = new Promise<Received>((resolve) => this.#replies.set(msgId, resolve));
    const idle = new Promise<Received & { iopub: WireMessage[] }>((resolve) => this.#idle.set(msgId, { iopub: [], resolve }));
    const header = { msg_id: msgId, msg_type: msgType, session: this.#session, username: "bench", date: new Date().toISOString(), version: "5.3" };
    const frames = encode({ identities: [], header: header as WireMessage["header"], parent_header: {}, metadata: {}, content }, this.#signer);
    // Stamped before the send: its promise can settle a poll later, after the reply is already in.
    // (During a cold start the send waits for the kernel's bind; cold starts are timed from spawn.)
    const sentAt = performance.now();
    await (channel === "shell" ? this.#shell : this.#control).send(frames);
    return { msgId, sentAt, reply, idle };
  }

  execute(code: string): Promise<Request> {
    return this.request("execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
  }

  close(): void {
    for (const socket of [this.#shell, this.#control, this.#iopub]) socket.close();
    this.#replies.clear();
    this.#idle.clear();
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
