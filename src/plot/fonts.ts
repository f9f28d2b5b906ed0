// Where the PNG's glyphs come from. resvg draws no text at all when it finds no font, and a CI
// machine or a slim container may have no system fonts, so a font shipped through npm comes first.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The npm package that ships the TrueType files (resvg reads .ttf/.otf, not the .woff2 of @fontsource). */
export const FONT_PACKAGE = "dejavu-fonts-ttf";
export const FONT_FAMILY_NAME = "DejaVu Sans";
const FONT_FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"];

export interface FontSource {
  /** Font files handed to resvg; empty when the package is not installed. */
  files: string[];
  /** True when resvg must scan the system's fonts instead. */
  system: boolean;
}

/**
 * Finds the package's font files from `base` (a module URL or path). Tries the file subpath, then
 * the package's own folder, so an `exports` map added in a later version cannot hide the files.
 */
export function findFonts(base: string | URL = import.meta.url): FontSource {
  const require = createRequire(base);
  const folders: string[] = [];
  for (const request of [`${FONT_PACKAGE}/ttf/${FONT_FILES[0]}`, `${FONT_PACKAGE}/package.json`, FONT_PACKAGE]) {
    try {
      const resolved = require.resolve(request);
      folders.push(request.endsWith(".ttf") ? dirname(resolved) : join(dirname(resolved), "ttf"));
      break;
    } catch {
      // Not installed, or this subpath is not exported: try the next way in.
    }
  }
  const files = folders.flatMap((folder) => FONT_FILES.map((file) => join(folder, file))).filter((file) => existsSync(file));
  return files.length > 0 ? { files, system: false } : { files: [], system: true };
}

let cached: FontSource | undefined;

/** findFonts() from this module, looked up once per process. */
export function plotFonts(): FontSource {
  cached ??= findFonts();
  return cached;
}
