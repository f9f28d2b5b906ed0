// papermill's convention in TypeScript: `-p name=value` becomes a cell tagged
// "injected-parameters" placed after the cell tagged "parameters", so it overrides that cell's
// defaults. Each name is declared again as the parameters cell declares it: a kernel cannot turn
// a `let` into a `const`, and a value typed as its literal (`5`) would fail comparisons the
// default (`10`) passes.
import { randomUUID } from "node:crypto";
import { sourceText, type CodeCell, type Notebook } from "./notebook.js";

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
  if (name === "await" || isReservedWord(name)) throw new Error(`-p ${text}: "${name}" is a reserved word, which cannot name a variable`);
  const raw = text.slice(split + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // a bare word is a string, as in papermill
  }
  // JSON has no Infinity: 1e400 would be written into the notebook as null.
  if (typeof value === "number" && !Number.isFinite(value)) throw new Error(`-p ${text}: ${raw} is too large for a number (it would be Infinity)`);
  return { name, value };
}

/** `class`, `let`, `yield`...: V8 itself says, in strict mode as cells are modules (which also reserve `await`). */
function isReservedWord(name: string): boolean {
  try {
    new Function(`"use strict"; let ${name};`);
    return false;
  } catch {
    return true;
  }
}

interface Declaration {
  keyword: "const" | "let" | "var";
  /** The annotation as written, if any. */
  type?: string;
}

/**
 * Inserts the parameters cell; returns a warning when the notebook has no cell tagged
 * "parameters" (the values then go first). A cell injected by an earlier run is replaced.
 */
export async function injectParameters(notebook: Notebook, parameters: readonly Parameter[]): Promise<string | undefined> {
  if (parameters.length === 0) return undefined;
  notebook.cells = notebook.cells.filter((cell) => !cell.metadata.tags?.includes("injected-parameters"));
  const at = notebook.cells.findIndex((cell) => cell.metadata.tags?.includes("parameters"));
  const declared = at < 0 ? new Map<string, Declaration>() : await declarationsOf(sourceText(notebook.cells[at]!.source));
  const lines = parameters.map(({ name, value }) => declare(name, value, declared.get(name)));
  const source = ["// Parameters given to this run", ...lines].join("\n");
  const cell: CodeCell = { id: randomUUID().slice(0, 8), cell_type: "code", source, metadata: { tags: ["injected-parameters"] }, execution_count: null, outputs: [] };
  notebook.cells.splice(at + 1, 0, cell);
  return at < 0 ? "no cell is tagged \"parameters\": the parameters were put in a new first cell" : undefined;
}

function declare(name: string, value: unknown, declaration: Declaration | undefined): string {
  const literal = JSON.stringify(value);
  if (!declaration) return `const ${name} = ${literal};`;
  const type = declaration.type ?? widenedType(value);
  return `${declaration.keyword} ${name}${type ? `: ${type}` : ""} = ${literal};`;
}

/** `number` rather than the literal `5`; objects, arrays and null keep the type TypeScript infers. */
function widenedType(value: unknown): string | undefined {
  return typeof value === "number" || typeof value === "string" || typeof value === "boolean" ? typeof value : undefined;
}

/** The top-level variables of the parameters cell, with their keyword and annotation. */
async function declarationsOf(code: string): Promise<Map<string, Declaration>> {
  // Loaded only when -p is given: the compiler takes a moment to load.
  const { default: ts } = await import("#typescript");
  const file = ts.createSourceFile("parameters.ts", code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found = new Map<string, Declaration>();
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const flags = statement.declarationList.flags;
    // `await using` sets the Const bit too, and a parameter cannot be a disposable anyway.
    if (flags & ts.NodeFlags.Using) continue;
    const keyword = flags & ts.NodeFlags.Const ? "const" : flags & ts.NodeFlags.Let ? "let" : "var";
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name)) found.set(declaration.name.text, { keyword, type: declaration.type?.getText(file) });
    }
  }
  return found;
}
