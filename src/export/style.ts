// The page's look, all inline so the file works offline: JupyterLab's light theme in spirit
// (prompt column, grey input boxes, red-tinted errors and stderr) and highlight.js's GitHub theme.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const PAGE_CSS = `
:root { --text: #1f2328; --muted: #6e7781; --border: #e0e0e0; --input-bg: #f7f7f7; --in: #307fc1; --out: #bf5b3d; --error-bg: #fdd; --link: #0969da; --code-font: "JetBrains Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: var(--text); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 24px 64px; }
a { color: var(--link); }
.page-header { border-bottom: 1px solid var(--border); margin-bottom: 16px; padding-bottom: 8px; }
.page-header h1 { margin: 0 0 4px; font-size: 22px; }
.page-header .subtitle { color: var(--muted); font-size: 13px; }
pre, code { font-family: var(--code-font); font-size: 13px; }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.cell { display: grid; grid-template-columns: 84px minmax(0, 1fr); column-gap: 8px; margin: 10px 0; }
.cell > * { grid-column: 2; }
.prompt { grid-column: 1; font-family: var(--code-font); font-size: 13px; text-align: right; padding: 6px 4px 0 0; white-space: nowrap; }
.in-prompt { color: var(--in); }
.out-prompt { color: var(--out); }
.source { grid-column: 2; border: 1px solid var(--border); border-radius: 2px; background: var(--input-bg); }
.source pre code.hljs { background: transparent; padding: 6px 8px; }
.cell-time { grid-column: 2; color: var(--muted); font-size: 11px; text-align: right; margin-top: 2px; }
.outputs { grid-column: 1 / span 2; }
.output { display: grid; grid-template-columns: 84px minmax(0, 1fr); column-gap: 8px; margin-top: 4px; }
.output-body { grid-column: 2; min-width: 0; padding: 4px 0; overflow-x: auto; }
.output-body pre { padding: 2px 8px; }
.output-stderr .output-body, .output-error .output-body { background: var(--error-bg); }
.output-error .output-body { border-left: 3px solid #d32f2f; }
.output-body img { max-width: 100%; height: auto; }
.output-body img.unconfined { max-width: none; }
.no-renderer, .plot-error { color: var(--muted); font-style: italic; }
.plotly-output { width: 100%; }
.html-output table, .markdown table { border-collapse: collapse; margin: 8px 0; }
.html-output th, .html-output td, .markdown th, .markdown td { border: 1px solid var(--border); padding: 3px 8px; text-align: right; }
.html-output tr:nth-child(even), .markdown tr:nth-child(even) { background: #f5f5f5; }
.markdown { padding: 0 8px; overflow-wrap: anywhere; }
.markdown h1, .markdown h2, .markdown h3, .markdown h4, .markdown h5, .markdown h6 { margin: 16px 0 8px; line-height: 1.25; }
.markdown h1 { font-size: 26px; } .markdown h2 { font-size: 21px; } .markdown h3 { font-size: 17px; }
.markdown img { max-width: 100%; }
.markdown code { background: #eff1f3; padding: 1px 4px; border-radius: 3px; }
.markdown pre { background: var(--input-bg); border: 1px solid var(--border); padding: 6px 8px; margin: 8px 0; }
.markdown pre code, .markdown pre code.hljs { background: none; padding: 0; }
.markdown blockquote { margin: 8px 0; padding: 0 12px; color: var(--muted); border-left: 4px solid var(--border); }
.anchor-link { visibility: hidden; margin-left: 6px; text-decoration: none; color: var(--muted); }
h1:hover > .anchor-link, h2:hover > .anchor-link, h3:hover > .anchor-link, h4:hover > .anchor-link, h5:hover > .anchor-link, h6:hover > .anchor-link { visibility: visible; }
.raw pre { border: 1px dashed var(--border); padding: 6px 8px; color: #444; }
.index-table { border-collapse: collapse; width: 100%; }
.index-table th, .index-table td { border-bottom: 1px solid var(--border); padding: 6px 10px; text-align: right; }
.index-table th:first-child, .index-table td:first-child, .index-table th:last-child, .index-table td.status { text-align: left; }
.index-table tbody tr:hover { background: #f6f8fa; }
.status-ok { color: #1a7f37; }
.status-error, .status-failed, .status-timeout, .status-kernel-died, .status-not-saved, .status-invalid, .status-no-kernel { color: #cf222e; font-weight: 600; }
.status-interrupted, .status-skipped { color: #9a6700; }
`;

let css: string | undefined;

/** The whole <style> text, built once per process. */
export function pageCss(): string {
  // The theme first, so the page's own rules (e.g. no padding for code in markdown) win ties.
  css ??= hljsTheme() + PAGE_CSS;
  return css;
}

function hljsTheme(): string {
  const file = createRequire(import.meta.url).resolve("highlight.js/styles/github.css");
  // Comments dropped: they only credit the theme's origin (with URLs) and add bytes to every page.
  return readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\n\s*\n/g, "\n");
}
