// A LanguageServiceHost whose cells are in memory and whose library files are read once.
import ts from "#typescript";
import { readFileSync } from "node:fs";
import path from "node:path";
import { CELL_MODULE_PREFIX } from "./cell-transform.js";
import { EditSnapshot } from "./edit-snapshot.js";
import { currentStamp, isLocalPath } from "../local-files.js";

export class LanguageHost implements ts.LanguageServiceHost {
  readonly #virtual = new Map<string, { text: string; version: number; snapshot: ts.IScriptSnapshot; root: boolean }>();
  // Installed declaration files do not change during a session; reading them again on every
  // check is what made each check cost ~15 ms. The notebook's own files are stamped, and read
  // again once refreshLocalFiles() finds them changed.
  readonly #diskSnapshots = new Map<string, ts.IScriptSnapshot | undefined>();
  readonly #localStamps = new Map<string, string>();
  readonly #options: ts.CompilerOptions;
  readonly #directory: string;
  #projectVersion = 0;
  // Installed packages do not change during a session, but TypeScript resolves their imports
  // again whenever a cell adds a file: ~12 ms a cell for @types/node alone.
  readonly #installedResolutions = new Map<string, ts.ResolvedModuleWithFailedLookupLocations>();
  // Without it, every new program reads the package.json above each of its ~150 files again to
  // learn their module format: ~40 % of re-checking a large cell.
  readonly #resolutionCache: ts.ModuleResolutionCache;

  constructor(options: ts.CompilerOptions, directory: string, readonly rootFiles: string[], readonly jsDocParsingMode?: ts.JSDocParsingMode) {
    this.#options = options;
    this.#directory = directory;
    this.#resolutionCache = ts.createModuleResolutionCache(directory, (fileName) => (ts.sys.useCaseSensitiveFileNames ? fileName : fileName.toLowerCase()), options);
  }

  getModuleResolutionCache = () => this.#resolutionCache;

  /**
   * `root`: the file is in every program. Other in-memory files join a program only when one of
   * its files imports them, so the set of roots stays the same from one check to the next, and
   * TypeScript can keep the last program's structure instead of walking every file again.
   */
  set(fileName: string, text: string, { root }: { root: boolean }): void {
    const existing = this.#virtual.get(fileName);
    if (existing?.text === text) {
      if (existing.root !== root) { existing.root = root; this.#projectVersion++; }
      return;
    }
    // A version never repeats, not even for a file deleted and made again: TypeScript's document
    // registry may still hold the file it had under that name.
    this.#projectVersion++;
    this.#virtual.set(fileName, { text, version: this.#projectVersion, snapshot: new EditSnapshot(text), root });
  }

  delete(fileName: string): void {
    if (this.#virtual.delete(fileName)) this.#projectVersion++;
  }

  addRootFile(fileName: string): void {
    this.rootFiles.push(fileName);
    this.#projectVersion++;
  }

  text(fileName: string): string | undefined {
    return this.#virtual.get(fileName)?.text;
  }

  resolveModuleNameLiterals = (
    literals: readonly ts.StringLiteralLike[], containingFile: string, redirectedReference: ts.ResolvedProjectReference | undefined,
    options: ts.CompilerOptions, containingSourceFile: ts.SourceFile,
  ): ts.ResolvedModuleWithFailedLookupLocations[] => literals.map((literal) => {
    // The imports that stitch cells together name in-memory files: ~0.15 ms each through the
    // general resolver, for every earlier cell a cell uses.
    if (literal.text.startsWith(CELL_MODULE_PREFIX)) {
      const cellFile = path.join(this.#directory, `${literal.text}.ts`);
      if (this.#virtual.has(cellFile)) return { resolvedModule: { resolvedFileName: cellFile, extension: ts.Extension.Ts, isExternalLibraryImport: false } };
    }
    const mode = ts.getModeForUsageLocation(containingSourceFile, literal, options);
    const installed = containingFile.includes("/node_modules/");
    const key = `${containingFile}\0${literal.text}\0${mode}`;
    const known = installed ? this.#installedResolutions.get(key) : undefined;
    if (known) return known;
    // Only installed packages share the cache: a local file the user adds later must be found.
    const resolved = ts.resolveModuleName(literal.text, containingFile, options, this, installed ? this.#resolutionCache : undefined, redirectedReference, mode);
    if (installed) this.#installedResolutions.set(key, resolved);
    return resolved;
  });

  getProjectVersion = () => String(this.#projectVersion);
  getScriptFileNames = () => [...this.rootFiles, ...[...this.#virtual].filter(([, file]) => file.root).map(([fileName]) => fileName)];
  getScriptVersion = (fileName: string) => {
    const file = this.#virtual.get(fileName);
    if (file) return String(file.version);
    if (!isLocalPath(fileName)) return "0";
    this.getScriptSnapshot(fileName);
    return this.#localStamps.get(fileName)!;
  };
  getScriptSnapshot = (fileName: string): ts.IScriptSnapshot | undefined => {
    const file = this.#virtual.get(fileName);
    if (file) return file.snapshot;
    if (!this.#diskSnapshots.has(fileName)) {
      // Stamped before it is read: an edit made meanwhile counts as a change.
      if (isLocalPath(fileName)) this.#localStamps.set(fileName, currentStamp(fileName));
      let snapshot: ts.IScriptSnapshot | undefined;
      try { snapshot = ts.ScriptSnapshot.fromString(readFileSync(fileName, "utf8")); } catch { snapshot = undefined; }
      this.#diskSnapshots.set(fileName, snapshot);
    }
    return this.#diskSnapshots.get(fileName);
  };

  /** Forgets the notebook's own files that changed on disk since they were read; says whether any had. */
  refreshLocalFiles(): boolean {
    let changed = false;
    for (const [fileName, stamp] of this.#localStamps) {
      if (currentStamp(fileName) === stamp) continue;
      this.#localStamps.delete(fileName);
      this.#diskSnapshots.delete(fileName);
      changed = true;
    }
    if (changed) this.#projectVersion++;
    return changed;
  }
  getCurrentDirectory = () => this.#directory;
  getCompilationSettings = () => this.#options;
  getDefaultLibFileName = (options: ts.CompilerOptions) => ts.getDefaultLibFilePath(options);
  fileExists = (fileName: string) => this.#virtual.has(fileName) || ts.sys.fileExists(fileName);
  readFile = (fileName: string) => this.#virtual.get(fileName)?.text ?? ts.sys.readFile(fileName);
  readDirectory = ts.sys.readDirectory;
  directoryExists = ts.sys.directoryExists;
  getDirectories = ts.sys.getDirectories;
  realpath = ts.sys.realpath;
  useCaseSensitiveFileNames = () => ts.sys.useCaseSensitiveFileNames;
}
