// tslab's public API on parlab, so notebooks written for tslab run unchanged:
// `import * as tslab from "tslab"; tslab.display.html("<b>hi</b>")`.
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { kernelHook } from "./kernel-hook.js";

export interface Display {
  javascript(s: string): void;
  html(s: string): void;
  markdown(s: string): void;
  latex(s: string): void;
  svg(s: string): void;
  png(b: Uint8Array): void;
  jpeg(b: Uint8Array): void;
  gif(b: Uint8Array): void;
  pdf(b: Uint8Array): void;
  text(s: string): void;
  raw(contentType: string, b: string | Uint8Array): void;
}

const { version: parlabVersion } = createRequire(import.meta.url)("../../../package.json") as { version: string };
const { version: typescriptVersion } = createRequire(import.meta.url)("typescript/package.json") as { version: string };

export const versions = { tslab: parlabVersion, typescript: typescriptVersion, node: process.version };

function createDisplay(displayId?: string): Display {
  let shown = false;
  const raw = (contentType: string, data: string | Uint8Array) => {
    const hook = kernelHook();
    if (!hook) throw new Error("tslab.display needs a running parlab kernel");
    const bundle = { [contentType]: data };
    if (displayId && shown) hook.updateDisplay(displayId, bundle);
    else hook.display(bundle, displayId ? { displayId } : {});
    shown = true;
  };
  return {
    javascript: (s) => raw("application/javascript", s),
    html: (s) => raw("text/html", s),
    markdown: (s) => raw("text/markdown", s),
    latex: (s) => raw("text/latex", s),
    svg: (s) => raw("image/svg+xml", s),
    png: (b) => raw("image/png", b),
    jpeg: (b) => raw("image/jpeg", b),
    gif: (b) => raw("image/gif", b),
    pdf: (b) => raw("application/pdf", b),
    text: (s) => raw("text/plain", s),
    raw,
  };
}

/** Utility functions to display rich contents, as in tslab. */
export const display: Display = createDisplay();

/** A Display that shows one output and replaces it on every later call. */
export function newDisplay(): Display {
  return createDisplay(randomUUID());
}
