// Everything written to stdout/stderr in the kernel process becomes `stream` output of the cell
// it belongs to. Writes are batched (a loop of console.log must not become thousands of
// messages) and flushed before any other output, so order is kept.
import { writeSync } from "node:fs";
import { currentCell, type CellContext } from "./cell-context.js";
import type { Frontend } from "./frontend.js";

type StreamName = "stdout" | "stderr";
const FLUSH_DELAY_MS = 15;
const MAX_BATCH = 64 * 1024;

export class StreamCapture {
  #pending: { cell: CellContext; name: StreamName; text: string } | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #frontend: Frontend;
  readonly #decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };

  constructor(frontend: Frontend) {
    this.#frontend = frontend;
  }

  install(): void {
    for (const name of ["stdout", "stderr"] as const) {
      const stream = process[name];
      const fd = name === "stdout" ? 1 : 2;
      stream.write = ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void) => {
        const done = typeof encoding === "function" ? encoding : callback;
        const text = typeof chunk === "string" ? chunk : this.#decoders[name].decode(chunk, { stream: true });
        const cell = currentCell();
        if (cell) this.write(cell, name, text);
        else writeSync(fd, text); // before any cell ran: the kernel's own terminal
        if (done) queueMicrotask(() => done(null));
        return true;
      }) as typeof stream.write;
    }
  }

  write(cell: CellContext, name: StreamName, text: string): void {
    if (text === "") return;
    if (this.#pending && (this.#pending.cell !== cell || this.#pending.name !== name)) this.flush();
    if (this.#pending) this.#pending.text += text;
    else this.#pending = { cell, name, text };
    if (this.#pending.text.length >= MAX_BATCH) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), FLUSH_DELAY_MS).unref();
  }

  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending) this.#frontend.publish(pending.cell, "stream", { name: pending.name, text: pending.text });
  }
}
