// Cells import modules as if they were files in the notebook's folder: bare names resolve from its
// node_modules (CommonJS and ESM-only packages alike), relative paths from the folder itself,
// local `.ts` files are compiled on the way in, and "tslab"/"parlab" mean the kernel's own modules.
// An import of the notebook's own files gets them as they are now: once one has changed since it
// was loaded, they are all loaded afresh, as a new version (IPython needs %autoreload for this).
import { existsSync } from "node:fs";
import { createRequire, isBuiltin, register } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MessageChannel } from "node:worker_threads";
import path from "node:path";
import { resolve as resolveModule } from "import-meta-resolve";
import { currentStamp, isLocalFile, isLocalPath, LOCAL_VERSION, type LoadedFile } from "../local-files.js";

const TYPESCRIPT_FILE = /\.[cm]?tsx?$/;

export class ModuleLoader {
  readonly #base: string;
  #hooks = false;
  /** The notebook's own files loaded at the current version, and their stamps when they were. */
  readonly #loaded = new Map<string, string>();
  #version = 0;

  constructor(readonly notebookDir: string, private readonly provided: Record<string, string>) {
    this.#base = pathToFileURL(path.join(notebookDir, "notebook.ts")).href;
  }

  async import(specifier: unknown): Promise<unknown> {
    if (typeof specifier !== "string") throw new TypeError(`import(): the module name must be a string, got ${typeof specifier}`);
    const provided = this.provided[specifier];
    if (provided) return import(provided);
    if (isBuiltin(specifier)) return import(specifier);
    const url = this.resolve(specifier);
    const { pathname } = new URL(url);
    const local = isLocalFile(url);
    if (local || TYPESCRIPT_FILE.test(pathname)) this.#enableHooks();
    const attributes = pathname.endsWith(".json") ? { with: { type: "json" } } : undefined;
    if (!local) return import(url, attributes);
    if (this.#anyLoadedFileChanged()) this.#startNewVersion();
    if (this.#version === 0) return import(url, attributes);
    const versioned = new URL(url);
    versioned.searchParams.set(LOCAL_VERSION, String(this.#version));
    return import(versioned.href, attributes);
  }

  #anyLoadedFileChanged(): boolean {
    for (const [fileName, stamp] of this.#loaded) if (currentStamp(fileName) !== stamp) return true;
    return false;
  }

  #startNewVersion(): void {
    this.#version++;
    this.#loaded.clear();
    // Node keeps CommonJS modules by file name, whatever the URL they were imported by.
    const { cache } = createRequire(this.#base);
    for (const fileName of Object.keys(cache)) if (isLocalPath(fileName)) delete cache[fileName];
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

  #enableHooks(): void {
    if (this.#hooks) return;
    this.#hooks = true;
    const { port1, port2 } = new MessageChannel();
    port1.on("message", ({ fileName, stamp }: LoadedFile) => {
      // The first stamp is the one the file was loaded with.
      if (!this.#loaded.has(fileName)) this.#loaded.set(fileName, stamp);
    });
    port1.unref();
    register(new URL("./local-module-hooks.js", import.meta.url), { data: { port: port2 }, transferList: [port2] });
  }
}

