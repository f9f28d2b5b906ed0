// The TypeScript compiler, loaded the fast way. Checker modules import it as "#typescript"
// (package.json maps that here, with the real package's types). Two costs are avoided:
// - `import` of a CommonJS package makes Node lex all 9 MB of it for export names (~0.5 s);
//   `require` does not.
// - Compiling it: V8's code cache, saved once the checker has warmed up, holds the bytecode of
//   every function parsing and checking needed, so the next kernel starts with it (~0.5 s).
import { createRequire, Module } from "node:module";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isAscii } from "node:buffer";
import { createHash } from "node:crypto";
import vm from "node:vm";
import type TypeScript from "typescript";

const require = createRequire(import.meta.url);
const compilerFile = require.resolve("typescript");

const { ts, script, cacheFile, cacheUsable } = load();
export default ts;

/** Writes the code cache if this start had none it could use; call once the compiler is warm. */
export function saveTypeScriptCodeCache(): void {
  if (cacheUsable || !cacheFile) return;
  try {
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    const partial = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(partial, script.createCachedData());
    renameSync(partial, cacheFile);
    removeStaleCaches(path.dirname(cacheFile));
  } catch {
    // A cache is only a speed-up: a read-only home just means the next start compiles again.
  }
}

/** Caches made more than this long ago are removed when a new one is written. */
const STALE_CACHE_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Every reinstall of TypeScript (`npm ci`) keys a new ~4 MB cache, and the old one is never read
 * again. A cache still in use is written once and kept, so an old one is most likely unused; if
 * it was not, the next start makes it again (~0.25 s once).
 */
function removeStaleCaches(folder: string): void {
  const now = Date.now();
  for (const name of readdirSync(folder)) {
    if (!name.startsWith("typescript-") || !/\.v8cache(\.\d+\.tmp)?$/.test(name)) continue;
    const file = path.join(folder, name);
    try {
      if (now - statSync(file).mtimeMs > STALE_CACHE_MS) rmSync(file, { force: true });
    } catch {
      // Another kernel removed it first.
    }
  }
}

function load() {
  const cacheFile = codeCacheFile();
  let cachedData: Buffer | undefined;
  try {
    if (cacheFile) cachedData = readFileSync(cacheFile);
  } catch {
    // No cache yet.
  }
  const source = readSource(compilerFile);
  const script = new vm.Script(Module.wrap(source), { filename: compilerFile, ...(cachedData ? { cachedData } : {}) });
  // Registered as a normal CommonJS module, so anything else that requires "typescript" shares it.
  const module = new Module(compilerFile);
  module.filename = compilerFile;
  const compiled = script.runInThisContext() as (...args: unknown[]) => void;
  compiled.call(module.exports, module.exports, require, module, compilerFile, path.dirname(compilerFile));
  module.loaded = true;
  require.cache[compilerFile] = module;
  const cacheUsable = cachedData !== undefined && !script.cachedDataRejected;
  return { ts: module.exports as typeof TypeScript, script, cacheFile, cacheUsable };
}

/**
 * The compiler's 9 MB of source. It is plain ASCII, which decodes as Latin-1 in half the time
 * UTF-8 takes (~60 ms of every kernel start here); any other byte falls back to UTF-8.
 */
function readSource(file: string): string {
  const bytes = readFileSync(file);
  return bytes.toString(isAscii(bytes) ? "latin1" : "utf8");
}

/**
 * One cache per compiler build, Node version and set of Node/V8 flags: V8 rejects a cache made
 * under other flags, and one shared file would be rewritten by each kind of start in turn.
 */
function codeCacheFile(): string | undefined {
  const home = process.env.HOME ?? process.env.USERPROFILE;
  const cacheHome = process.env.XDG_CACHE_HOME || (home && path.join(home, ".cache"));
  if (!cacheHome) return undefined;
  const { size, mtimeMs } = statSync(compilerFile);
  const flags = [...process.execArgv.filter((arg) => arg.startsWith("--")), process.env.NODE_OPTIONS ?? ""].join(" ").trim();
  const flagsKey = flags ? `-${createHash("sha256").update(flags).digest("hex").slice(0, 12)}` : "";
  const key = `${process.version}-${process.arch}-${size}-${Math.round(mtimeMs)}${flagsKey}`;
  return path.join(cacheHome, "parlab", `typescript-${key}.v8cache`);
}
