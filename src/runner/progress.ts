// What a run shows while it works: in a terminal, one line redrawn in place (notebook, cell n/m,
// a bar, elapsed time); in a log or a pipe, one plain line per cell, so CI output stays readable.
import type { Progress } from "./execute-notebook.js";

const BAR_WIDTH = 24;

export interface ProgressView {
  cell(notebook: string, progress: Progress): void;
  /** Prints a line that stays (warnings, a notebook's summary). */
  line(text: string): void;
  end(): void;
}

export function progressView(stream: NodeJS.WriteStream): ProgressView {
  return stream.isTTY ? new TerminalProgress(stream) : new PlainProgress(stream);
}

class TerminalProgress implements ProgressView {
  #started = Date.now();
  #notebook = "";
  #shown = false;
  #timer: NodeJS.Timeout | undefined;
  #last: Progress | undefined;

  constructor(readonly stream: NodeJS.WriteStream) {}

  cell(notebook: string, progress: Progress): void {
    if (notebook !== this.#notebook) {
      this.#notebook = notebook;
      this.#started = Date.now();
    }
    this.#last = progress;
    this.#draw();
    // Elapsed time keeps moving while a long cell runs.
    this.#timer ??= setInterval(() => this.#draw(), 500).unref();
  }

  line(text: string): void {
    this.#erase();
    this.stream.write(`${text}\n`);
    if (this.#last) this.#draw();
  }

  end(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#erase();
    this.#last = undefined;
  }

  #draw(): void {
    if (!this.#last) return;
    const { cell, cells } = this.#last;
    const filled = cells === 0 ? BAR_WIDTH : Math.round((BAR_WIDTH * (cell - 1)) / cells);
    const bar = `${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}`;
    const elapsed = ((Date.now() - this.#started) / 1000).toFixed(1);
    const text = `${this.#notebook}  ${bar}  cell ${cell}/${cells}  ${elapsed} s`;
    this.stream.write(`\r\u001b[2K${text.slice(0, (this.stream.columns || 80) - 1)}`);
    this.#shown = true;
  }

  #erase(): void {
    if (this.#shown) this.stream.write("\r\u001b[2K");
    this.#shown = false;
  }
}

class PlainProgress implements ProgressView {
  #cellStarted = Date.now();

  constructor(readonly stream: NodeJS.WriteStream) {}

  cell(notebook: string, progress: Progress): void {
    if (progress.state === "running") {
      this.#cellStarted = Date.now();
      return;
    }
    const seconds = ((Date.now() - this.#cellStarted) / 1000).toFixed(2);
    this.stream.write(`${notebook}: cell ${progress.cell}/${progress.cells} ${progress.state} (${seconds} s)\n`);
  }

  line(text: string): void {
    this.stream.write(`${text}\n`);
  }

  end(): void {}
}
