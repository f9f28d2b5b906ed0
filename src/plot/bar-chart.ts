// Wall time per variant (sequential, async, threads, processes, ...): one labelled bar each.
import { drawTitle, drawYAxis, yAxisWidth, type Box } from "./axes.js";
import { Plot } from "./plot.js";
import type { PlotlyFigure } from "./plotly.js";
import { decimalsFor, linearScale } from "./scale.js";
import { SvgDocument } from "./svg.js";
import { formatTable } from "./table.js";
import { AXIS, DEFAULT_WIDTH, FONT_FAMILY, FONT_SIZE, INK, KIND_COLORS, PAD, PALETTE, SEQUENTIAL_COLOR, fitText, textWidth } from "./theme.js";
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
const COS = Math.cos((35 * Math.PI) / 180);
const SIN = Math.sin((35 * Math.PI) / 180);

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

function renderSvg({ entries, values, labels, colors, symbol }: Prepared, title: string | undefined): string {
  const doc = new SvgDocument(DEFAULT_WIDTH, HEIGHT, FONT_FAMILY, FONT_SIZE);
  const top = drawTitle(doc, title, PAD) + FONT_SIZE + 8;
  const max = Math.max(...values);
  // Headroom above the tallest bar for its value label.
  const provisional = linearScale(0, max * 1.08, 0, 1);
  const right = DEFAULT_WIDTH - PAD;
  const labelWidths = entries.map((entry) => Math.min(MAX_LABEL, textWidth(entry.label)));
  let left = PAD + yAxisWidth(provisional);
  const rotate = labelWidths.some((width) => width > (right - left) / entries.length - 8);
  if (rotate) {
    // A slanted label reaches left of its bar by cos(35°) of its length; keep the first on the canvas.
    const slot = (right - left) / entries.length;
    left = Math.max(left, PAD + labelWidths[0]! * COS - slot / 2);
  }
  const slot = (right - left) / entries.length;
  const labelDepth = rotate ? Math.max(...labelWidths) * SIN + FONT_SIZE + 16 : FONT_SIZE + 16;
  const box: Box = { left, top, right, bottom: HEIGHT - PAD - labelDepth };
  const scale = linearScale(0, max * 1.08, box.bottom, box.top);
  drawYAxis(doc, box, scale, `wall time (${symbol})`);
  doc.line(box.left, box.bottom, box.right, box.bottom, { stroke: AXIS });

  const barWidth = Math.min(120, slot * 0.65);
  entries.forEach((entry, i) => {
    const center = box.left + slot * (i + 0.5);
    const y = scale.map(values[i]!);
    doc.rect(center - barWidth / 2, y, barWidth, box.bottom - y, { fill: colors[i] });
    doc.text(center, y - 6, `${labels[i]} ${symbol}`, { anchor: "middle", fill: INK });
    if (rotate) {
      doc.text(center, box.bottom + 14, fitText(entry.label, MAX_LABEL), { anchor: "end", rotate: -35, fill: INK });
    } else {
      doc.text(center, box.bottom + 8 + FONT_SIZE, entry.label, { anchor: "middle", fill: INK });
    }
  });
  return doc.toString();
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
  return new Plot(renderFigure(prepared, title), renderSvg(prepared, title), renderTable(prepared, title));
}
