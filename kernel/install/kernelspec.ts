// The kernelspec itself: what kernel.json says, and putting it on (or taking it off) disk.
import { randomUUID } from "node:crypto";
import { copyFile, lstat, mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { InstallError } from "./install-error.js";

export type InterruptMode = "message" | "signal";

/** The fields of kernel.json that Jupyter reads (https://jupyter-client.readthedocs.io/en/stable/kernels.html). */
export interface KernelJson {
  argv: string[];
  display_name: string;
  language: "typescript";
  interrupt_mode: InterruptMode;
  metadata: { debugger: boolean };
}

// Paths are relative to this module once compiled: dist/kernel/install/kernelspec.js.
export const kernelEntryPath = fileURLToPath(new URL("../run-kernel.cjs", import.meta.url));
export const logoDir = fileURLToPath(new URL("../../../kernel/logo/", import.meta.url));
export const logoFiles = ["logo-32x32.png", "logo-64x64.png", "logo-svg.svg"] as const;

/**
 * jupyter_client's rule: ASCII letters, digits, `.`, `_`, `-`, compared case-insensitively (it
 * lowercases names when installing and when looking them up, so we store them lowercased too).
 */
export function kernelSpecName(requested: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(requested)) {
    throw new InstallError(
      `Invalid kernelspec name ${JSON.stringify(requested)}: ` +
        "use only ASCII letters, digits, and the separators - . _ (hyphen, period, underscore).",
    );
  }
  // Jupyter's pattern lets these through, but as directory names they mean "kernels/" itself or
  // its parent: installing would replace, and uninstalling delete, the wrong directory.
  if (/^\.+$/.test(requested)) {
    throw new InstallError(`Invalid kernelspec name ${JSON.stringify(requested)}: it must not be only periods.`);
  }
  return requested.toLowerCase();
}

/**
 * How Jupyter starts the kernel (given a connection file, the command itself): this node, with
 * absolute paths, because Jupyter starts kernels without our PATH or working directory.
 * `--v8-pool-size=0` sizes V8's background threads (GC, optimizing compiler) to the machine's
 * cores less one, instead of a fixed 4: the kernel already runs three threads of its own, and on
 * 2 cores the extra four made the type checker wait for the CPU (interleaved A/B on 2 cores: a
 * 229-line typed cell's first run 136 → 113 ms, spawn to first result 402 → 343 ms).
 */
export function kernelArgv(connectionFile = "{connection_file}"): string[] {
  return [process.execPath, "--v8-pool-size=0", kernelEntryPath, connectionFile];
}

export function kernelJson(displayName: string, interruptMode: InterruptMode): KernelJson {
  return {
    argv: kernelArgv(),
    display_name: displayName,
    language: "typescript",
    interrupt_mode: interruptMode,
    metadata: { debugger: false },
  };
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : undefined;
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch (error) {
    if (errorCode(error) === "ENOENT") return false;
    throw error;
  }
}

/**
 * `mkdir -p`, minus a Node bug: its recursive mode spins forever at 100% CPU when mkdir reports
 * ENOENT under a parent that exists (anywhere in /proc, for one). Here each level is retried once.
 */
async function makeDirectories(dir: string): Promise<void> {
  const ignoreExisting = (error: unknown) => {
    if (errorCode(error) !== "EEXIST") throw error;
  };
  try {
    await mkdir(dir);
  } catch (error) {
    if (errorCode(error) !== "ENOENT" || path.dirname(dir) === dir) return ignoreExisting(error);
    await makeDirectories(path.dirname(dir));
    await mkdir(dir).catch(ignoreExisting);
  }
}

/**
 * A fresh hidden name on the same filesystem as `specDir` (so rename() works), one level above
 * kernels/: Jupyter lists every directory there holding a kernel.json, dot-named or not, and a
 * half-finished install must never show up as a second kernel.
 */
function besideKernelsDir(specDir: string, purpose: string): string {
  const dataDir = path.dirname(path.dirname(specDir));
  return path.join(dataDir, `.${path.basename(specDir)}-${purpose}-${randomUUID()}`);
}

/**
 * Moves `staged` to `target`. rename() cannot replace a non-empty directory, so an old install is
 * first moved aside, and put back if the swap fails: Jupyter never sees a half-written spec.
 */
async function replaceDirectory(staged: string, target: string): Promise<void> {
  if (!(await exists(target))) {
    await rename(staged, target);
    return;
  }
  const retired = besideKernelsDir(target, "old");
  await rename(target, retired);
  try {
    await rename(staged, target);
  } catch (error) {
    await rename(retired, target);
    throw error;
  }
  // A symlinked dev install is retired as the link itself; rm() does not follow it.
  await rm(retired, { recursive: true, force: true });
}

/** Writes kernel.json and the logos into `specDir`, replacing whatever was there. */
export async function writeKernelSpec(specDir: string, spec: KernelJson): Promise<void> {
  await makeDirectories(path.dirname(specDir));
  // mkdir (unlike mkdtemp's 0700) honours the umask, so a shared --prefix install stays readable.
  const staged = besideKernelsDir(specDir, "new");
  await mkdir(staged);
  try {
    await writeFile(path.join(staged, "kernel.json"), `${JSON.stringify(spec, null, 2)}\n`);
    for (const logo of logoFiles) await copyFile(path.join(logoDir, logo), path.join(staged, logo));
    await replaceDirectory(staged, specDir);
  } catch (error) {
    await rm(staged, { recursive: true, force: true });
    throw error;
  }
}

/** Deletes the kernelspec in `specDir`, refusing anything that is not one. */
export async function removeKernelSpec(specDir: string, name: string): Promise<void> {
  const entry = await lstat(specDir).catch((error: unknown) => {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  });
  if (entry === undefined) throw new InstallError(`No kernelspec ${name} to remove: ${specDir} does not exist.`);
  // Like `jupyter kernelspec remove`, a symlink is unlinked and its target left alone.
  if (!entry.isSymbolicLink()) {
    const hasKernelJson = await stat(path.join(specDir, "kernel.json")).then(
      (file) => file.isFile(),
      () => false,
    );
    if (!entry.isDirectory() || !hasKernelJson) {
      throw new InstallError(`Not removing ${specDir}: it is not a kernelspec (no kernel.json inside).`);
    }
  }
  await rm(specDir, { recursive: true });
}
