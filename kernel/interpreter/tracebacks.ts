// Errors as a notebook user wants to read them: positions in the cell they typed (TypeScript,
// not the JavaScript it became), the offending line with a caret, no kernel internals.
import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";
import { inspect, types } from "node:util";
import type { CellDiagnostic } from "../checker/protocol.js";
import type { JSONObject } from "../wire/codec.js";
import { SHADOW_NAME } from "../checker/shadow-name.js";
import { LOCAL_VERSION } from "../local-files.js";

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

interface CellScript {
  label: string;
  source: string;
  /** The map's JSON, parsed on the first error that needs it: most cells never throw. */
  mapText: string;
  map?: SourceMap | null;
}

const KERNEL_DIR = fileURLToPath(new URL("../", import.meta.url));
/** Which version of the notebook's local files a module is: not part of the file's name. */
const LOCAL_VERSION_QUERY = new RegExp(`\\?${LOCAL_VERSION}=\\d+`, "g");
/** A line of a stack that is a frame. */
const FRAME = /^\s+at /;
const RED = "\u001b[0;31m";
const BOLD_RED = "\u001b[1;31m";
const GREEN = "\u001b[0;32m";
const RESET = "\u001b[0m";

export class Tracebacks {
  readonly #scripts = new Map<string, CellScript>();

  /** Remembers how a cell's script maps back to its source, for errors thrown now or later. */
  register(scriptName: string, label: string, source: string, sourceMap: string): void {
    this.#scripts.set(scriptName, { label, source, mapText: sourceMap });
  }

  /**
   * Never throws, whatever was thrown: it runs outside the cell, where an exception would fail
   * the request instead of the cell, or end the process from an uncaughtException handler.
   */
  fromThrown(thrown: unknown): ErrorContent {
    if (!isErrorLike(thrown)) {
      const shown = describe(thrown);
      return { ename: "Uncaught", evalue: shown, traceback: [`${BOLD_RED}Uncaught${RESET} ${shown}`] };
    }
    const name = read(thrown, "name");
    const ename = (typeof name === "string" && name) || constructorName(thrown) || "Error";
    const message = read(thrown, "message");
    const evalue = asWritten(typeof message === "string" ? message : message === undefined ? "" : describe(message));
    const frames: string[] = [];
    let excerpt: string[] = [];
    const stackText = read(thrown, "stack");
    const stack = typeof stackText === "string" ? stackText : "";
    for (const line of stack.split("\n").slice(1)) {
      if (!FRAME.test(line) || isKernelFrame(line)) continue;
      const mapped = this.#mapFrame(line);
      frames.push(mapped.text);
      if (excerpt.length === 0 && mapped.cell) excerpt = codeFrame(mapped.cell.source, mapped.line, mapped.column);
    }
    const header = `${BOLD_RED}${ename}${RESET}: ${evalue}`;
    return { ename, evalue, traceback: [header, ...frames, ...excerpt] };
  }

  /**
   * Output a cell sends, with any stack in its text (a stream's, a value's text/plain) shown as
   * fromThrown shows one: at the cell's positions, without the kernel's frames. Text with no
   * cell script or kernel file in it is passed on as it is.
   */
  inOutput(msgType: string, content: JSONObject): JSONObject {
    try {
      if (msgType === "stream" && typeof content.text === "string") {
        const text = this.#readableStack(content.text);
        return text === content.text ? content : { ...content, text };
      }
      const data = content.data as JSONObject | undefined;
      if ((msgType === "execute_result" || msgType === "display_data" || msgType === "update_display_data") && typeof data?.["text/plain"] === "string") {
        const text = this.#readableStack(data["text/plain"]);
        return text === data["text/plain"] ? content : { ...content, data: { ...data, "text/plain": text } };
      }
    } catch {
      // Output is never lost to this.
    }
    return content;
  }

