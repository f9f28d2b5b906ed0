// The text/plain part of a bundle: what a terminal, a diff or a text-only viewer shows.

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
