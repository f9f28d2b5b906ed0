// Shared set-up for tests that use Debian's real Jupyter: a private data dir with the parlab
// kernelspec installed, and a private history file, so tests never touch the user's Jupyter.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PYTHON = "/usr/bin/python3";
export const REPO = fileURLToPath(new URL("../../../", import.meta.url));
export const CLI = path.join(REPO, "dist/kernel/cli.js");

export interface JupyterSandbox {
  dir: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

/** Installs the kernelspec as `parlab` (message interrupts) and `parlab-signal` (SIGINT interrupts). */
export function jupyterSandbox(): JupyterSandbox {
  const dir = mkdtempSync(path.join(tmpdir(), "parlab-jupyter-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_DATA_DIR: path.join(dir, "data"),
    JUPYTER_PATH: path.join(dir, "data"),
    JUPYTER_CONFIG_DIR: path.join(dir, "config"),
    JUPYTER_RUNTIME_DIR: path.join(dir, "runtime"),
    PARLAB_HISTORY_FILE: path.join(dir, "history.jsonl"),
    IPYTHONDIR: path.join(dir, "ipython"),
    PYTHONUNBUFFERED: "1",
  };
  execFileSync(process.execPath, [CLI, "install", "--user"], { env, stdio: "pipe" });
  execFileSync(process.execPath, [CLI, "install", "--user", "--name", "parlab-signal", "--interrupt-mode", "signal"], { env, stdio: "pipe" });
  return { dir, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function hasJupyter(): boolean {
  return spawnSync(PYTHON, ["-c", "import jupyter_client, jupyter_kernel_test, nbclient"], { stdio: "ignore" }).status === 0;
}
