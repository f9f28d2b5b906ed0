// The notebook's own files, those outside any node_modules, can be edited while the kernel runs;
// installed packages are taken not to change. A file's stamp tells whether it has changed since.
import { statSync, type Stats } from "node:fs";

/** The search parameter that gives each version of the notebook's local files its own module URL. */
export const LOCAL_VERSION = "parlab-version";

/** What the loader thread reports of each local file it loads. */
export interface LoadedFile {
  fileName: string;
  stamp: string;
}

export function isLocalPath(fileName: string): boolean {
  return !fileName.replaceAll("\\", "/").includes("/node_modules/");
}

export function isLocalFile(url: string): boolean {
  return url.startsWith("file:") && isLocalPath(decodeURIComponent(new URL(url).pathname));
}

export function stampOf(stats: Pick<Stats, "mtimeMs" | "size">): string {
  return `${stats.mtimeMs}:${stats.size}`;
}

/** The file's stamp now, or "missing". */
export function currentStamp(fileName: string): string {
  const stats = statSync(fileName, { throwIfNoEntry: false });
  return stats ? stampOf(stats) : "missing";
}
