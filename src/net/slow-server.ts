// A real HTTP server on loopback whose every answer takes `latencyMs`: the stand-in for a slow
// website, so I/O-bound notebooks measure real sockets without depending on the internet.
import { constants as bufferLimits } from "node:buffer";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { SpanRecorder } from "../measure/spans.js";
import { currentLane, defaultRecorder, recordTask } from "../measure/recorder.js";
import { AbortError, abortError } from "../async.js";
import { onCellInterrupt } from "../cell-interrupt.js";
import { MAX_TIMER_MS } from "../timer-limit.js";
import { kernelHook } from "../../kernel/runtime/kernel-hook.js";

export interface SlowServerOptions {
  /** How long each response waits before its body is sent. */
  latencyMs: number;
  /** Body size of each response, in bytes. */
  bytes: number;
  /** Default 0: a free port chosen by the system. */
  port?: number;
}

export interface SlowServer {
  /** `http://127.0.0.1:<port>` followed by `path` (default "/"). */
  url(path?: string): string;
  readonly port: number;
  /** Requests received so far. */
  readonly requests: number;
  /** Requests being answered right now, and the most there ever were at once. */
  readonly inFlight: number;
  readonly peakInFlight: number;
  /** Stops listening and drops open connections, also requests still waiting; frees the port. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function check(option: string, value: unknown, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > max) {
    throw new RangeError(`startSlowServer: option "${option}" must be a number from 0 to ${max}, got ${String(value)}`);
  }
}

/** Starts the server; resolves once it listens. */
export async function startSlowServer(options: SlowServerOptions): Promise<SlowServer> {
  const { latencyMs, bytes, port = 0 } = options ?? {};
  check("latencyMs", latencyMs, MAX_TIMER_MS);
  check("bytes", bytes, bufferLimits.MAX_LENGTH);
  if (!Number.isInteger(bytes)) throw new RangeError(`startSlowServer: option "bytes" must be an integer, got ${bytes}`);
  check("port", port, 65535);
  // Else net's own "options.port should be >= 0 and < 65536", which names neither helper nor option.
  if (!Number.isInteger(port)) throw new RangeError(`startSlowServer: option "port" must be an integer, got ${port}`);
  // ASCII, so the body's text has exactly `bytes` characters.
  const body = Buffer.alloc(bytes, "abcdefghijklmnopqrstuvwxyz0123456789\n");
  const waiting = new Set<NodeJS.Timeout>();
  let requests = 0;
  let inFlight = 0;
  let peakInFlight = 0;

  const server = createServer((request, response) => {
    requests++;
    peakInFlight = Math.max(peakInFlight, ++inFlight);
    request.resume();
    const timer = setTimeout(() => {
      response.writeHead(200, { "content-type": "text/plain; charset=us-ascii", "content-length": bytes });
      response.end(body);
    }, latencyMs);
    waiting.add(timer);
    // Also when the client gave up early: then there is nobody left to answer.
    response.on("close", () => {
      inFlight--;
      clearTimeout(timer);
      waiting.delete(timer);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new Error(`startSlowServer: cannot listen on 127.0.0.1:${port}: ${error.message}`, { cause: error })));
    server.listen(port, "127.0.0.1", resolve);
  });
  const actualPort = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= new Promise<void>((resolve, reject) => {
      kernelHook()?.releaseResource(handle);
      for (const timer of waiting) clearTimeout(timer);
      waiting.clear();
      server.close((error) => (error ? reject(error) : resolve()));
      // fetch keeps connections alive; without this, close() would wait for them to time out.
      server.closeAllConnections();
    }));

  const handle: SlowServer = {
    url: (path = "/") => `http://127.0.0.1:${actualPort}${path.startsWith("/") ? path : `/${path}`}`,
    port: actualPort,
    get requests() {
      return requests;
    },
    get inFlight() {
      return inFlight;
    },
    get peakInFlight() {
      return peakInFlight;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
  // Re-running the cell that started a server frees its port first.
  kernelHook()?.adoptResource(handle);
  return handle;
}

export interface FetchTextOptions {
  signal?: AbortSignal;
  /** The span's task name; by default `GET <url>`. */
  name?: string;
  recorder?: SpanRecorder;
}

/** GETs `url` with the global fetch and resolves to the body's text; a non-2xx status rejects. */
export function fetchText(url: string | URL, options: FetchTextOptions = {}): Promise<string> {
  const { signal } = options;
  const recorder = options.recorder ?? defaultRecorder();
  return recordTask(recorder, options.name ?? `GET ${String(url)}`, currentLane(), async () => {
    // Interrupting the cell ends the request too: it would otherwise stay open until the server
    // answered, long after the cell stopped waiting.
    const interrupted = new AbortController();
    const unwatch = onCellInterrupt(() => interrupted.abort(new AbortError("fetchText: stopped, the cell was interrupted")));
    const stop = signal ? AbortSignal.any([signal, interrupted.signal]) : interrupted.signal;
    try {
      let response: Response;
      try {
        response = await fetch(url, { signal: stop });
      } catch (error) {
        throw failed(url, error, stop);
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`fetchText: GET ${String(url)} answered ${response.status} ${response.statusText}`);
      }
      try {
        return await response.text();
      } catch (error) {
        throw failed(url, error, stop);
      }
    } finally {
      unwatch();
    }
  });
}

// fetch says only "fetch failed"; the reason (e.g. ECONNREFUSED) is in its cause.
function failed(url: string | URL, error: unknown, signal: AbortSignal | undefined): Error {
  if (signal?.aborted) return abortError(signal);
  const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
  return new Error(`fetchText: GET ${String(url)} failed: ${reason}`, { cause: error });
}
