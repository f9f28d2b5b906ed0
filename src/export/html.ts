// One self-contained HTML page per executed notebook, and the index page of a run. Pages load
// nothing from anywhere, so they open from file:// on a machine without network.
import { escapeHtml } from "./escape.js";
import { highlightTypeScript } from "./highlight.js";
import { closedFragment } from "./fragment.js";
import { renderMarkdown } from "./markdown.js";
import { sourceText, type Cell, type CodeCell, type Notebook } from "../runner/notebook.js";
import { renderOutputs, type PageContext } from "./outputs.js";
import { DRAW_PLOTS_SCRIPT, plotlyScript } from "./plotly.js";
import { pageCss } from "./style.js";

export type { Notebook } from "../runner/notebook.js";

export interface NotebookPageOptions {
  /** Shown as the page's <title> and heading. */
  title: string;
  /** The notebook's file name, shown under the title. */
  sourceName?: string;
}

export interface IndexEntry {
  title: string;
  /**
   * Link to the notebook's page, relative to the index (a URL: the caller encodes special
   * characters); null when no page was written (the notebook never ran).
   */
  href: string | null;
  cells: number;
  errors: number;
  /** Wall time of the run; null if it did not run to the end. */
  seconds: number | null;
  status: string;
}

export function exportNotebookHtml(notebook: Notebook, options: NotebookPageOptions): string {
  const context: PageContext = { headingIds: new Set(), plots: 0 };
  const cells = (notebook.cells ?? []).map((cell, index) => renderCell(cell, index, context)).join("\n");
  const subtitle = [options.sourceName, plural((notebook.cells ?? []).length, "cell")].filter((part) => part !== undefined).join(" · ");
  // plotly.js is ~4.8 MB: only pages that draw a plot carry it, and only once however many plots.
  const scripts = context.plots > 0 ? `<script>${plotlyScript()}</script>\n<script>${DRAW_PLOTS_SCRIPT}</script>\n` : "";
  return page(
    options.title,
    `<header class="page-header"><h1>${escapeHtml(options.title)}</h1><div class="subtitle">${escapeHtml(subtitle)}</div></header>\n${cells}`,
    scripts,
  );
}

export function exportIndexHtml(entries: readonly IndexEntry[], options: { title?: string } = {}): string {
  const title = options.title ?? "Notebooks";
  const rows = entries
    .map(
      (entry) =>
        `<tr><td>${entry.href === null ? escapeHtml(entry.title) : `<a href="${escapeHtml(safeHref(entry.href))}">${escapeHtml(entry.title)}</a>`}</td>` +
        `<td>${entry.cells}</td><td>${entry.errors}</td><td>${formatSeconds(entry.seconds)}</td>` +
        `<td class="status ${statusClass(entry.status)}">${escapeHtml(entry.status)}</td></tr>`,
    )
    .join("\n");
  const summary = [plural(entries.length, "notebook"), ...outcomes(entries)].join(", ");
  return page(
    title,
    `<header class="page-header"><h1>${escapeHtml(title)}</h1><div class="subtitle">${escapeHtml(summary)}</div></header>
<table class="index-table">
<thead><tr><th>Notebook</th><th>Cells</th><th>Errors</th><th>Seconds</th><th>Status</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`,
    "",
  );
}

/**
 * How many did not simply run clean, each notebook counted once: by its status, or, run to the
 * end with --allow-errors, as "with errors".
 */
function outcomes(entries: readonly IndexEntry[]): string[] {
  const counts = new Map<string, number>();
  for (const entry of entries) {
    const outcome = entry.status !== "ok" ? entry.status : entry.errors > 0 ? "with errors" : undefined;
    if (outcome) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  }
  return [...counts].map(([outcome, count]) => `${count} ${outcome}`);
}

function page(title: string, body: string, scripts: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="parlab">
<title>${escapeHtml(title)}</title>
<style>${pageCss()}</style>
</head>
<body>
<main>
${body}
</main>
${scripts}</body>
</html>
`;
}

function renderCell(cell: Cell, index: number, context: PageContext): string {
  const id = `cell-${escapeHtml(cell.id ?? String(index + 1))}`;
  const source = sourceText(cell.source ?? "");
  switch (cell.cell_type) {
    case "markdown":
      return `<div class="cell markdown-cell" id="${id}"><div class="markdown">${closedFragment(renderMarkdown(source, { headingIds: context.headingIds, attachments: cell.attachments }))}</div></div>`;
    case "code":
      return renderCodeCell(cell, id, source, context);
    default:
      // Raw cells are meant for other converters (LaTeX, reST): shown as the text they are.
      return `<div class="cell raw-cell" id="${id}"><div class="raw"><pre>${escapeHtml(source)}</pre></div></div>`;
  }
}

function renderCodeCell(cell: CodeCell, id: string, source: string, context: PageContext): string {
  const seconds = executionSeconds(cell.metadata);
  const time = seconds === undefined ? "" : `<div class="cell-time" title="execution time">${seconds.toFixed(2)} s</div>`;
  const outputs = cell.outputs?.length ? `<div class="outputs">${renderOutputs(cell.outputs, context)}</div>` : "";
  return (
    `<div class="cell code-cell" id="${id}">` +
    `<div class="prompt in-prompt">In [${cell.execution_count ?? " "}]:</div>` +
    `<div class="source"><pre><code class="hljs language-typescript">${highlightTypeScript(source)}</code></pre></div>` +
    `${time}${outputs}</div>`
  );
}

/** nbclient records when the kernel took the cell and when it replied; their gap is the cell's time. */
function executionSeconds(metadata: Record<string, unknown> | undefined): number | undefined {
  const execution = metadata?.["execution"] as Record<string, unknown> | undefined;
  if (typeof execution !== "object" || execution === null) return undefined;
  const start = Date.parse(String(execution["iopub.execute_input"]));
  const end = Date.parse(String(execution["shell.execute_reply"]));
  return Number.isFinite(start) && Number.isFinite(end) && end >= start ? (end - start) / 1000 : undefined;
}

/** A file named "javascript:x.html" must stay a file name, not become a script link. */
function safeHref(href: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(href)?.[1]?.toLowerCase();
  return scheme === undefined || scheme === "http" || scheme === "https" || scheme === "file" ? href : `./${href}`;
}

function statusClass(status: string): string {
  return `status-${status.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}`;
}

function formatSeconds(seconds: number | null): string {
  return seconds === null || !Number.isFinite(seconds) ? "—" : seconds.toFixed(2);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
