// Markdown as JupyterLab renders it: raw HTML passes through (Jupyter trusts markdown cells),
// headings get ids to link to, `attachment:` images resolve to the cell's attachments. Math is
// not typeset (that would need MathJax in every page); `$...$` is kept out of markdown's hands
// so `$a_1 * b_2$` shows as written instead of turning into emphasis.
import markdownIt from "markdown-it";
import type { Env, MarkdownIt, StateInline, Token } from "markdown-it";
import { escapeHtml } from "./escape.js";
import { highlightTypeScript, isTypeScriptName } from "./highlight.js";
import { firstImageDataUrl } from "./media.js";
import type { MimeBundle } from "../runner/notebook.js";

/** What one markdown render needs from the page: ids already used, and the cell's attachments. */
export interface MarkdownEnv extends Env {
  /** Shared by every cell of a page, so two headings with the same text get different ids. */
  headingIds: Set<string>;
  /** The cell's pasted files by name, referenced as `attachment:<name>`. */
  attachments?: Record<string, MimeBundle> | undefined;
}

// One parser per process: building it (rules, linkify tables) costs more than rendering a cell.
const md: MarkdownIt = markdownIt({
  html: true,
  linkify: true,
  highlight: (code, language) =>
    isTypeScriptName(language) ? `<pre><code class="hljs language-${escapeHtml(language)}">${highlightTypeScript(code)}</code></pre>` : "",
});

md.inline.ruler.before("escape", "math", keepMath);
md.renderer.rules["math"] = (tokens, index) => `<span class="math">${escapeHtml(tokens[index]!.content)}</span>`;
md.core.ruler.push("heading_ids", (state) => {
  const env = state.env as MarkdownEnv;
  state.tokens.forEach((token, index) => {
    if (token.type === "heading_open") token.attrSet("id", uniqueId(headingId(state.tokens[index + 1]), env.headingIds));
  });
});
md.renderer.rules["heading_close"] = (tokens, index) => {
  const id = tokens[index - 2]?.attrGet("id");
  const anchor = id === null || id === undefined ? "" : `<a class="anchor-link" href="#${escapeHtml(String(id))}">¶</a>`;
  return `${anchor}</${tokens[index]!.tag}>\n`;
};

const defaultImage = md.renderer.rules["image"]!;
md.renderer.rules["image"] = (tokens, index, options, env, self) => {
  const token = tokens[index]!;
  const src = token.attrGet("src");
  if (typeof src === "string") token.attrSet("src", resolveAttachment(src, env as MarkdownEnv | undefined) ?? src);
  return defaultImage(tokens, index, options, env, self);
};
// <img src="attachment:..."> written as HTML in a cell resolves too, as in JupyterLab.
for (const rule of ["html_block", "html_inline"] as const) {
  md.renderer.rules[rule] = (tokens, index, _options, env) =>
    tokens[index]!.content.replace(/(<img\b[^>]*?\bsrc\s*=\s*)(["'])(attachment:[^"']*)\2/gi, (whole: string, before: string, quote: string, src: string) => {
      const url = resolveAttachment(src, env as MarkdownEnv | undefined);
      return url === undefined ? whole : `${before}${quote}${url}${quote}`;
    });
}

export function renderMarkdown(source: string, env: MarkdownEnv): string {
  return md.render(source, env);
}

function resolveAttachment(src: string, env: MarkdownEnv | undefined): string | undefined {
  if (!src.startsWith("attachment:")) return undefined;
  let name = src.slice("attachment:".length);
  // markdown-it percent-encodes link targets; attachment names are stored as written.
  try { name = decodeURIComponent(name); } catch { /* keep it as it was */ }
  return firstImageDataUrl(env?.attachments?.[name]);
}

/** JupyterLab's rule: the heading's text with spaces turned into hyphens, case and punctuation kept. */
function headingId(inline: Token | undefined): string {
  const text = (inline?.children ?? [])
    .filter((child) => child.type === "text" || child.type === "code_inline" || child.type === "math")
    .map((child) => child.content)
    .join("")
    .trim();
  return text.replace(/\s+/g, "-") || "section";
}

function uniqueId(id: string, used: Set<string>): string {
  let candidate = id;
  for (let n = 1; used.has(candidate); n++) candidate = `${id}-${n}`;
  used.add(candidate);
  return candidate;
}

/** `$...$` and `$$...$$` become one token whose text is shown exactly as written. */
function keepMath(state: StateInline, silent: boolean): boolean {
  const { src, pos, posMax } = state;
  if (src.charCodeAt(pos) !== 0x24 /* $ */) return false;
  const delimiter = src.startsWith("$$", pos) ? "$$" : "$";
  const start = pos + delimiter.length;
  let end = start;
  for (;;) {
    end = src.indexOf(delimiter, end);
    if (end < 0 || end + delimiter.length > posMax) return false;
    if (src.charCodeAt(end - 1) !== 0x5c /* \ */) break;
    end += 1;
  }
  if (end === start) return false;
  if (!silent) state.push("math", "span", 0).content = src.slice(pos, end + delimiter.length);
  state.pos = end + delimiter.length;
  return true;
}
