// Node module hooks (run in Node's loader thread): .ts files are compiled on the way in (their
// types were already checked in the cell; here they are only stripped), JSON needs no import
// attribute, and each of the notebook's own files loaded is reported to the kernel, which imports
// them afresh once one of them has changed.
import { readFile, stat } from "node:fs/promises";
import type { MessagePort } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { isLocalFile, LOCAL_VERSION, stampOf, type LoadedFile } from "../local-files.js";

const TYPESCRIPT_FILE = /\.[cm]?tsx?$/;
type Next<T> = (specifier: string, context: T) => Promise<{ url: string; format?: string | null; source?: unknown }>;
type LoadContext = { format?: string | null; importAttributes?: Record<string, string> };

let kernel: MessagePort | undefined;

export function initialize(data: { port?: MessagePort } | undefined): void {
  kernel = data?.port;
}

export async function resolve(specifier: string, context: { parentURL?: string }, next: Next<typeof context>) {
  const resolved = await resolveTypeScriptStyle(specifier, context, next);
  // A local file imported by a local file of a newer version is of that version too, so the whole
  // local graph is loaded afresh, while packages stay shared.
  const version = context.parentURL && isLocalFile(context.parentURL) ? new URL(context.parentURL).searchParams.get(LOCAL_VERSION) : null;
  if (!version || !isLocalFile(resolved.url)) return resolved;
  const url = new URL(resolved.url);
  url.searchParams.set(LOCAL_VERSION, version);
  return { ...resolved, url: url.href };
}

async function resolveTypeScriptStyle(specifier: string, context: { parentURL?: string }, next: Next<typeof context>) {
  try {
    return await next(specifier, context);
  } catch (error) {
    // Inside .ts files, "./other" and "./other.js" mean ./other.ts, as TypeScript resolves them.
    if (!context.parentURL || !TYPESCRIPT_FILE.test(new URL(context.parentURL).pathname) || !/^\.{1,2}\//.test(specifier)) throw error;
    const base = specifier.endsWith(".js") ? specifier.slice(0, -3) : specifier;
    for (const candidate of [`${base}.ts`, `${base}/index.ts`]) {
      try { return await next(candidate, context); } catch { /* try the next form */ }
    }
    throw error;
  }
}

export async function load(url: string, context: LoadContext, next: Next<LoadContext>) {
  if (!url.startsWith("file:")) return next(url, context);
  const fileName = fileURLToPath(url);
  // Stamped before it is read: an edit made while it loads counts as a change.
  if (isLocalFile(url)) kernel?.postMessage({ fileName, stamp: stampOf(await stat(fileName)) } satisfies LoadedFile);
  const { pathname } = new URL(url);
  if (pathname.endsWith(".json")) return next(url, { ...context, importAttributes: { ...context.importAttributes, type: "json" } });
  if (!TYPESCRIPT_FILE.test(pathname)) return next(url, context);
  const { default: ts } = await import("typescript");
  const output = ts.transpileModule(await readFile(fileName, "utf8"), {
    fileName,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, inlineSourceMap: true, rewriteRelativeImportExtensions: false },
  });
  return { format: pathname.endsWith(".cts") ? "commonjs" : "module", source: output.outputText, shortCircuit: true };
}
