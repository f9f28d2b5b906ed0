// Notebooks as the runner reads and writes them: nbformat 4, upgraded to 4.5 (every cell has an
// id). Reading names the file and what is wrong; the official schema check is in the tests.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";

export type MultilineString = string | string[];
export type MimeBundle = Record<string, unknown>;

export interface StreamOutput { output_type: "stream"; name: "stdout" | "stderr"; text: MultilineString }
export interface DisplayDataOutput { output_type: "display_data"; data: MimeBundle; metadata: Record<string, unknown>; transient?: unknown }
export interface ExecuteResultOutput { output_type: "execute_result"; execution_count: number | null; data: MimeBundle; metadata: Record<string, unknown> }
export interface ErrorOutput { output_type: "error"; ename: string; evalue: string; traceback: string[] }
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

interface BaseCell {
  id: string;
  source: MultilineString;
  metadata: Record<string, unknown> & { tags?: string[] };
}
export interface CodeCell extends BaseCell { cell_type: "code"; execution_count: number | null; outputs: Output[] }
export interface MarkdownCell extends BaseCell { cell_type: "markdown"; attachments?: Record<string, MimeBundle> }
export interface RawCell extends BaseCell { cell_type: "raw"; attachments?: Record<string, MimeBundle> }
export type Cell = CodeCell | MarkdownCell | RawCell;

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

export class NotebookError extends Error {
  override name = "NotebookError";
}

export function sourceText(source: MultilineString): string {
  return Array.isArray(source) ? source.join("") : source;
}

export async function readNotebook(file: string): Promise<Notebook> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new NotebookError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseNotebook(text, file);
}

export function parseNotebook(text: string, file: string): Notebook {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new NotebookError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(raw)) throw new NotebookError(`${file}: a notebook is a JSON object, this is ${describe(raw)}`);
  if (raw.nbformat !== 4) {
    throw new NotebookError(`${file}: nbformat ${JSON.stringify(raw.nbformat)} is not supported; only nbformat 4 notebooks run (convert with \`jupyter nbconvert --to notebook\`)`);
  }
  if (!Array.isArray(raw.cells)) throw new NotebookError(`${file}: "cells" must be a list`);
  const ids = new Set<string>();
  const cells = raw.cells.map((cell, index) => checkCell(cell, index, file, ids));
  return {
    nbformat: 4,
    // Cell ids arrived in 4.5; a notebook that lacked them gets them and says so.
    nbformat_minor: Math.max(typeof raw.nbformat_minor === "number" ? raw.nbformat_minor : 0, 5),
    metadata: isObject(raw.metadata) ? raw.metadata : {},
    cells,
  };
}

function checkCell(cell: unknown, index: number, file: string, ids: Set<string>): Cell {
  const where = `${file}: cell ${index + 1}`;
  if (!isObject(cell)) throw new NotebookError(`${where}: expected an object, got ${describe(cell)}`);
  if (cell.cell_type !== "code" && cell.cell_type !== "markdown" && cell.cell_type !== "raw") {
    throw new NotebookError(`${where}: cell_type ${JSON.stringify(cell.cell_type)} is not code, markdown or raw`);
  }
  const source = cell.source;
  if (!(typeof source === "string" || (Array.isArray(source) && source.every((line) => typeof line === "string")))) {
    throw new NotebookError(`${where}: "source" must be a string or a list of strings`);
  }
  // nbformat's rule: 1-64 letters, digits, - and _, unique in the notebook.
  let id = typeof cell.id === "string" && /^[a-zA-Z0-9-_]{1,64}$/.test(cell.id) && !ids.has(cell.id) ? cell.id : randomUUID().slice(0, 8);
  while (ids.has(id)) id = randomUUID().slice(0, 8);
  ids.add(id);
  const metadata = isObject(cell.metadata) ? cell.metadata : {};
  if (cell.cell_type === "code") {
    return { ...cell, id, cell_type: "code", source, metadata, execution_count: typeof cell.execution_count === "number" ? cell.execution_count : null, outputs: Array.isArray(cell.outputs) ? (cell.outputs as Output[]) : [] };
  }
  return { ...cell, id, cell_type: cell.cell_type, source, metadata } as Cell;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "a list" : `a ${typeof value}`;
}

/** JSON as Jupyter writes notebooks: one-space indent, keys sorted, a final newline. */
export function serializeNotebook(notebook: Notebook): string {
  return `${JSON.stringify(sortKeys(notebook), null, 1)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys(value[key])]));
}
