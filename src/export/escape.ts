// Every piece of notebook text reaches the page through one of these, so that no stream, source
// line or title can open a tag.

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** For text content and for attribute values (quotes are escaped too, so one function serves both). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
}

/**
 * JSON that can sit inside `<script type="application/json">`: `<` is escaped so neither `</script>`
 * nor `<!--` can end or confuse the element, and U+2028/2029 so the text is also valid JavaScript.
 * All of these only occur inside JSON strings, where the \u escapes mean the same characters.
 */
export function jsonForScript(value: unknown): string {
  return (JSON.stringify(value) ?? "null")
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
