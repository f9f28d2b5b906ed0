// Tracebacks and streams carry ANSI colour codes (the kernel colours its errors); JupyterLab shows
// them as colours, and so does the page.
import { AnsiUp } from "ansi_up";

/** Escaped HTML with colour spans. A fresh converter each time: AnsiUp keeps colour state between calls, and one output's unclosed colour must not bleed into the next. */
export function ansiToHtml(text: string): string {
  const converter = new AnsiUp();
  converter.escape_html = true;
  // OSC 8 hyperlinks from a traceback would become links; none should point off the page.
  converter.url_allowlist = {};
  return converter.ansi_to_html(withoutControls(withoutHyperlinks(text)));
}

/** Control characters a terminal would not print (tabs, newlines and ANSI's escapes stay). */
function withoutControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f]/g, "");
}

/**
 * OSC 8 hyperlinks (ESC ] 8 ; params ; URI, ended by BEL or ESC \) reduced to their text: ansi_up
 * drops a link whose URL it may not show, text and all.
 */
function withoutHyperlinks(text: string): string {
  return text.replace(/\u001b\]8;[^;\u0007\u001b]*;[^\u0007\u001b]*(?:\u0007|\u001b\\)/g, "");
}

/**
 * What a terminal would show for a stream that redraws itself (progress bars), as JupyterLab
 * does: "\b" erases the character before it, and "\r" returns to the line's start, where the
 * following text overwrites.
 */
export function applyTerminalControls(text: string): string {
  let shown = text;
  if (shown.includes("\b")) {
    for (let before = ""; before !== shown; ) {
      before = shown;
      shown = shown.replace(/[^\n\x08]\x08/g, "");
    }
    shown = shown.replace(/\x08/g, ""); // at a line's start: nothing to erase
  }
  if (shown.includes("\r")) {
    shown = shown
      .replace(/\r+\n/g, "\n")
      .split("\n")
      .map((line) => line.split("\r").reduce((kept, overwrite) => overwrite + kept.slice(overwrite.length)))
      .join("\n");
  }
  return shown;
}
