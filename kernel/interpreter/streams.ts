// Everything written to stdout/stderr in the kernel process becomes `stream` output of the cell
// it belongs to. Writes are batched (a loop of console.log must not become thousands of
// messages) and flushed before any other output, so order is kept.
import { writeSync } from "node:fs";
import { TextDecoder } from "node:util";
import { currentCell, type CellContext } from "./cell-context.js";
import type { Frontend } from "./frontend.js";

type StreamName = "stdout" | "stderr";
const FLUSH_DELAY_MS = 15;
const MAX_BATCH = 64 * 1024;

export class StreamCapture {
  #pending: { cell: CellContext; name: StreamName; text: string } | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #frontend: Frontend;
  // Bytes written as Buffers are decoded per cell and stream, so a character split across two
  // writes is never joined with another cell's bytes.
  readonly #decoders = new WeakMap<CellContext, Record<StreamName, TextDecoder>>();

  constructor(frontend: Frontend) {
    this.#frontend = frontend;
  }

  install(): void {
    for (const name of ["stdout", "stderr"] as const) {
      const stream = process[name];
      const fd = name === "stdout" ? 1 : 2;
      stream.write = ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void) => {
        const done = typeof encoding === "function" ? encoding : callback;
        const cell = currentCell();
        if (!cell) writeSync(fd, typeof chunk === "string" ? Buffer.from(chunk) : chunk); // before any cell ran: the kernel's own terminal
        else this.write(cell, name, typeof chunk === "string" ? chunk : this.#decoder(cell, name).decode(chunk, { stream: true }));
        if (done) queueMicrotask(() => done(null));
        return true;
      }) as typeof stream.write;
    }
  }

  #decoder(cell: CellContext, name: StreamName): TextDecoder {
    let decoders = this.#decoders.get(cell);
    if (!decoders) this.#decoders.set(cell, decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() });
    return decoders[name];
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
