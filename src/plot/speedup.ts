// Measured speedup against worker count, next to what the machine could give at best: y = x
// until the workers outnumber the cores, flat after that.
import { X_AXIS_HEIGHT, drawLegend, drawTitle, drawXAxis, drawYAxis, yAxisWidth, type Box, type LegendItem } from "./axes.js";
import { Plot } from "./plot.js";
import type { PlotlyFigure, PlotlyScatterTrace } from "./plotly.js";
import { linearScale } from "./scale.js";
import { SvgDocument } from "./svg.js";
import { formatTable } from "./table.js";
import { DEFAULT_WIDTH, FONT_FAMILY, FONT_SIZE, IDEAL_COLOR, MUTED, PAD, PALETTE } from "./theme.js";
import { validateCores, validateSpeedupPoints, validateTitle, type ValidSpeedupPoint } from "./validate.js";

export interface SpeedupPoint {
  workers: number;
  /** Sequential time divided by the time with this many workers. */
  speedup: number;
  /** Lines are drawn per series, e.g. "threads" and "processes"; "measured" when absent. */
  series?: string;
}

export interface SpeedupOptions {
  /** Cores available to the measurement: os.availableParallelism(). */
  cores: number;
  title?: string;
}

const HEIGHT = 460;

interface Series {
  name: string;
  color: string;
  points: ValidSpeedupPoint[];
}

/** Ideal speedup with `workers` workers on `cores` cores. */
export function idealSpeedup(workers: number, cores: number): number {
  return Math.min(workers, cores);
}

function groupSeries(points: readonly ValidSpeedupPoint[]): Series[] {
  const series: Series[] = [];
  for (const point of points) {
    let entry = series.find((s) => s.name === point.series);
    if (!entry) series.push((entry = { name: point.series, color: PALETTE[series.length % PALETTE.length]!, points: [] }));
    entry.points.push(point);
  }
  for (const entry of series) entry.points.sort((a, b) => a.workers - b.workers);
  return series;
}

/** Where the ideal line bends: 1, every measured count, and the core count if it is in range. */
function idealLine(points: readonly ValidSpeedupPoint[], cores: number): [number, number][] {
  const maxWorkers = Math.max(...points.map((point) => point.workers));
  const xs = new Set([1, ...points.map((point) => point.workers)]);
  if (cores < maxWorkers) xs.add(cores);
  return [...xs].sort((a, b) => a - b).map((x) => [x, idealSpeedup(x, cores)]);
}

const idealName = (cores: number) => `ideal (capped at ${cores} ${cores === 1 ? "core" : "cores"})`;

function renderSvg(series: readonly Series[], ideal: readonly [number, number][], cores: number, title: string | undefined): string {
  const doc = new SvgDocument(DEFAULT_WIDTH, HEIGHT, FONT_FAMILY, FONT_SIZE);
  const legend: LegendItem[] = [...series.map((s): LegendItem => ({ label: s.name, color: s.color, swatch: "line" })), { label: idealName(cores), color: IDEAL_COLOR, swatch: "dash" }];
  const top = drawLegend(doc, legend, drawTitle(doc, title, PAD)) + 8;
  const maxX = Math.max(...ideal.map(([x]) => x));
  const maxY = Math.max(...ideal.map(([, y]) => y), ...series.flatMap((s) => s.points.map((p) => p.speedup)));
  const provisional = linearScale(0, maxY * 1.05, 0, 1);
  const box: Box = { left: PAD + yAxisWidth(provisional), top, right: DEFAULT_WIDTH - PAD - 10, bottom: HEIGHT - PAD - X_AXIS_HEIGHT };
  const xScale = linearScale(0, maxX, box.left, box.right, { integer: true });
  const yScale = linearScale(0, maxY * 1.05, box.bottom, box.top);
  drawXAxis(doc, box, xScale, "workers");
  drawYAxis(doc, box, yScale, "speedup (sequential time / parallel time)");

  if (cores < maxX) {
    const x = xScale.map(cores);
    doc.line(x, box.top, x, box.bottom, { stroke: MUTED, "stroke-dasharray": "2 3" });
    doc.text(x + 4, box.top + FONT_SIZE, `${cores} ${cores === 1 ? "core" : "cores"}`, { fill: MUTED });
  }
  doc.polyline(ideal.map(([x, y]) => [xScale.map(x), yScale.map(y)]), { stroke: IDEAL_COLOR, "stroke-width": 2, "stroke-dasharray": "6 4" });
  for (const s of series) {
    const pixels = s.points.map((p): [number, number] => [xScale.map(p.workers), yScale.map(p.speedup)]);
    doc.polyline(pixels, { stroke: s.color, "stroke-width": 2.5, "stroke-linejoin": "round" });
    for (const [x, y] of pixels) doc.circle(x, y, 4, { fill: s.color, stroke: "#FFFFFF", "stroke-width": 1 });
  }
  return doc.toString();
}

