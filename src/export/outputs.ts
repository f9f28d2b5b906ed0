// A code cell's outputs as JupyterLab shows them. The runner's outputs are trusted, as JupyterLab
// trusts outputs of a notebook the user ran: HTML goes in as it is, scripts included.
import { ansiToHtml, applyTerminalControls } from "./ansi.js";
import { escapeHtml } from "./escape.js";
import { closedFragment } from "./fragment.js";
import { renderMarkdown } from "./markdown.js";
import { imageDataUrl } from "./media.js";
import { sourceText, type MimeBundle, type Output, type StreamOutput } from "../runner/notebook.js";
import { PLOTLY_MIME, plotlyOutputHtml } from "./plotly.js";

/** State that spans the cells of one page. */
export interface PageContext {
  headingIds: Set<string>;
  /** Plots drawn so far; also numbers their ids. Non-zero means the page needs plotly.js. */
  plots: number;
}

/** JupyterLab's order of preference for trusted output, richest first. */
const MIME_ORDER = [
  PLOTLY_MIME,
  "text/html",
  "text/markdown",
  "image/svg+xml",
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "image/bmp",
  "text/latex",
  "application/json",
  "text/plain",
] as const;

export function renderOutputs(outputs: readonly Output[], context: PageContext): string {
  return mergeStreams(outputs).map((output) => renderOutput(output, context)).join("");
}

function renderOutput(output: Output, context: PageContext): string {
  switch (output.output_type) {
    case "stream":
      return wrap(`stream output-${output.name === "stderr" ? "stderr" : "stdout"}`, "", `<pre>${ansiToHtml(applyTerminalControls(sourceText(output.text)))}</pre>`);
    case "error": {
      // The traceback normally starts with "ename: evalue"; JupyterLab shows it alone.
      const traceback = (output.traceback ?? []).join("\n") || `${output.ename}: ${output.evalue}`;
      return wrap("error", "", `<pre>${ansiToHtml(traceback)}</pre>`);
    }
    case "execute_result": {
      const prompt = `Out[${output.execution_count ?? " "}]:`;
      return wrap("result", prompt, renderBundle(output.data ?? {}, output.metadata ?? {}, context));
    }
    case "display_data":
      return wrap("display", "", renderBundle(output.data ?? {}, output.metadata ?? {}, context));
    default: {
      // A newer nbformat's output type: say so rather than dropping it silently.
      const unknown = output as { output_type?: unknown };
      return wrap("unknown", "", `<pre>${escapeHtml(`Output of type ${String(unknown.output_type)} is not shown in this export.`)}</pre>`);
    }
  }
}

function wrap(kind: string, prompt: string, body: string): string {
  return `<div class="output output-${kind}"><div class="prompt out-prompt">${escapeHtml(prompt)}</div><div class="output-body">${body}</div></div>`;
}

function renderBundle(data: MimeBundle, metadata: Record<string, unknown>, context: PageContext): string {
  const mime = MIME_ORDER.find((candidate) => data[candidate] !== undefined && data[candidate] !== null);
  if (mime === undefined) {
    const types = Object.keys(data);
    return `<pre class="no-renderer">${escapeHtml(types.length === 0 ? "(empty output)" : `No renderer for ${types.join(", ")}`)}</pre>`;
  }
  const value = data[mime];
  switch (mime) {
    case PLOTLY_MIME: {
      context.plots += 1;
      const png = data["image/png"] === undefined ? undefined : imageHtml("image/png", data["image/png"], metadata);
      return plotlyOutputHtml(value, `plot-${context.plots}`, png);
    }
    case "text/html":
      return `<div class="html-output">${closedFragment(text(value))}</div>`;
    case "text/markdown":
      return `<div class="markdown-output">${closedFragment(renderMarkdown(text(value), { headingIds: context.headingIds }))}</div>`;
    case "text/latex":
      return `<pre class="latex">${escapeHtml(text(value))}</pre>`;
    case "application/json":
      return `<pre class="json">${escapeHtml(JSON.stringify(typeof value === "string" ? tryParse(value) : value, null, 2) ?? "null")}</pre>`;
    case "text/plain":
      return `<pre>${ansiToHtml(text(value))}</pre>`;
    default:
      return imageHtml(mime, value, metadata);
  }
}

/** An <img> sized as the output's metadata asks (JupyterLab honours width/height and `unconfined`). */
function imageHtml(mime: string, value: unknown, metadata: Record<string, unknown>): string {
  const url = imageDataUrl(mime, value);
  if (url === undefined) return `<pre class="no-renderer">${escapeHtml(`Unreadable ${mime} output`)}</pre>`;
  const own = (metadata[mime] ?? {}) as Record<string, unknown>;
  const size = (["width", "height"] as const)
    .filter((key) => typeof own[key] === "number" && Number.isFinite(own[key]))
    .map((key) => ` ${key}="${own[key]}"`)
    .join("");
  const unconfined = own["unconfined"] === true ? ` class="unconfined"` : "";
  return `<img src="${escapeHtml(url)}" alt="${escapeHtml(mime)} output"${size}${unconfined}>`;
}

/** JupyterLab shows consecutive writes to the same stream as one block. */
function mergeStreams(outputs: readonly Output[]): Output[] {
  const merged: Output[] = [];
  for (const output of outputs) {
    const last = merged.at(-1);
    if (output.output_type === "stream" && last?.output_type === "stream" && last.name === output.name) {
      merged[merged.length - 1] = { ...last, text: sourceText(last.text) + sourceText(output.text) } satisfies StreamOutput;
    } else {
      merged.push(output);
    }
  }
  return merged;
}

function text(value: unknown): string {
  return typeof value === "string" || Array.isArray(value) ? sourceText(value as string[]) : JSON.stringify(value) ?? "";
}

function tryParse(value: string): unknown {
  try { return JSON.parse(value); } catch { return value; }
}
