// Pictures become data: URLs so that the page is one file that needs nothing else.
import { sourceText } from "../runner/notebook.js";

/** Image types a browser shows in an <img>, in JupyterLab's order of preference. */
export const IMAGE_MIMES = ["image/svg+xml", "image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"] as const;

/**
 * A data: URL for an image value as nbformat stores it: base64 for binary types (often wrapped
 * into lines, which a data: URL must not contain), plain text for SVG.
 */
export function imageDataUrl(mime: string, value: unknown): string | undefined {
  if (typeof value !== "string" && !Array.isArray(value)) return undefined;
  const text = sourceText(value as string | string[]);
  if (mime === "image/svg+xml") {
    // Some writers base64 SVG too; text starting with "<" (or an XML BOM) is markup.
    const markup = /^\s*(\ufeff)?</.test(text);
    return `data:image/svg+xml;base64,${markup ? Buffer.from(text, "utf8").toString("base64") : text.replace(/\s+/g, "")}`;
  }
  return `data:${mime};base64,${text.replace(/\s+/g, "")}`;
}

/** The first image in a bundle (an attachment holds one), as a data: URL. */
export function firstImageDataUrl(bundle: Record<string, unknown> | undefined): string | undefined {
  if (!bundle) return undefined;
  for (const mime of IMAGE_MIMES) {
    if (mime in bundle) return imageDataUrl(mime, bundle[mime]);
  }
  return undefined;
}
