// Cells import modules as if they were files in the notebook's folder: bare names resolve from its
// node_modules (CommonJS and ESM-only packages alike), relative paths from the folder itself,
// local `.ts` files are compiled on the way in, and "tslab"/"parlab" mean the kernel's own modules.
import { existsSync } from "node:fs";
import { isBuiltin, register } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";
import { resolve as resolveModule } from "import-meta-resolve";

const TYPESCRIPT_FILE = /\.[cm]?tsx?$/;

export class ModuleLoader {
  readonly #base: string;
  #typescriptHooks = false;

  constructor(readonly notebookDir: string, private readonly provided: Record<string, string>) {
    this.#base = pathToFileURL(path.join(notebookDir, "notebook.ts")).href;
  }

  async import(specifier: unknown): Promise<unknown> {
    if (typeof specifier !== "string") throw new TypeError(`import(): the module name must be a string, got ${typeof specifier}`);
    const provided = this.provided[specifier];
    if (provided) return import(provided);
    if (isBuiltin(specifier)) return import(specifier);
    const url = this.resolve(specifier);
    if (TYPESCRIPT_FILE.test(new URL(url).pathname)) this.#enableTypeScriptFiles();
    return import(url);
  }

  resolve(specifier: string): string {
    const candidates = [specifier];
    if (/^\.{1,2}\//.test(specifier)) {
      // TypeScript style: "./util" or "./util.js" naming ./util.ts.
      if (specifier.endsWith(".js")) candidates.push(specifier.slice(0, -3) + ".ts");
      else if (!path.extname(specifier)) candidates.push(`${specifier}.ts`, `${specifier}/index.ts`, `${specifier}.js`, `${specifier}/index.js`);
    }
    let firstError: unknown;
    for (const candidate of candidates) {
      try {
        const url = resolveModule(candidate, this.#base);
        if (!url.startsWith("file:") || existsSync(fileURLToPath(url))) return url;
      } catch (error) {
        firstError ??= error;
      }
    }
    const reason = firstError instanceof Error ? firstError.message : `no file matches`;
    throw Object.assign(new Error(`Cannot find module "${specifier}" from the notebook folder ${this.notebookDir}: ${reason}`), { code: "ERR_MODULE_NOT_FOUND" });
  }

  /** Proxy for `import { name } from "cjs-package"`: names Node could not detect come from the default export. */
  named(namespace: Record<string, unknown>): Record<string, unknown> {
    const fallback = namespace.default;
    if (typeof fallback !== "object" && typeof fallback !== "function") return namespace;
    return new Proxy(namespace, {
      get: (target, key) => key in target ? target[key as string] : (fallback as Record<string | symbol, unknown>)?.[key],
    });
  }

  #enableTypeScriptFiles(): void {
    if (this.#typescriptHooks) return;
    this.#typescriptHooks = true;
    register(new URL("./typescript-hooks.js", import.meta.url));
  }
}

