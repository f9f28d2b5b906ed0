// Requests the kernel sends to its type-checker process, and what comes back.

export interface CheckerConfig {
  /** Cells live (virtually) in this directory: relative imports and node_modules resolve from it. */
  notebookDir: string;
  /** Declarations of the globals the kernel gives every cell (display, input, ...). */
  globalsFile: string;
  /** The globals of the realm cells run in: a cell binding of such a name is renamed (see global-shadows.ts). */
  realmGlobals: string[];
  /** Bare specifiers the kernel provides itself ("tslab", "parlab") and their declaration files. */
  moduleTypes: Record<string, string>;
  /** @types/node's entry: loaded after the first cells, or as soon as a cell needs it. */
  nodeTypesFile: string;
  /** parlab's own @types folder: Node's types are found wherever the notebook lives. */
  typeRoots: string[];
}

/** What the checker thread is started with. */
export interface CheckerThreadData {
  config: CheckerConfig;
}

export interface CellDiagnostic {
  line: number; // 1-based, in the cell
  column: number; // 1-based
  code: number;
  message: string;
  lineText: string;
  length: number;
}

/**
 * How a cell's JavaScript must run. "repl": in V8's REPL mode, which top-level `await` needs, and
 * top-level let/const/class names that a later cell may declare again. "script": as a classic
 * script, which needs neither and runs without REPL mode's trip through the inspector.
 */
export type ScriptMode = "script" | "repl";

export interface EmittedScript {
  js: string;
  sourceMap: string;
  mode: ScriptMode;
}

export type CheckResult =
  /** `scope`: only for a cell that declares or augments something, so later cells may check differently. */
  | ({ ok: true; scope?: ScopeChange } & EmittedScript)
  | { ok: false; diagnostics: CellDiagnostic[] };

export interface ScopeChange {
  /** The cell whose module now holds the names (an earlier one, for a cell run again unchanged). */
  module: number;
  /** The modules later cells can still see; the checker forgot every other. */
  liveModules: number[];
}

export interface CompletionResult {
  matches: string[];
  start: number; // UTF-16 offsets in the code
  end: number;
  types: { text: string; type: string }[];
}

export interface InspectResult {
  signature: string;
  documentation: string;
}

export type IsCompleteResult = { status: "complete" } | { status: "invalid" } | { status: "incomplete"; indent: string };

export interface CheckerMethods {
  /** `label`: how the user knows the cell ("In[3]"), for types of its that a message names. */
  check(params: { code: string; cell: number; label: string }): CheckResult;
  transpileExpression(params: { code: string }): CheckResult;
  complete(params: { code: string; cursor: number }): CompletionResult;
  inspect(params: { code: string; cursor: number }): InspectResult | null;
  isComplete(params: { code: string }): IsCompleteResult;
}

export type CheckerRequest = { [M in keyof CheckerMethods]: { id: number; method: M; params: Parameters<CheckerMethods[M]>[0] } }[keyof CheckerMethods];
export type CheckerResponse = { id: number; result: unknown } | { id: number; error: string };
