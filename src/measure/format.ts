// Text for measurement results: milliseconds with sensible precision, aligned tables, and the
// hooks that make a result show as its text in a cell's output and in console.log.
import { inspect } from "node:util";

/** Milliseconds with about three significant digits, never in exponent notation. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const size = Math.abs(ms);
  if (size >= 100) return ms.toFixed(1);
  if (size >= 1) return ms.toFixed(2);
  if (size >= 0.001 || size === 0) return ms.toFixed(3);
  return ms.toFixed(6);
}

/** Aligns columns: the first left-aligned (names), the rest right-aligned (numbers). */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, c) => Math.max(cell.length, ...rows.map((row) => (row[c] ?? "").length)));
  const line = (row: readonly string[]) =>
    widths.map((width, c) => (c === 0 ? (row[c] ?? "").padEnd(width) : (row[c] ?? "").padStart(width))).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

// The kernel shows a value through this symbol (Deno's convention) instead of util.inspect.
const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");

/** Makes instances of `type` show as their toString() in cells and in console.log. */
export function showsAsText(type: { prototype: { toString(): string } }): void {
  Object.defineProperties(type.prototype, {
    [JUPYTER_DISPLAY]: {
      value(this: { toString(): string }) {
        return { "text/plain": this.toString() };
      },
    },
    [inspect.custom]: {
      value(this: { toString(): string }) {
        return this.toString();
      },
    },
  });
}
