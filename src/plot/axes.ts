// The parts every chart shares: title, legend, linear axes with gridlines and ticks.
import type { LinearScale } from "./scale.js";
import type { SvgDocument } from "./svg.js";
import { AXIS, FONT_SIZE, GRID, INK, MUTED, PAD, TITLE_SIZE, fitText, textWidth } from "./theme.js";

/** The plotting area, in pixels. */
export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface LegendItem {
  label: string;
  color: string;
  swatch: "box" | "line" | "dash";
  /** A fill such as `url(#hatch)` drawn over the swatch, matching how the chart marks those items. */
  overlay?: string;
  outline?: string;
}

const SWATCH = 14;
const LEGEND_GAP = 18;
const LEGEND_ROW = 20;

/** Draws the title centred at the top; returns the y below it. */
export function drawTitle(doc: SvgDocument, title: string | undefined, y: number): number {
  if (!title) return y;
  doc.text(doc.width / 2, y + TITLE_SIZE, fitText(title, doc.width - 2 * PAD, TITLE_SIZE), { size: TITLE_SIZE, anchor: "middle", weight: "bold", fill: INK });
  return y + TITLE_SIZE + 12;
}

function legendRows(items: readonly LegendItem[], maxWidth: number): LegendItem[][] {
  const rows: LegendItem[][] = [];
  let row: LegendItem[] = [];
  let used = 0;
  for (const item of items) {
    const width = SWATCH + 6 + textWidth(item.label) + LEGEND_GAP;
    if (row.length > 0 && used + width > maxWidth) {
      rows.push(row);
      row = [];
      used = 0;
    }
    row.push(item);
    used += width;
  }
  if (row.length > 0) rows.push(row);
  return rows;
}

/** Draws the legend as centred rows that wrap within the width; returns the y below it. */
export function drawLegend(doc: SvgDocument, items: readonly LegendItem[], y: number): number {
  if (items.length === 0) return y;
  const maxWidth = doc.width - 2 * PAD;
  for (const row of legendRows(items, maxWidth)) {
    const rowWidth = row.reduce((sum, item) => sum + SWATCH + 6 + textWidth(item.label) + LEGEND_GAP, -LEGEND_GAP);
    let x = Math.max(PAD, (doc.width - rowWidth) / 2);
    const mid = y + LEGEND_ROW / 2;
    for (const item of row) {
      if (item.swatch === "box") {
        doc.rect(x, mid - SWATCH / 2, SWATCH, SWATCH, { fill: item.color });
        if (item.overlay || item.outline) doc.rect(x, mid - SWATCH / 2, SWATCH, SWATCH, { fill: item.overlay ?? "none", stroke: item.outline, "stroke-width": item.outline ? 2 : undefined });
      } else {
        doc.line(x, mid, x + SWATCH, mid, { stroke: item.color, "stroke-width": 2.5, "stroke-dasharray": item.swatch === "dash" ? "4 3" : undefined });
        if (item.swatch === "line") doc.circle(x + SWATCH / 2, mid, 3, { fill: item.color });
      }
      doc.text(x + SWATCH + 6, mid, item.label, { middle: true, fill: INK });
      x += SWATCH + 6 + textWidth(item.label) + LEGEND_GAP;
    }
    y += LEGEND_ROW;
  }
  return y + 6;
}

/** Height the x axis needs below the plotting area: tick labels and the axis title. */
export const X_AXIS_HEIGHT = FONT_SIZE * 2 + 22;

export function drawXAxis(doc: SvgDocument, box: Box, scale: LinearScale, title: string): void {
  for (const tick of scale.ticks) {
    const x = scale.map(tick);
    doc.line(x, box.top, x, box.bottom, { stroke: GRID });
    doc.line(x, box.bottom, x, box.bottom + 5, { stroke: AXIS });
    doc.text(x, box.bottom + 8 + FONT_SIZE, scale.format(tick), { anchor: "middle", fill: MUTED });
  }
  doc.line(box.left, box.bottom, box.right, box.bottom, { stroke: AXIS });
  doc.text((box.left + box.right) / 2, box.bottom + X_AXIS_HEIGHT - 4, title, { anchor: "middle", fill: INK });
}

/** Width the y axis needs left of the plotting area, for these tick labels. */
export function yAxisWidth(scale: LinearScale): number {
  return Math.max(...scale.ticks.map((tick) => textWidth(scale.format(tick)))) + FONT_SIZE + 22;
}

export function drawYAxis(doc: SvgDocument, box: Box, scale: LinearScale, title: string): void {
  for (const tick of scale.ticks) {
    const y = scale.map(tick);
    doc.line(box.left, y, box.right, y, { stroke: GRID });
    doc.line(box.left - 5, y, box.left, y, { stroke: AXIS });
    doc.text(box.left - 8, y, scale.format(tick), { anchor: "end", middle: true, fill: MUTED });
  }
  doc.line(box.left, box.top, box.left, box.bottom, { stroke: AXIS });
  const x = PAD + FONT_SIZE / 2;
  doc.text(x, (box.top + box.bottom) / 2, title, { anchor: "middle", rotate: -90, fill: INK, middle: true });
}
