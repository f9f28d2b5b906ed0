// A kernel on a Jupyter Server, reached through @jupyterlab/services (JupyterLab's own client),
// so a run can use whatever Jupyter deployment a team already has.
import type { Kernel, KernelMessage } from "@jupyterlab/services";
import type { ExecuteOptions, KernelConnection } from "./kernel-connection.js";

/**
 * How long the connection to the server may stay lost before the kernel counts as gone. While the
 * server does not answer, @jupyterlab/services keeps retrying for ever (every 10-30 s), so without
 * this a server that went away would leave the running cell waiting for ever.
 */
const RECONNECT_LIMIT_MS = 60_000;

export interface ServerOptions {
  url: string;
  token: string;
  kernelName: string;
}

export async function startRemoteKernel(options: ServerOptions): Promise<RemoteKernel> {
  // Loaded only for --server runs: it is a large module graph.
  const [{ KernelManager, ServerConnection }, { default: WebSocket }] = await Promise.all([import("@jupyterlab/services"), import("ws")]);
  muteLibraryChatter();
  let baseUrl: URL;
  try {
    baseUrl = new URL(options.url.endsWith("/") ? options.url : `${options.url}/`);
  } catch {
    throw new Error(`--server ${options.url}: not a URL (expected e.g. http://127.0.0.1:8888/)`);
  }
  const serverSettings = ServerConnection.makeSettings({
    baseUrl: baseUrl.href,
    wsUrl: baseUrl.href.replace(/^http/, "ws"),
    token: options.token,
    appendToken: true,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  const manager = new KernelManager({ serverSettings });
  let kernel: Kernel.IKernelConnection;
  try {
    await manager.ready;
    kernel = await manager.startNew({ name: options.kernelName });
  } catch (error) {
    manager.dispose();
    throw new Error(`cannot start kernel "${options.kernelName}" on ${baseUrl.origin}: ${describe(error)}`);
  }
  const remote = new RemoteKernel(kernel, manager, `kernel "${options.kernelName}" on ${baseUrl.origin}`);
  await remote.ready();
  return remote;
}

export class RemoteKernel implements KernelConnection {
  onIOPub: (message: KernelMessage.IIOPubMessage) => void = () => undefined;
  readonly died: Promise<string>;
  readonly #kernel: Kernel.IKernelConnection;
  readonly #manager: { dispose(): void };
  #lostTimer: NodeJS.Timeout | undefined;
  #closing = false;

  constructor(kernel: Kernel.IKernelConnection, manager: { dispose(): void }, readonly description: string) {
    this.#kernel = kernel;
    this.#manager = manager;
    kernel.iopubMessage.connect((_, message) => this.onIOPub(message));
    this.died = new Promise((resolve) => {
      kernel.statusChanged.connect((_, status) => {
        if (status === "dead" || status === "autorestarting") resolve(`${description} died (status: ${status})`);
      });
      kernel.connectionStatusChanged.connect((_, connection) => {
        clearTimeout(this.#lostTimer);
        if (this.#closing) return;
        if (connection === "disconnected") resolve(`${description}: the connection to the server was closed`);
        else if (connection === "connecting") {
          this.#lostTimer = setTimeout(() => resolve(`${description}: lost the connection to the server and could not reconnect within ${RECONNECT_LIMIT_MS / 1000} s`), RECONNECT_LIMIT_MS);
        }
      });
    });
  }

  async ready(): Promise<void> {
    await this.#kernel.info;
  }

  async kernelInfo(): Promise<KernelMessage.IInfoReply> {
    return (await this.#kernel.requestKernelInfo())!.content as KernelMessage.IInfoReply;
  }

  execute(code: string, options: ExecuteOptions): { msgId: string; done: Promise<KernelMessage.IExecuteReplyMsg["content"]> } {
    const future = this.#kernel.requestExecute(
      { code, silent: false, store_history: true, allow_stdin: false, stop_on_error: options.stopOnError },
      true,
      { cellId: options.cellId },
    );
    // The future resolves once both the reply and the idle status arrived, like the embedded client.
    return { msgId: future.msg.header.msg_id, done: future.done.then((reply) => reply.content) };
  }

  async interrupt(): Promise<void> {
    await this.#kernel.interrupt();
  }

  async shutdown(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#lostTimer);
    try {
      if (!this.#kernel.isDisposed) await this.#kernel.shutdown();
    } finally {
      this.#kernel.dispose();
      this.#manager.dispose();
    }
  }
}

let muted = false;
/**
 * @jupyterlab/services narrates its work through the console: every WebSocket it opens, each
 * kernel status change ("Kernel: dead" at every shutdown), each reconnect. Node prints
 * console.log/info/debug on stdout, in the middle of the run's summary table, and warn on stderr,
 * between the progress lines. The runner never writes through the console (it reports deaths and
 * lost connections itself), so in a --server run only console.error, the library's real errors,
 * still shows.
 */
function muteLibraryChatter(): void {
  if (muted) return;
  muted = true;
  const silent = () => undefined;
  Object.assign(console, { debug: silent, log: silent, info: silent, warn: silent });
}

function describe(error: unknown): string {
  if (error && typeof error === "object" && "response" in error) {
    const response = (error as { response: { status: number; statusText: string } }).response;
    if (response.status === 403 || response.status === 401) return `the server refused the token (HTTP ${response.status})`;
    return `HTTP ${response.status} ${response.statusText}`;
  }
  return error instanceof Error ? error.message : String(error);
}
