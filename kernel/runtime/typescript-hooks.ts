// Node module hooks (run in Node's loader thread) that let a notebook import its local .ts files.
// Types were already checked in the cell; here they are only stripped.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const TYPESCRIPT_FILE = /\.[cm]?tsx?$/;
type Next<T> = (specifier: string, context: T) => Promise<{ url?: string; format?: string | null; source?: unknown }>;

export async function resolve(specifier: string, context: { parentURL?: string }, next: Next<typeof context>) {
  try {
    return await next(specifier, context);
  } catch (error) {
    // Inside .ts files, "./other" and "./other.js" mean ./other.ts, as TypeScript resolves them.
    if (!context.parentURL || !TYPESCRIPT_FILE.test(context.parentURL) || !/^\.{1,2}\//.test(specifier)) throw error;
    const base = specifier.endsWith(".js") ? specifier.slice(0, -3) : specifier;
    for (const candidate of [`${base}.ts`, `${base}/index.ts`]) {
      try { return await next(candidate, context); } catch { /* try the next form */ }
    }
    throw error;
  }
}

export async function load(url: string, context: { format?: string | null }, next: Next<typeof context>) {
  if (!url.startsWith("file:") || !TYPESCRIPT_FILE.test(url)) return next(url, context);
  const { default: ts } = await import("typescript");
  const fileName = fileURLToPath(url);
  const output = ts.transpileModule(await readFile(fileName, "utf8"), {
    fileName,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, inlineSourceMap: true, rewriteRelativeImportExtensions: false },
  });
  return { format: url.endsWith(".cts") ? "commonjs" : "module", source: output.outputText, shortCircuit: true };
}
