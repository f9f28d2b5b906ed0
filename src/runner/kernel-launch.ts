// Which kernel a run starts. Without --kernel it is this package's own parlab kernel, started
// straight from its files: nothing has to be installed. A name is looked up the way Jupyter does.
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { kernelSearchPath } from "../../kernel/install/jupyter-paths.js";
import { kernelArgv } from "../../kernel/install/kernelspec.js";

export interface KernelLaunch {
  name: string;
  argv: string[];
  env: Record<string, string>;
  interruptMode: "signal" | "message";
}

export const BUILT_IN_KERNEL = "parlab";

export function builtInKernel(): KernelLaunch {
  return { name: BUILT_IN_KERNEL, argv: kernelArgv(), env: {}, interruptMode: "message" };
}

export async function findKernel(name: string | undefined): Promise<KernelLaunch> {
  if (name === undefined) return builtInKernel();
  const dirs = kernelSearchPath({ platform: process.platform, env: process.env, homedir: os.homedir(), cwd: process.cwd() });
  for (const dir of dirs) {
    const file = path.join(dir, name.toLowerCase(), "kernel.json");
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      continue;
    }
    return parseKernelJson(name, text, file);
  }
  throw new Error(`no kernel named "${name}": looked in ${dirs.join(", ")}` + (name === BUILT_IN_KERNEL ? " (leave out --kernel to use the built-in parlab kernel)" : ""));
}

function parseKernelJson(name: string, text: string, file: string): KernelLaunch {
  let spec: { argv?: unknown; env?: unknown; interrupt_mode?: unknown };
  try {
    spec = JSON.parse(text) as typeof spec;
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(spec.argv) || spec.argv.length === 0 || !spec.argv.every((arg) => typeof arg === "string")) {
    throw new Error(`${file}: "argv" must be a non-empty list of strings`);
  }
  const env = typeof spec.env === "object" && spec.env !== null ? Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, String(v)])) : {};
  return { name, argv: spec.argv as string[], env, interruptMode: spec.interrupt_mode === "message" ? "message" : "signal" };
}
