// Measured speedup against worker count, next to what the machine could give at best: y = x
// until the workers outnumber the cores, flat after that.
import { Plot } from "./plot.js";
import type { PlotlyFigure, PlotlyScatterTrace } from "./plotly.js";
import { frame, type ChartLayer, type ChartSpec } from "./spec.js";
import { formatTable } from "./table.js";
import { IDEAL_COLOR, MUTED, PALETTE } from "./theme.js";
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

function renderSpec(series: readonly Series[], ideal: readonly [number, number][], cores: number, title: string | undefined): ChartSpec {
  const maxX = Math.max(...ideal.map(([x]) => x));
  const name = idealName(cores);
  const rows = [
    ...series.flatMap((s) => s.points.map((p) => ({ series: s.name, workers: p.workers, speedup: p.speedup, measured: true }))),
    ...ideal.map(([workers, speedup]) => ({ series: name, workers, speedup, measured: false })),
  ];
  const domain = [...series.map((s) => s.name), name];
  const x = (field: string) => ({ field, type: "quantitative" as const, title: "workers", scale: { domain: [0, maxX], nice: false }, axis: { tickMinStep: 1, format: "d" } });
  const y = { field: "speedup", type: "quantitative", title: "speedup (sequential time / parallel time)" } as const;
  const legend = { title: null, symbolType: "stroke", symbolStrokeWidth: 2.5 } as const;
  // Past the cores the ideal line goes flat; a rule marks where.
  const coresMark: ChartLayer[] = cores < maxX
    ? [
        {
          data: { values: [{ cores, label: `${cores} ${cores === 1 ? "core" : "cores"}` }] },
          encoding: { x: x("cores") },
          layer: [
            { mark: { type: "rule", color: MUTED, strokeDash: [2, 3] } },
            { mark: { type: "text", align: "left", baseline: "top", dx: 4, y: 4, color: MUTED }, encoding: { text: { field: "label" } } },
          ],
        },
      ]
    : [];
  return {
    ...frame(title, HEIGHT),
    layer: [
      {
        data: { values: rows },
        encoding: {
          x: x("workers"),
          y,
          color: { field: "series", type: "nominal", scale: { domain, range: [...series.map((s) => s.color), IDEAL_COLOR] }, legend },
          strokeDash: { field: "series", type: "nominal", scale: { domain, range: [...series.map((): number[] => [1, 0]), [6, 4]] }, legend },
        },
        layer: [
          { mark: { type: "line", strokeWidth: 2.5, strokeJoin: "round" } },
          { transform: [{ filter: "datum.measured" }], mark: { type: "point", filled: true, size: 64, opacity: 1, stroke: "#FFFFFF", strokeWidth: 1 }, encoding: { strokeDash: { value: [] } } },
        ],
      },
      ...coresMark,
    ],
  };
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
  return new Plot(renderFigure(series, ideal, cores, title), renderSpec(series, ideal, cores, title), renderTable(series, cores, title));
}
