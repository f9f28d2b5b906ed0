// Tracebacks and streams carry ANSI colour codes (the kernel colours its errors); JupyterLab shows
// them as colours, and so does the page.
import { AnsiUp } from "ansi_up";

/** Escaped HTML with colour spans. A fresh converter each time: AnsiUp keeps colour state between calls, and one output's unclosed colour must not bleed into the next. */
export function ansiToHtml(text: string): string {
  const converter = new AnsiUp();
  converter.escape_html = true;
  // OSC 8 hyperlinks from a traceback would become links; none should point off the page.
  converter.url_allowlist = {};
  return converter.ansi_to_html(withoutHyperlinks(text));
}

/**
 * OSC 8 hyperlinks (ESC ] 8 ; params ; URI, ended by BEL or ESC \) reduced to their text: ansi_up
 * drops a link whose URL it may not show, text and all.
 */
function withoutHyperlinks(text: string): string {
  return text.replace(/\u001b\]8;[^;\u0007\u001b]*;[^\u0007\u001b]*(?:\u0007|\u001b\\)/g, "");
}

/**
 * What a terminal would show for text that redraws a line with "\r" (progress bars): each "\r"
 * returns to the line's start and the following text overwrites, as JupyterLab does.
 */
export function applyCarriageReturns(text: string): string {
  if (!text.includes("\r")) return text;
  return text
    .replace(/\r+\n/g, "\n")
    .split("\n")
    .map((line) => line.split("\r").reduce((shown, overwrite) => overwrite + shown.slice(overwrite.length)))
    .join("\n");
}
