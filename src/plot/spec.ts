// What every chart's Vega-Lite spec shares: the image's width, the bundled font, the theme's look.
import type { Config, TopLevelSpec } from "vega-lite";
import { FONT_FAMILY_NAME } from "./fonts.js";
import { AXIS, DEFAULT_WIDTH, FONT_SIZE, GRID, INK, MUTED, TITLE_SIZE } from "./theme.js";

export type ChartSpec = TopLevelSpec;
/** One layer of a layered chart. */
export type ChartLayer = Extract<ChartSpec, { layer: unknown }>["layer"][number];

const CONFIG: Config = {
  // The family fonts.ts hands resvg; resvg maps the generic fallback to it as well.
  font: `${FONT_FAMILY_NAME}, sans-serif`,
  background: "#FFFFFF",
  // The SVG only feeds the PNG, where ARIA attributes would be dead weight.
  aria: false,
  padding: 14,
  view: { stroke: null },
  // A title is cut short with "…" at the chart's width: an unlimited one squeezed the chart to nothing.
  title: { fontSize: TITLE_SIZE, color: INK, anchor: "middle", offset: 12, limit: DEFAULT_WIDTH },
  axis: { labelFontSize: FONT_SIZE, labelColor: MUTED, titleFontSize: FONT_SIZE, titleFontWeight: "normal", titleColor: INK, gridColor: GRID, domainColor: AXIS, tickColor: AXIS },
  legend: { orient: "top", labelFontSize: FONT_SIZE, labelColor: INK, labelLimit: 400, symbolSize: 140 },
};

/**
 * Title, size and look. `height` is the whole image's, or with `plotHeight` the plotting area's,
 * for charts whose height grows with their rows.
 */
export function frame(title: string | undefined, height: number, options: { plotHeight?: boolean } = {}) {
  return {
    ...(title ? { title } : {}),
    width: DEFAULT_WIDTH,
    height,
    autosize: { type: options.plotHeight ? "fit-x" : "fit", contains: "padding" },
    config: CONFIG,
  } as const;
}
