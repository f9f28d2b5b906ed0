// The notebook as TypeScript sees it. Every cell that declares something is kept as a virtual
// module; a new cell imports, from the newest cell that declared it, every name it does not
// declare itself. So a cell may redeclare anything, and sees the latest type of everything else.
// The imports are appended after the cell's text, so positions in the cell are positions in the file.
import ts from "#typescript";
import path from "node:path";
import { afterTransform, beforeTransform, CELL_MODULE_PREFIX, RUNTIME } from "./cell-transform.js";
import type { GlobalShadows } from "./global-shadows.js";
import { RecentMap } from "../recent-map.js";
import { collectCellNames, type CellNames } from "./cell-names.js";
import { Documentation, JSDOC_PARSING } from "./documentation.js";
import { LanguageHost } from "./language-host.js";
import { textChange } from "./edit-snapshot.js";
import { WARM_UP_CELL } from "./warm-up-cell.js";
import type { CellDiagnostic, CheckerConfig, CheckResult, CompletionResult, EmittedScript, InspectResult, ScopeChange, ScriptMode } from "./protocol.js";

/** "Cannot assign to 'x' because it is an import": in the notebook it is a variable of an earlier cell. */
const IGNORED_DIAGNOSTICS = new Set([2632]);
const PENDING = "__parlab_pending__.ts";
const CELL_MODULE_FILE = path.basename(CELL_MODULE_PREFIX);
/** `import("<notebook dir>/__parlab_cell_3__").` or the pending cell's, as TypeScript prints a type's file. */
const CELL_FILE_QUALIFIER = new RegExp(String.raw`import\("[^"]*?(?:${CELL_MODULE_FILE}(\d+)__|${path.basename(PENDING, ".ts")})"\)\.`, "g");
/** Checks of declaring cells kept for running them again: 50 of the 229-line bench cell hold ~1 MB. */
const MAX_COMMITTED_RESULTS = 50;

type EmittedCell = { ok: true } & EmittedScript;
/** A declaring cell's check, and the cell whose module holds it. */
type CommittedCheck = { cell: number; result: EmittedCell };

export class NotebookProgram {
  readonly #host: LanguageHost;
  readonly #service: ts.LanguageService;
  readonly #documentation: Documentation;
  readonly #directory: string;
  /** Each visible name, and the cell whose module declares it now. */
  readonly #scope = new Map<string, number>();
  /** Committed cells' modules: which cells each imports from, and whether it augments globals. */
  readonly #modules = new Map<number, { importsFrom: number[]; augments: boolean; label: string }>();
  /**
   * Committed cells by their full text (the cell plus its imports), the most recently run kept:
   * re-running a cell unchanged, with the names it uses still coming from the same cells, checks
   * the same, so it reuses the earlier result and module (made again if it had been dropped)
   * instead of checking ~20 ms per 100 lines again, also after an edit was tried and undone.
   */
  readonly #committed = new RecentMap<string, CommittedCheck>(MAX_COMMITTED_RESULTS);
  readonly #nodeTypesFile: string;
  #nodeTypesLoaded = false;
  #lastParsed: ts.SourceFile | undefined;
  readonly #realmGlobals: ReadonlySet<string>;