  #readableStack(text: string): string {
    if (!text.includes("parlab-cell-") && !text.includes(KERNEL_DIR)) return text;
    return text
      .split("\n")
      .flatMap((line) => (!FRAME.test(line) ? [line] : isKernelFrame(line) ? [] : [this.#mapFrame(line).text]))
      .join("\n");
  }

  fromCheckerFailure(error: Error): ErrorContent {
    const evalue = `${error.message}. The cell did not run.`;
    return { ename: "TypeCheckerError", evalue, traceback: [`${BOLD_RED}TypeCheckerError${RESET}: ${evalue}`] };
  }

  fromDiagnostics(label: string, diagnostics: CellDiagnostic[]): ErrorContent {
    const first = diagnostics[0]!;
    const lines: string[] = [];
    for (const diagnostic of diagnostics) {
      lines.push(`${BOLD_RED}${label}, line ${diagnostic.line}:${diagnostic.column}${RESET} - ${RED}error${RESET} TS${diagnostic.code}: ${diagnostic.message}`);
      lines.push(`${GREEN}${String(diagnostic.line).padStart(4)} |${RESET} ${diagnostic.lineText}`);
      lines.push(`     | ${indentTo(diagnostic.lineText, diagnostic.column)}${RED}${"~".repeat(diagnostic.length)}${RESET}`);
    }
    const count = diagnostics.length === 1 ? "1 type error" : `${diagnostics.length} type errors`;
    lines.push(`The cell did not run (${count}). To run it unchecked, put // @ts-nocheck on its first line.`);
    return {
      ename: "TypeScriptError",
      evalue: `${label}, line ${first.line}:${first.column}: TS${first.code}: ${first.message}`,
      traceback: lines,
    };
  }

  /** A stack frame as the user wrote the code: at the cell's TypeScript position, names unshadowed. */
  #mapFrame(line: string): { text: string; cell?: CellScript; line: number; column: number } {
    let found: { cell: CellScript; line: number; column: number } | undefined;
    const text = asWritten(line.replace(LOCAL_VERSION_QUERY, "").replace(/(parlab-cell-\d+\.js):(\d+):(\d+)/, (whole, name: string, lineText: string, columnText: string) => {
      const cell = this.#scripts.get(name);
      if (!cell) return whole;
      const generatedLine = Number(lineText) - 1;
      const generatedColumn = Number(columnText) - 1;
      const entry = sourceMapOf(cell)?.findEntry(generatedLine, generatedColumn) as { originalLine?: number; originalColumn?: number } | undefined;
      const original = entry && entry.originalLine !== undefined ? { line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 } : { line: generatedLine + 1, column: generatedColumn + 1 };
      found = { cell, ...original };
      return `${cell.label}:${original.line}:${original.column}`;
    }));
    return found ? { text, ...(found as { cell: CellScript; line: number; column: number }) } : { text, line: 0, column: 0 };
  }
}

/** A stack frame of the kernel's (or of Node running it), which no cell's error shows. */
function isKernelFrame(line: string): boolean {
  return line.includes(KERNEL_DIR) || /\(node:(inspector|async_hooks|vm)|node:internal\/(inspector|process\/task_queues|async_hooks|modules\/esm|event_target)/.test(line) || /^\s+at new Promise \(<anonymous>\)$/.test(line);
}

/** Names of cell bindings as the user wrote them, not as the script had to call them. */
function asWritten(text: string): string {
  return text.replace(SHADOW_NAME, "$1");
}

function sourceMapOf(cell: CellScript): SourceMap | null {
  if (cell.map === undefined) {
    try { cell.map = cell.mapText ? new SourceMap(JSON.parse(cell.mapText)) : null; } catch { cell.map = null; }
  }
  return cell.map;
}

function codeFrame(source: string, line: number, column: number): string[] {
  const lines = source.split("\n");
  const out: string[] = [""];
  for (let number = Math.max(1, line - 2); number <= Math.min(lines.length, line + 1); number++) {
    const marker = number === line ? `${RED}---->${RESET}` : "     ";
    out.push(`${marker} ${GREEN}${String(number).padStart(3)}${RESET} ${lines[number - 1]}`);
    if (number === line) out.push(`${" ".repeat(10)}${indentTo(lines[number - 1]!, column)}${RED}^${RESET}`);
  }
  return out;
}

/**
 * The blank before 1-based `column` of `line`, keeping its tabs, so that a mark under it lines up
 * however wide a tab is shown (as Babel's code frames do): with spaces only, the `~` under a
 * tab-indented line sat a tab's width minus one to the left of the code it meant.
 */
function indentTo(line: string, column: number): string {
  return line.slice(0, column - 1).replace(/[^\t]/g, " ").padEnd(column - 1, " ");
}

function isErrorLike(value: unknown): value is object {
  if (types.isNativeError(value)) return true;
  try {
    return typeof value === "object" && value !== null && "stack" in value && "message" in value;
  } catch {
    return false; // a Proxy's `has` trap threw
  }
}

/** A property of a thrown value, whose own getter may throw. */
function read(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function constructorName(value: object): string | undefined {
  const constructor = read(value, "constructor");
  const name = typeof constructor === "function" ? read(constructor, "name") : undefined;
  return typeof name === "string" ? name : undefined;
}

/**
 * A thrown value as util.inspect shows it, but never through the value's own inspect method or a
 * Proxy's traps: this runs after the cell, where an endless loop could not be interrupted.
 */
function describe(value: unknown): string {
  try {
    return inspect(value, { customInspect: false });
  } catch {
    return Object.prototype.toString.call(value);
  }
}
