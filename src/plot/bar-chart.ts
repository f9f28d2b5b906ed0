// Wall time per variant (sequential, async, threads, processes, ...): one labelled bar each.
import { Plot } from "./plot.js";
import type { PlotlyFigure } from "./plotly.js";
import { frame, type ChartSpec } from "./spec.js";
import { decimalsFor, formatTable } from "./table.js";
import { DEFAULT_WIDTH, INK, KIND_COLORS, PALETTE, SEQUENTIAL_COLOR, textWidth } from "./theme.js";
import { validateBarEntries, validateTitle, type BarKind, type ValidBarEntry } from "./validate.js";

export type { BarKind };

export interface BarEntry {
  label: string;
  seconds: number;
  /** Colours the bar like the timeline's lanes of that kind; without it bars take palette colours. */
  kind?: BarKind;
  /** Entries may carry more fields (run counts, notes); the chart ignores them. */
  [extra: string]: unknown;
}

/** The unit values are shown in; `seconds` is always given in seconds. */
export type TimeUnit = "s" | "ms" | "µs" | "us";

export interface BarChartOptions {
  title?: string;
  unit?: TimeUnit;
}

const UNITS: Readonly<Record<TimeUnit, { factor: number; symbol: string }>> = {
  s: { factor: 1, symbol: "s" },
  ms: { factor: 1e3, symbol: "ms" },
  µs: { factor: 1e6, symbol: "µs" },
  us: { factor: 1e6, symbol: "µs" },
};

const HEIGHT = 440;
/** Slanted category labels longer than this are shortened, so the bars keep most of the height. */
const MAX_LABEL = 200;
/** Roughly what the y axis and padding leave of the image's width for the bars. */
const PLOT_WIDTH = DEFAULT_WIDTH - 110;

function colorOf(entry: ValidBarEntry, index: number): string {
  if (entry.kind === undefined) return PALETTE[index % PALETTE.length]!;
  return entry.kind === "sequential" ? SEQUENTIAL_COLOR : KIND_COLORS[entry.kind];
}

interface Prepared {
  entries: ValidBarEntry[];
  values: number[];
  labels: string[];
  colors: string[];
  symbol: string;
}

function renderSpec({ entries, values, labels, colors, symbol }: Prepared, title: string | undefined): ChartSpec {
  // Labels wider than their bar's slot would be dropped as overlapping, so they slant instead.
  const slot = PLOT_WIDTH / entries.length;
  const slant = entries.some((entry) => Math.min(MAX_LABEL, textWidth(entry.label)) > slot - 8);
  return {
    ...frame(title, HEIGHT),
    data: { values: entries.map((entry, i) => ({ label: entry.label, value: values[i]!, text: `${labels[i]} ${symbol}`, color: colors[i]! })) },
    encoding: {
      x: { field: "label", type: "nominal", sort: null, title: null, axis: { labelAngle: slant ? -35 : 0, labelLimit: MAX_LABEL, labelColor: INK, ticks: false } },
      // Headroom above the tallest bar for its value label.
      y: { field: "value", type: "quantitative", title: `wall time (${symbol})`, scale: { domain: [0, Math.max(...values) * 1.1 || 1] } },
    },
    layer: [
      { mark: { type: "bar", width: Math.min(120, slot * 0.65) }, encoding: { color: { field: "color", type: "nominal", scale: null } } },
      { mark: { type: "text", baseline: "bottom", dy: -6, color: INK }, encoding: { text: { field: "text" } } },
    ],
  };
}

function renderFigure({ entries, values, labels, colors, symbol }: Prepared, title: string | undefined): PlotlyFigure {
  return {
    data: [
      {
        type: "bar",
        name: "wall time",
        x: entries.map((entry) => entry.label),
        y: values,
        text: labels.map((label) => `${label} ${symbol}`),
        textposition: "outside",
        cliponaxis: false,
        marker: { color: colors },
        showlegend: false,
      },
    ],
    layout: {
      ...(title ? { title: { text: title } } : {}),
      height: HEIGHT,
      showlegend: false,
      // Category, or labels such as "1" and "4" would become positions on a number line.
      xaxis: { type: "category", automargin: true },
      yaxis: { title: { text: `wall time (${symbol})` }, type: "linear", range: [0, Math.max(...values) * 1.15 || 1], zeroline: true },
    },
  };
}

function renderTable({ entries, labels, symbol }: Prepared, title: string | undefined): string {
  const table = formatTable(
    [
      { header: "variant", align: "left" },
      { header: symbol, align: "right" },
    ],
    entries.map((entry, i) => [entry.label, labels[i]!]),
  );
  return title ? `${title}\n${table}` : table;
}

/** Bars of wall time per variant, each labelled with its value. */
export function barChart(entries: readonly BarEntry[], options: BarChartOptions = {}): Plot {
  const valid = validateBarEntries("barChart", entries);
  const title = validateTitle("barChart", options.title);
  const unit = options.unit ?? "s";
  if (!Object.hasOwn(UNITS, unit)) throw new Error(`barChart: options.unit must be one of ${Object.keys(UNITS).join(", ")}, got ${JSON.stringify(unit)}`);
  const { factor, symbol } = UNITS[unit];
  const values = valid.map((entry) => entry.seconds * factor);
  const decimals = decimalsFor(Math.max(...values));
  const prepared: Prepared = {
    entries: valid,
    values,
    labels: values.map((value) => value.toFixed(decimals)),
    colors: valid.map(colorOf),
    symbol,
  };
  return new Plot(renderFigure(prepared, title), renderSpec(prepared, title), renderTable(prepared, title));
}
