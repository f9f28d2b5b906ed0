// A kernel on a Jupyter Server, reached through @jupyterlab/services (JupyterLab's own client),
// so a run can use whatever Jupyter deployment a team already has.
import type { Kernel, KernelMessage, ServerConnection, Session } from "@jupyterlab/services";
import { randomUUID } from "node:crypto";
import path from "node:path";
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
  /** The notebook's absolute path here. */
  notebook: string;
  /** Told when the kernel cannot start in the notebook's folder, and runs in the server's root. */
  onWarning?: (text: string) => void;
}

export async function startRemoteKernel(options: ServerOptions): Promise<RemoteKernel> {
  // Loaded only for --server runs: it is a large module graph.
  const [{ KernelManager, ServerConnection, SessionManager }, { default: WebSocket }] = await Promise.all([import("@jupyterlab/services"), import("ws")]);
  muteLibraryChatter();
  let baseUrl: URL;
  try {
    baseUrl = new URL(options.url.endsWith("/") ? options.url : `${options.url}/`);
  } catch {
    throw new Error(`--server ${options.url}: not a URL (expected e.g. http://127.0.0.1:8888/)`);
  }
  const failure = (reason: string) => new Error(`cannot start kernel "${options.kernelName}" on ${baseUrl.origin}: ${reason}`);
  const notebookPath = pathOnServer(options.notebook);
  const serverSettings = ServerConnection.makeSettings({
    baseUrl: baseUrl.href,
    wsUrl: baseUrl.href.replace(/^http/, "ws"),
    token: options.token,
    appendToken: true,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  const kernelManager = new KernelManager({ serverSettings });
  const sessionManager = new SessionManager({ kernelManager, serverSettings });
  const dispose = () => {
    sessionManager.dispose();
    kernelManager.dispose();
  };
  let session: Session.ISessionConnection;
  try {
    // Disposing the managers before their first poll settled would reject that poll unhandled.
    await sessionManager.ready;
    const folderPath = await folderOnServer(notebookPath, baseUrl, serverSettings);
    if (folderPath === undefined) {
      options.onWarning?.(notebookPath === undefined
        ? `outside ${process.cwd()}, the folder parlab takes for the server's root: its kernel runs in the server's root folder, where its relative imports may not resolve`
        : `the server has no ${notebookPath} (it does not serve ${process.cwd()}): its kernel runs in the server's root folder, where its relative imports may not resolve`);
    }
    // The server starts a session's kernel in the folder of the session's path. A notebook's own
    // path would join the session of anyone who has it open in JupyterLab (one session per path),
    // and deleting it afterwards would kill their kernel: so a path of its own, in that folder.
    const sessionPath = `${folderPath ?? ""}parlab-run-${randomUUID()}`;
    session = await sessionManager.startNew({ path: sessionPath, name: path.basename(options.notebook), type: "notebook", kernel: { name: options.kernelName } });
  } catch (error) {
    dispose();
    throw failure(describe(error));
  }
  const remote = new RemoteKernel(session, dispose, `kernel "${options.kernelName}" on ${baseUrl.origin}`);
  await remote.ready();
  return remote;
}

/**
 * The notebook's folder on the server ("" for its root, else ending in "/"), if the server has the
 * notebook at the same path: only then does a kernel started there find what the notebook imports.
 */
async function folderOnServer(notebookPath: string | undefined, baseUrl: URL, settings: ServerConnection.ISettings): Promise<string | undefined> {
  if (notebookPath === undefined) return undefined;
  const { ServerConnection } = await import("@jupyterlab/services");
  const url = `${baseUrl.href}api/contents/${notebookPath.split("/").map(encodeURIComponent).join("/")}?content=0`;
  const response = await ServerConnection.makeRequest(url, {}, settings);
  if (response.status === 404) return undefined;
  if (!response.ok) throw new ServerConnection.ResponseError(response);
  const folder = path.posix.dirname(notebookPath);
  return folder === "." ? "" : `${folder}/`;
}

/** Its path relative to the server's root, taken to be the folder parlab runs in; undefined if outside it. */
function pathOnServer(notebook: string): string | undefined {
  const relative = path.relative(process.cwd(), notebook);
  if (relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join("/");
}

export class RemoteKernel implements KernelConnection {
  onIOPub: (message: KernelMessage.IIOPubMessage) => void = () => undefined;
  readonly died: Promise<string>;
  readonly #session: Session.ISessionConnection;
  readonly #kernel: Kernel.IKernelConnection;
  readonly #disposeManagers: () => void;
  #lostTimer: NodeJS.Timeout | undefined;
  #closing = false;

  constructor(session: Session.ISessionConnection, disposeManagers: () => void, readonly description: string) {
    const kernel = session.kernel!;
    this.#session = session;
    this.#kernel = kernel;
    this.#disposeManagers = disposeManagers;
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
      // Deleting the session also shuts its kernel down on the server.
      if (!this.#session.isDisposed) await this.#session.shutdown();
    } finally {
      this.#session.dispose();
      this.#disposeManagers();
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