function renderFigure(series: readonly Series[], ideal: readonly [number, number][], cores: number, title: string | undefined): PlotlyFigure {
  const maxX = Math.max(...ideal.map(([x]) => x));
  const traces: PlotlyScatterTrace[] = series.map((s) => ({
    type: "scatter",
    mode: "lines+markers",
    name: s.name,
    x: s.points.map((p) => p.workers),
    y: s.points.map((p) => p.speedup),
    line: { color: s.color, width: 2.5 },
    marker: { color: s.color, size: 8 },
    hovertemplate: `${s.name}: %{y:.2f}x with %{x} workers<extra></extra>`,
  }));
  traces.push({
    type: "scatter",
    mode: "lines",
    name: idealName(cores),
    x: ideal.map(([x]) => x),
    y: ideal.map(([, y]) => y),
    line: { color: IDEAL_COLOR, width: 2, dash: "dash" },
    hovertemplate: `ideal: %{y}x with %{x} workers<extra></extra>`,
  });
  const marksCores = cores < maxX;
  return {
    data: traces,
    layout: {
      ...(title ? { title: { text: title } } : {}),
      height: HEIGHT,
      xaxis: { title: { text: "workers" }, type: "linear", rangemode: "tozero", ...(maxX <= 16 ? { dtick: 1 } : {}) },
      yaxis: { title: { text: "speedup (sequential time / parallel time)" }, type: "linear", rangemode: "tozero" },
      legend: { orientation: "h", x: 0.5, xanchor: "center", y: 1.02, yanchor: "bottom" },
      ...(marksCores
        ? {
            shapes: [{ type: "line", xref: "x", yref: "paper", x0: cores, x1: cores, y0: 0, y1: 1, line: { color: MUTED, width: 1, dash: "dot" } }],
            annotations: [{ text: `${cores} ${cores === 1 ? "core" : "cores"}`, x: cores, y: 1, xref: "x", yref: "paper", showarrow: false, xanchor: "left", yanchor: "top" }],
          }
        : {}),
    },
  };
}

function renderTable(series: readonly Series[], cores: number, title: string | undefined): string {
  const rows = series.flatMap((s) => s.points.map((p) => [s.name, String(p.workers), p.speedup.toFixed(2), String(idealSpeedup(p.workers, cores))]));
  const table = formatTable(
    [
      { header: "series", align: "left" },
      { header: "workers", align: "right" },
      { header: "speedup", align: "right" },
      { header: "ideal", align: "right" },
    ],
    rows,
  );
  return [...(title ? [title] : []), table, `ideal = min(workers, ${cores} ${cores === 1 ? "core" : "cores"})`].join("\n");
}

/** Speedup per worker count, one line per series, with the ideal line capped at `cores`. */
export function speedupChart(points: readonly SpeedupPoint[], options: SpeedupOptions): Plot {
  const fn = "speedupChart";
  if (typeof options !== "object" || options === null) throw new Error(`${fn}: options with cores are required, e.g. { cores: os.availableParallelism() }`);
  const cores = validateCores(fn, options.cores);
  const title = validateTitle(fn, options.title);
  const valid = validateSpeedupPoints(fn, points);
  const series = groupSeries(valid);
  const ideal = idealLine(valid, cores);
  return new Plot(renderFigure(series, ideal, cores, title), renderSvg(series, ideal, cores, title), renderTable(series, cores, title));
}