  constructor(config: CheckerConfig) {
    this.#directory = config.notebookDir;
    this.#nodeTypesFile = config.nodeTypesFile;
    // The kernel's own global, which every cell's script calls, is one too.
    this.#realmGlobals = new Set([...config.realmGlobals, RUNTIME]);
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      moduleDetection: ts.ModuleDetectionKind.Force,
      allowImportingTsExtensions: true,
      lib: ["lib.es2023.d.ts"],
      // Node's types are added by loadNodeTypes(), not here (see there).
      types: [],
      typeRoots: config.typeRoots,
      paths: Object.fromEntries(Object.entries(config.moduleTypes).map(([name, file]) => [name, [file]])),
      strict: true,
      esModuleInterop: true,
      allowSyntheticDefaultImports: true,
      resolveJsonModule: true,
      skipLibCheck: true,
      noEmit: false,
      declaration: false,
      sourceMap: true,
      newLine: ts.NewLineKind.LineFeed,
      // Printing comments is a good part of emitting a cell: without them, a 229-line cell's
      // first run is ~9 % quicker (interleaved A/B). Only a function's toString() shows it.
      removeComments: true,
    };
    this.#host = new LanguageHost(options, this.#directory, [config.globalsFile], JSDOC_PARSING);
    this.#service = ts.createLanguageService(this.#host, ts.createDocumentRegistry(ts.sys.useCaseSensitiveFileNames, this.#directory, JSDOC_PARSING));
    this.#documentation = new Documentation((fileName) => this.#host.text(fileName), ts.sys.readFile);
  }

  /** Warms the compiler (parsing lib and @types/node, checking, emitting) so the first real cell is quick. */
  warm(): void {
    const fileName = this.#setPending("");
    this.#service.getSemanticDiagnostics(fileName);
    this.#emit(fileName, 0);
  }

  /**
   * Checks and emits a typical cell, then forgets it: the first real cell then runs on compiled
   * checker code. Returns the warm-up cell's own errors, which should be none.
   */
  warmUpChecking(): readonly ts.Diagnostic[] {
    const fileName = this.#setPending(WARM_UP_CELL);
    const diagnostics = this.#service.getSemanticDiagnostics(fileName);
    this.#emit(fileName, WARM_UP_CELL.length);
    this.#setPending("");
    return diagnostics;
  }

  /**
   * @types/node is two thirds of what the checker parses (~0.6 s of its start), and a cell like
   * `1 + 1` needs none of it. So the checker starts with the language's own lib, and Node's types
   * join when the kernel is idle or a cell needs them. They only add declarations, so a cell
   * that checks without them checks with them (unless it redeclares one of Node's globals), and
   * a cell's errors are only ever reported once they are loaded.
   */
  loadNodeTypes(): void {
    if (this.#nodeTypesLoaded) return;
    this.#nodeTypesLoaded = true;
    this.#host.addRootFile(this.#nodeTypesFile);
    this.warm();
  }

  /** `label`: how the user knows the cell ("In[3]"), for types of its that a message names. */
  check(code: string, cell: number, label = `cell ${cell}`): CheckResult {
    this.#noticeEditedFiles();
    const source = this.#parseCell(code);
    const names = collectCellNames(source);
    // Only what the cell mentions: a module that imported every name in scope kept every earlier
    // module reachable, so none ever left the program (1.4 GB after 2,000 cells).
    const stitching = this.#stitching(names.declared, names.exported, names.mentioned);
    const text = code + stitching.text;
    const rerun = this.#committed.get(text);
    if (rerun) {
      this.#commit(rerun.cell, text, names, stitching.importsFrom, label);
      return { ...rerun.result, scope: this.#scopeChange(rerun.cell) };
    }
    // Every cell is checked under the same name, even one that becomes a module: a cell edited
    // and run again, importing what it did before, then keeps the last program's structure (the
    // roots stay the same, see LanguageHost.set), which saves walking ~150 files (~6 ms a check).
    const changesScope = names.declared.size > 0 || names.augments;
    const fileName = this.#setPending(text);

    const diagnostics = [...this.#service.getSyntacticDiagnostics(fileName), ...this.#service.getSemanticDiagnostics(fileName)]
      .filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error && !IGNORED_DIAGNOSTICS.has(diagnostic.code));
    if (diagnostics.length > 0 && !this.#nodeTypesLoaded) {
      this.loadNodeTypes();
      return this.check(code, cell, label);
    }
    if (diagnostics.length > 0) {
      this.#setPending("");
      return { ok: false, diagnostics: diagnostics.map((d) => toCellDiagnostic(d, code, (message) => this.#namingCells(message, label))) };
    }

    const shadowed = new Set([...names.declared, ...this.#scope.keys()].filter((name) => this.#realmGlobals.has(name)));
    const result = this.#emit(fileName, code.length, shadowed);
    if (!changesScope) return result;
    this.#committed.set(text, { cell, result });
    this.#commit(cell, text, names, stitching.importsFrom, label);
    return { ...result, scope: this.#scopeChange(cell) };
  }

  /** For user_expressions: strips types without checking, and captures the value. */
  transpileExpression(code: string): CheckResult {
    let mode: ScriptMode = "repl";
    const output = ts.transpileModule(code, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: true },
      transformers: { before: [beforeTransform(code.length)], after: [afterTransform((found) => { mode = found; })] },
      reportDiagnostics: true,
    });
    const errors = (output.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (errors.length > 0) return { ok: false, diagnostics: errors.map((d) => toCellDiagnostic(d, code, (message) => message)) };
    return { ok: true, js: stripModuleMarkers(output.outputText), sourceMap: output.sourceMapText ?? "", mode };
  }

  complete(code: string, cursor: number): CompletionResult {
    this.loadNodeTypes();
    this.#noticeEditedFiles();
    const fileName = this.#prepareScratch(code);
    const prefixStart = identifierStart(code, cursor);
    const prefix = code.slice(prefixStart, cursor).toLowerCase();
    const completions = this.#service.getCompletionsAtPosition(fileName, cursor, { includeCompletionsWithInsertText: true, includeCompletionsForModuleExports: false });
    const entries = (completions?.entries ?? [])
      // Well-known symbols (`[Symbol.iterator]`) are never what Tab is pressed for, and their span
      // would put a dot before every other member (see below).
      .filter((entry) => matchesTyped(entry, code, cursor, prefix) && !entry.name.startsWith("__parlab") && !entry.insertText?.startsWith("[Symbol"))
      .sort((a, b) => a.sortText.localeCompare(b.sortText) || a.name.localeCompare(b.name))
      .map((entry) => ({
        text: entry.insertText ?? entry.name,
        start: entry.replacementSpan?.start ?? prefixStart,
        end: entry.replacementSpan ? entry.replacementSpan.start + entry.replacementSpan.length : cursor,
        type: jupyterType(entry.kind),
      }));
    // The protocol has one span for all matches, but `o2["a-b"]` replaces the dot that `o2.alpha`
    // keeps: each match is widened to the span that covers them all, with the code it now replaces
    // (as IPython's rectify_completions does), so `alpha` becomes `.alpha`.
    const start = Math.min(prefixStart, ...entries.map((entry) => entry.start));
    const end = Math.max(cursor, ...entries.map((entry) => entry.end));
    const types = entries.map((entry) => ({ text: code.slice(start, entry.start) + entry.text + code.slice(entry.end, end), type: entry.type }));
    return { matches: types.map(({ text }) => text), start, end, types };
  }

  inspect(code: string, cursor: number): InspectResult | null {
    this.loadNodeTypes();
    this.#noticeEditedFiles();
    const fileName = this.#prepareScratch(code);
    // At the cursor, or just before it: the end of a name counts as on it.
    let position = cursor;
    let info = this.#service.getQuickInfoAtPosition(fileName, position);
    if (!info && cursor > 0) info = this.#service.getQuickInfoAtPosition(fileName, --position);
    if (!info) {
      // Among a call's arguments (`add(1, |`), the function called, as IPython's token_at_cursor
      // answers: Shift-Tab there showed nothing. Its arguments' span starts after the `(`, which
      // touches the callee's name.
      const call = this.#service.getSignatureHelpItems(fileName, cursor, undefined);
      if (call && call.applicableSpan.start > 0 && call.applicableSpan.start <= code.length) {
        position = call.applicableSpan.start - 1;
        info = this.#service.getQuickInfoAtPosition(fileName, position);
      }
    }
    if (!info || isUnresolvedName(info, code)) return null;
    return {
      signature: this.#namingCells(withoutStitching(ts.displayPartsToString(info.displayParts)), "this cell"),
      documentation: this.#documentation.of(this.#service.getDefinitionAtPosition(fileName, position) ?? []),
    };
  }

  /** A local file the notebook imports was edited: a cell that imports it, run again unchanged, is checked again. */
  #noticeEditedFiles(): void {
    if (this.#host.refreshLocalFiles()) this.#committed.clear();
  }

  #prepareScratch(code: string): string {
    const source = this.#parseCell(code);
    const names = collectCellNames(source);
    // The ";" ends an unfinished expression: `point.` must not run on into the stitched imports as `point.import`.
    return this.#setPending(`${code}\n;${this.#stitching(names.declared, names.exported).text}`);
  }

  /** `shadowed`: top-level names of cells that are also globals, renamed in the script (see global-shadows.ts). */
  #emit(fileName: string, cellEnd: number, shadowed?: ReadonlySet<string>): EmittedCell {
    const program = this.#service.getProgram()!;
    const shadows: GlobalShadows | undefined = shadowed?.size ? { names: shadowed, checker: program.getTypeChecker(), isCellFile: (name) => this.#isCellFile(name) } : undefined;
    let js = "";
    let sourceMap = "";
    let mode: ScriptMode = "repl";
    program.emit(program.getSourceFile(fileName), (name, text) => {
      if (name.endsWith(".map")) sourceMap = text;
      else js = text;
    }, undefined, false, { before: [beforeTransform(cellEnd, shadows)], after: [afterTransform((found) => { mode = found; })] });
    return { ok: true, js: stripModuleMarkers(js), sourceMap, mode };
  }

  #isCellFile(fileName: string): boolean {
    // TypeScript may name files with forward slashes where the host used backslashes (Windows).
    const slashes = (name: string) => name.replaceAll("\\", "/");
    const file = slashes(fileName);
    return file === slashes(this.#path(PENDING)) || (file.startsWith(slashes(this.#path(CELL_MODULE_PREFIX))) && file.endsWith("__.ts"));
  }

  #commit(cell: number, text: string, names: CellNames, importsFrom: number[], label: string): void {
    // Only a module that augments globals is in every program; the others join those that import them.
    this.#host.set(this.#modulePath(cell), text, { root: names.augments });
    for (const name of names.declared) this.#scope.set(name, cell);
    this.#modules.set(cell, { importsFrom, augments: names.augments, label });
    this.#dropUnreachableModules();
  }

  /**
   * A cell run again, or a later cell that declares the same names, leaves the earlier module
   * with nothing in scope. Unless a module still in use imports from it, or it augments globals,
   * no later cell can see it, and it is forgotten (it would otherwise be kept for every run). A
   * cell run again after an edit was undone reuses its check (see #committed), which makes the
   * module again.
   */
  #dropUnreachableModules(): void {
    const reachable = new Set<number>();
    const visit = (cell: number) => {
      if (reachable.has(cell)) return;
      reachable.add(cell);
      for (const source of this.#modules.get(cell)?.importsFrom ?? []) visit(source);
    };
    for (const cell of this.#scope.values()) visit(cell);
    for (const [cell, module] of this.#modules) if (module.augments) visit(cell);
    for (const cell of [...this.#modules.keys()]) {
      if (reachable.has(cell)) continue;
      this.#modules.delete(cell);
      this.#host.delete(this.#modulePath(cell));
    }
  }

  /** Modules kept: those later cells can see. */
  get moduleCount(): number {
    return this.#modules.size;
  }

  /**
   * Cells' modules in the program of the last cell checked: those it imports, and those that
   * augment globals. (Committing a cell leaves that program's files as they were.)
   */
  get modulesLastChecked(): number {
    return this.#service.getProgram()!.getSourceFiles().filter((file) => path.basename(file.fileName).startsWith(CELL_MODULE_FILE)).length;
  }

  #scopeChange(module: number): ScopeChange {
    return { module, liveModules: [...this.#modules.keys()] };
  }

  /**
   * The imports from earlier cells and the exports for later ones, appended after the cell. A
   * cell's check needs only the names it `mentions`; completion offers every name in scope.
   */
  #stitching(declared: Set<string>, exported: Set<string>, mentions?: Set<string>): { text: string; importsFrom: number[] } {
    const byCell = new Map<number, string[]>();
    for (const [name, cell] of this.#scope) {
      if (declared.has(name) || (mentions && !mentions.has(name))) continue;
      byCell.set(cell, [...(byCell.get(cell) ?? []), name]);
    }
    // Only `import`/`export` lines follow the cell: neither can continue its last expression, so
    // no separator is needed (a ";" would become that expression's own terminator).
    let text = "\n";
    for (const [cell, names] of byCell) text += `\nimport { ${names.join(", ")} } from "${cellModule(cell)}";`;
    const toExport = [...declared].filter((name) => !exported.has(name));
    if (toExport.length > 0) text += `\nexport { ${toExport.join(", ")} };`;
    return { text: text + "\n", importsFrom: [...byCell.keys()] };
  }

  /**
   * The cell alone, for its names. Parsed incrementally from the last cell parsed: a cell edited
   * and run again is mostly the same nodes (TypeScript then no longer uses the last tree).
   */
  #parseCell(code: string): ts.SourceFile {
    const last = this.#lastParsed;
    // An update uses the last tree up, even one that fails: the next cell is then parsed afresh.
    this.#lastParsed = undefined;
    const source = last
      ? ts.updateSourceFile(last, code, textChange(last.text, code))
      : ts.createSourceFile(PENDING, code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
    this.#lastParsed = source;
    return source;
  }

  /**
   * TypeScript tells two types of the same name apart by their files, `import("/…/__parlab_cell_3__").Point`:
   * those are the kernel's, so a message names the cell instead, `In[3].Point`. `pending` names the
   * cell being checked.
   */
  #namingCells(message: string, pending: string): string {
    return message.replace(CELL_FILE_QUALIFIER, (_, cell: string | undefined) => `${cell === undefined ? pending : this.#modules.get(Number(cell))?.label ?? "an earlier cell"}.`);
  }

  /** The one file cells are checked in, completion and inspection work in; returns its path. */
  #setPending(text: string): string {
    const fileName = this.#path(PENDING);
    this.#host.set(fileName, text, { root: true });
    return fileName;
  }

  #modulePath(cell: number): string {
    return this.#path(cellModule(cell) + ".ts");
  }

  #path(name: string): string {
    return path.join(this.#directory, name.replace(/^\.\//, ""));
  }
}

/** Names from earlier cells reach a cell through our imports: show them as the user declared them. */
function withoutStitching(signature: string): string {
  return signature.replace(/^\(alias\) /, "").replace(/\n(import|export) [\w$]+$/, "");
}

function cellModule(cell: number): string {
  return `${CELL_MODULE_PREFIX}${cell}__`;
}

/** TypeScript marks an emptied module with `export {};`, and names its map: a script needs neither. */
function stripModuleMarkers(js: string): string {
  return js.replace(/^export \{\};\s*$/m, "").replace(/^\/\/# sourceMappingURL=.*$/m, "");
}

function toCellDiagnostic(diagnostic: ts.Diagnostic, code: string, namingCells: (message: string) => string): CellDiagnostic {
  const start = Math.min(diagnostic.start ?? 0, code.length);
  const before = code.slice(0, start);
  const line = before.split("\n").length;
  const lineStart = before.lastIndexOf("\n") + 1;
  const lineEnd = code.indexOf("\n", start);
  const lineText = code.slice(lineStart, lineEnd < 0 ? code.length : lineEnd);
  return {
    line,
    column: start - lineStart + 1,
    code: diagnostic.code,
    message: namingCells(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")),
    lineText,
    length: Math.max(1, Math.min(diagnostic.length ?? 1, lineText.length - (start - lineStart))),
  };
}

/** TypeScript still types a name that nothing declares (as `any`), with no kind: it says nothing about the name. */
function isUnresolvedName(info: ts.QuickInfo, code: string): boolean {
  const text = code.slice(info.textSpan.start, info.textSpan.start + info.textSpan.length);
  // `this`, `super` and `import.meta` have no kind either, but a type worth showing.
  return info.kind === ts.ScriptElementKind.unknown && /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u.test(text) && text !== "this" && text !== "super";
}

/**
 * Whether a completion fits what is typed before the cursor: its name after the name typed (`poi`:
 * `point`), or, for an entry with a span of its own, its text after what that span holds. A module
 * specifier is such an entry: after `from "node:f` the name typed is `f` (a colon, dot or slash ends
 * a name), yet `node:fs` replaces all of `node:f`, and was left out.
 */
function matchesTyped(entry: ts.CompletionEntry, code: string, cursor: number, prefix: string): boolean {
  if (entry.name.toLowerCase().startsWith(prefix)) return true;
  const span = entry.replacementSpan;
  if (!span || span.start > cursor) return false;
  return (entry.insertText ?? entry.name).toLowerCase().startsWith(code.slice(span.start, cursor).toLowerCase());
}

/** Where the name that ends at `end` starts, walked back by code points: `𝒳` is two UTF-16 units. */
function identifierStart(code: string, end: number): number {
  let start = end;
  for (;;) {
    const pair = code.slice(Math.max(0, start - 2), start);
    const char = pair.length === 2 && pair.codePointAt(0)! > 0xffff ? pair : code.slice(start - 1, start);
    if (!char || !/[\p{L}\p{N}_$#]/u.test(char)) return start;
    start -= char.length;
  }
}

function jupyterType(kind: ts.ScriptElementKind): string {
  switch (kind) {
    case ts.ScriptElementKind.functionElement:
    case ts.ScriptElementKind.localFunctionElement:
    case ts.ScriptElementKind.memberFunctionElement:
      return "function";
    case ts.ScriptElementKind.classElement: return "class";
    case ts.ScriptElementKind.interfaceElement: return "interface";
    case ts.ScriptElementKind.moduleElement: return "module";
    case ts.ScriptElementKind.keyword: return "keyword";
    case ts.ScriptElementKind.memberVariableElement:
    case ts.ScriptElementKind.memberGetAccessorElement:
    case ts.ScriptElementKind.memberSetAccessorElement:
      return "property";
    case ts.ScriptElementKind.typeElement:
    case ts.ScriptElementKind.typeParameterElement:
      return "type";
    case ts.ScriptElementKind.enumElement: return "enum";
    default: return "variable";
  }
}
