// Is a cell ready to run, or is the user in the middle of a construct (an open brace, a
// template literal)? Errors at the very end of the input mean "keep typing"; elsewhere, "invalid".
import ts from "#typescript";
import type { IsCompleteResult } from "./protocol.js";

/** Errors that can only be fixed by typing more, wherever the parser reports them. */
const UNFINISHED = new Set([
  1010, // '*/' expected
  1160, // Unterminated template literal
]);

/** Errors no typing can fix: a line break ends a quoted string (one after a `\` continues it, another error). */
const UNFINISHABLE = new Set([
  1002, // Unterminated string literal
]);

export function isComplete(code: string): IsCompleteResult {
  const trimmed = code.trimEnd();
  if (trimmed === "") return { status: "complete" };
  const source = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const errors = (source as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
  if (errors.length === 0) return { status: "complete" };
  if (errors.some((error) => UNFINISHABLE.has(error.code))) return { status: "invalid" };
  const atEnd = errors.every((error) => UNFINISHED.has(error.code) || (error.start ?? 0) >= trimmed.length);
  return atEnd ? { status: "incomplete", indent: nextIndent(trimmed) } : { status: "invalid" };
}

function nextIndent(code: string): string {
  const lastLine = code.slice(code.lastIndexOf("\n") + 1);
  const indent = /^\s*/.exec(lastLine)![0];
  return /[{([]\s*$|=>\s*$/.test(lastLine) ? indent + "  " : indent;
}
