// papermill's convention in TypeScript: `-p name=value` becomes a cell of `const` declarations
// placed after the cell tagged "parameters", so it overrides that cell's defaults.
import { randomUUID } from "node:crypto";
import type { CodeCell, Notebook } from "./notebook.js";

export interface Parameter {
  name: string;
  value: unknown;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `name=value`: the value is JSON when it parses as JSON (42, true, "x", [1,2]), else a string. */
export function parseParameter(text: string): Parameter {
  const split = text.indexOf("=");
  if (split <= 0) throw new Error(`-p ${text}: expected name=value`);
  const name = text.slice(0, split).trim();
  if (!IDENTIFIER.test(name)) throw new Error(`-p ${text}: "${name}" is not a TypeScript identifier`);
  const raw = text.slice(split + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // a bare word is a string, as in papermill
  }
  return { name, value };
}

/**
 * Inserts the parameters cell; returns a warning when the notebook has no cell tagged
 * "parameters" (the values then go first). A cell injected by an earlier run is replaced.
 */
export function injectParameters(notebook: Notebook, parameters: readonly Parameter[]): string | undefined {
  if (parameters.length === 0) return undefined;
  notebook.cells = notebook.cells.filter((cell) => !cell.metadata.tags?.includes("injected-parameters"));
  const at = notebook.cells.findIndex((cell) => cell.metadata.tags?.includes("parameters"));
  const source = ["// Parameters given to this run", ...parameters.map(({ name, value }) => `const ${name} = ${JSON.stringify(value)};`)].join("\n");
  const cell: CodeCell = { id: randomUUID().slice(0, 8), cell_type: "code", source, metadata: { tags: ["injected-parameters"] }, execution_count: null, outputs: [] };
  notebook.cells.splice(at + 1, 0, cell);
  return at < 0 ? "no cell is tagged \"parameters\": the parameters were put in a new first cell" : undefined;
}
