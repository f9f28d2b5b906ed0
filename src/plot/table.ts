// The text/plain part of a bundle: what a terminal, a diff or a text-only viewer shows; and how
// many digits the numbers get, there and on the charts.

export type Align = "left" | "right";

export interface Column {
  header: string;
  align: Align;
}

/** Aligns cells in columns two spaces apart; numbers should come pre-formatted and right-aligned. */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, i) => Math.max([...column.header].length, ...rows.map((row) => [...(row[i] ?? "")].length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((column, i) => {
        const cell = cells[i] ?? "";
        const gap = " ".repeat(widths[i]! - [...cell].length);
        return column.align === "right" ? gap + cell : cell + gap;
      })
      .join("  ")
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...rows.map(line)].join("\n");
}

/**
 * Digits after the point for values spread over `range`: about four significant digits, so a
 * 3 ms run and a 300 s run both print readably.
 */
export function decimalsFor(range: number): number {
  if (!(range > 0)) return 3;
  return Math.min(6, Math.max(0, 3 - Math.floor(Math.log10(range))));
}
