// Where the type checker finds the kernel's own declarations, for a notebook in a given folder.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CheckerConfig } from "../checker/protocol.js";

/** The installed package's root (dist/ is compiled from it). */
export const KERNEL_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export function checkerConfig(notebookDir: string): CheckerConfig {
  // Found the way Node finds it, so a hoisted install (parlab inside another project) works too.
  const nodeTypes = createRequire(import.meta.url).resolve("@types/node/package.json");
  return {
    notebookDir,
    globalsFile: path.join(KERNEL_ROOT, "kernel/runtime/types/globals.d.ts"),
    realmGlobals: Object.getOwnPropertyNames(globalThis),
    moduleTypes: {
      tslab: path.join(KERNEL_ROOT, "dist/kernel/runtime/tslab.d.ts"),
      parlab: path.join(KERNEL_ROOT, "dist/src/index.d.ts"),
    },
    nodeTypesFile: path.join(path.dirname(nodeTypes), "index.d.ts"),
    typeRoots: [path.dirname(path.dirname(nodeTypes))],
  };
}
