// The HTML exporter's public surface.
export { exportIndexHtml, exportNotebookHtml, type IndexEntry, type NotebookPageOptions } from "./html.js";
export type { Cell, CodeCell, MarkdownCell, Notebook, Output, RawCell } from "../runner/notebook.js";
