// Code cells are TypeScript. Only highlight.js's core and its TypeScript grammar are loaded: the
// full bundle registers ~190 languages, which costs start-up time for nothing.
import hljs from "highlight.js/lib/core";
import typescript from "highlight.js/lib/languages/typescript";

hljs.registerLanguage("typescript", typescript);

/** Names a fenced block in markdown may carry that the TypeScript grammar reads well (JS is a subset). */
const TYPESCRIPT_NAMES = new Set(["ts", "typescript", "tsx", "js", "javascript", "jsx", "mjs", "cjs"]);

export function isTypeScriptName(language: string): boolean {
  return TYPESCRIPT_NAMES.has(language.toLowerCase());
}

/** HTML (escaped, with `hljs-*` spans) for the inside of a `<code class="hljs">`. */
export function highlightTypeScript(code: string): string {
  // ignoreIllegals: a cell with a syntax error should still show, just less coloured.
  return hljs.highlight(code, { language: "typescript", ignoreIllegals: true }).value;
}
