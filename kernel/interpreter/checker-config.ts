// Where the type checker finds the kernel's own declarations, for a notebook in a given folder.
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CheckerConfig } from "../checker/protocol.js";

/** The installed package's root (dist/ is compiled from it). */
export const KERNEL_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export function checkerConfig(notebookDir: string): CheckerConfig {
  return {
    notebookDir,
    globalsFile: path.join(KERNEL_ROOT, "kernel/runtime/types/globals.d.ts"),
    moduleTypes: {
      tslab: path.join(KERNEL_ROOT, "dist/kernel/runtime/tslab.d.ts"),
      parlab: path.join(KERNEL_ROOT, "dist/src/index.d.ts"),
    },
    typeRoots: [path.join(KERNEL_ROOT, "node_modules/@types")],
  };
}
