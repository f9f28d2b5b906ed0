// Who ran what, when: one row per lane, one bar per task. Bars that overlap on one lane (tasks in
// flight together on one event loop: concurrency) are stacked in sub-rows so none hides another;
// bars that overlap across lanes are parallelism.
import type { LaneKind, Span } from "../measure/spans.js";
import { Plot } from "./plot.js";
import type { PlotlyBarTrace, PlotlyFigure } from "./plotly.js";
import { frame, type ChartSpec } from "./spec.js";
import { decimalsFor, formatTable } from "./table.js";
import { BAND, DEFAULT_WIDTH, FAILED_COLOR, FONT_SIZE, INK, KIND_COLORS, KIND_LABELS, KIND_TEXT_COLORS } from "./theme.js";
import { validateSpans, validateTitle } from "./validate.js";

export interface TimelineOptions {
  title?: string;
}

const KIND_ORDER: readonly LaneKind[] = ["loop", "thread", "process"];
/** Past this a text table stops being readable, and a notebook output stops being small. */
const MAX_TABLE_ROWS = 500;
/** Share of a lane's row that its bars fill; the rest separates lanes. */
const FILL = 0.8;
/** Many lanes share this height in the PNG, down to rows still tall enough for their labels. */
const MAX_PLOT_HEIGHT = 1200;
const MIN_LANE_HEIGHT = 14;

interface Lane {
  name: string;
  kind: LaneKind;
  /** How many sub-rows the lane's overlapping tasks need. */
  tracks: number;
}

interface Bar {
  span: Span;
  lane: Lane;
  track: number;
  /** Seconds since the earliest start. */
  start: number;
  end: number;
}

/** Runs may record many thousands of spans: more than a spread into Math.min can take. */
function extreme(values: Iterable<number>, pick: (a: number, b: number) => number): number {
  let result = NaN;
  for (const value of values) result = Number.isNaN(result) ? value : pick(result, value);
  return result;
}

function arrange(spans: readonly Span[]): { lanes: Lane[]; bars: Bar[]; last: number } {
  const origin = extreme(spans.map((span) => span.start), Math.min);
  const byLane = new Map<string, Span[]>();
  for (const span of spans) {
    const laneSpans = byLane.get(span.lane);
    if (laneSpans) laneSpans.push(span);
    else byLane.set(span.lane, [span]);
  }
  const names = [...byLane.keys()].sort((a, b) => {
    const kindA = KIND_ORDER.indexOf(byLane.get(a)![0]!.laneKind);
    const kindB = KIND_ORDER.indexOf(byLane.get(b)![0]!.laneKind);
    return kindA - kindB || a.localeCompare(b, "en", { numeric: true });
  });
  const lanes: Lane[] = [];
  const bars: Bar[] = [];
  for (const name of names) {
    const laneSpans = byLane.get(name)!.sort((a, b) => a.start - b.start || a.end - b.end);
    const lane: Lane = { name, kind: laneSpans[0]!.laneKind, tracks: 0 };
    // Greedy interval partitioning: a task goes on the first sub-row free by its start, which
    // uses as few sub-rows as the most tasks in flight at any one moment.
    const trackEnds: number[] = [];
    for (const span of laneSpans) {
      let track = trackEnds.findIndex((end) => end <= span.start);
      if (track === -1) track = trackEnds.push(span.end) - 1;
      else trackEnds[track] = span.end;
      bars.push({ span, lane, track, start: (span.start - origin) / 1000, end: (span.end - origin) / 1000 });
    }
    lane.tracks = trackEnds.length;
    lanes.push(lane);
  }
  return { lanes, bars, last: extreme(bars.map((bar) => bar.end), Math.max) };
}

/**
 * Lanes are one unit tall, as in the plotly figure; a lane's tracks share its filled part. Names
 * go inside bars only on tracks tall enough for the text.
 */
function barRows(lanes: readonly Lane[], bars: readonly Bar[], laneHeight: number, last: number) {
  const index = new Map(lanes.map((lane, i) => [lane, i]));
  // A task too short to see at this scale still gets a hairline, so no span goes missing.
  const hairline = (3 * (last > 0 ? last : 1)) / DEFAULT_WIDTH;
  return bars.map((bar) => {
    const top = index.get(bar.lane)! + (1 - FILL) / 2 + (bar.track * FILL) / bar.lane.tracks;
    return {
      lane: bar.lane.name,
      task: bar.span.task,
      label: (laneHeight * FILL) / bar.lane.tracks >= FONT_SIZE ? bar.span.task : "",
      kind: KIND_LABELS[bar.lane.kind],
      ink: KIND_TEXT_COLORS[bar.lane.kind],
      outcome: bar.span.error === undefined ? "ok" : "failed",
      start: bar.start,
      end: bar.end,
      drawnEnd: Math.max(bar.end, bar.start + hairline),
      top,
      bottom: top + FILL / bar.lane.tracks,
    };
  });
}

function renderSpec(lanes: readonly Lane[], bars: readonly Bar[], last: number, title: string | undefined): ChartSpec {
  const kinds = KIND_ORDER.filter((kind) => lanes.some((lane) => lane.kind === kind));
  const tracks = Math.max(...lanes.map((lane) => lane.tracks));
  const laneHeight = Math.max(MIN_LANE_HEIGHT, Math.min(120, Math.max(36, tracks * 18), MAX_PLOT_HEIGHT / lanes.length));
  const failed = bars.some((bar) => bar.span.error !== undefined);
  const isFailed = "datum.outcome === 'failed'";
  return {
    ...frame(title, lanes.length * laneHeight, { plotHeight: true }),
    params: [{ name: "laneNames", value: lanes.map((lane) => lane.name) }],
    layer: [
      {
        // Every other lane shaded, so a bar's row can be followed from its label.
        data: { values: lanes.map((_, i) => ({ top: i, bottom: i + 1 })).filter((_, i) => i % 2 === 0) },
        mark: { type: "rect", fill: BAND },
        encoding: {
          y: {
            field: "top",
            type: "quantitative",
            scale: { domain: [0, lanes.length], reverse: true, nice: false, zero: false },
            axis: { title: null, values: lanes.map((_, i) => i + 0.5), labelExpr: "laneNames[floor(datum.value)]",
              // vega hides "overlapping" labels by default, and lanes 36 px apart counted as overlapping;
              // and it thins explicit values to its default tick count (one per 40 px or so).
              labelOverlap: false, tickCount: lanes.length, labelColor: INK, labelLimit: 200, labelPadding: 8, ticks: false, domain: false, grid: false },
          },
          y2: { field: "bottom" },
        },
      },
      {
        data: { values: barRows(lanes, bars, laneHeight, last) },
        encoding: {
          x: { field: "start", type: "quantitative", title: "seconds since the first task started", scale: { domain: [0, last > 0 ? last : 1] } },
          y: { field: "top", type: "quantitative" },
        },
        layer: [
          {
            mark: { type: "bar" },
            encoding: {
              x2: { field: "drawnEnd" },
              y2: { field: "bottom" },
              color: {
                field: "kind",
                type: "nominal",
                scale: { domain: kinds.map((kind) => KIND_LABELS[kind]), range: kinds.map((kind) => KIND_COLORS[kind]) },
                legend: { title: null, symbolType: "square" },
              },
              // Vega has no hatch fill: a failed task keeps its lane's colour inside a thick dashed outline.
              stroke: {
                field: "outcome",
                type: "nominal",
                scale: { domain: ["ok", "failed"], range: ["#FFFFFF", FAILED_COLOR] },
                legend: failed ? { title: null, values: ["failed"], symbolType: "square", symbolFillColor: "#FFFFFF", symbolStrokeWidth: 2.5, symbolDash: [4, 2] } : null,
              },
              strokeWidth: { condition: { test: isFailed, value: 2.5 }, value: 0.75 },
              strokeDash: { condition: { test: isFailed, value: [5, 3] }, value: [] },
            },
          },
          {
            // The task's name inside its bar, where the bar is also wide enough to hold it.
            mark: { type: "text", fontSize: FONT_SIZE - 1, baseline: "middle" },
            transform: [{ calculate: "(datum.start + datum.drawnEnd) / 2", as: "middle" }, { calculate: "(datum.top + datum.bottom) / 2", as: "row" }],
            encoding: {
              x: { field: "middle", type: "quantitative" },
              y: { field: "row", type: "quantitative" },
              text: { condition: { test: `scale('x', datum.drawnEnd) - scale('x', datum.start) > ${0.62 * (FONT_SIZE - 1)} * length(datum.label) + 8`, field: "label" }, value: "" },
              color: { field: "ink", type: "nominal", scale: null },
            },
          },
        ],
      },
    ],
  };
}

function renderFigure(lanes: readonly Lane[], bars: readonly Bar[], title: string | undefined, decimals: number): PlotlyFigure {
  const seconds = (value: number) => value.toFixed(decimals);
  const traces: PlotlyBarTrace[] = [];
  for (const kind of KIND_ORDER) {
    for (const failed of [false, true]) {
      const group = bars.filter((bar) => bar.lane.kind === kind && (bar.span.error !== undefined) === failed);
      if (group.length === 0) continue;
      traces.push({
        type: "bar",
        orientation: "h",
        name: failed ? `${KIND_LABELS[kind]} (failed)` : KIND_LABELS[kind],
        y: group.map((bar) => bar.lane.name),
        base: group.map((bar) => bar.start),
        x: group.map((bar) => bar.end - bar.start),
        // A category is one unit tall: split the filled part among the lane's sub-rows.
        width: group.map((bar) => FILL / bar.lane.tracks),
        offset: group.map((bar) => -FILL / 2 + (bar.track * FILL) / bar.lane.tracks),
        text: group.map((bar) => bar.span.task),
        textposition: "inside",
        insidetextanchor: "middle",
        hovertext: group.map((bar) => {
          const line = `${bar.span.task}<br>${bar.lane.name}: ${seconds(bar.start)} s to ${seconds(bar.end)} s (${seconds(bar.end - bar.start)} s)`;
          return bar.span.error === undefined ? line : `${line}<br>failed: ${bar.span.error}`;
        }),
        hoverinfo: "text",
        marker: {
          color: KIND_COLORS[kind],
          line: failed ? { color: FAILED_COLOR, width: 2 } : { color: "#FFFFFF", width: 0.5 },
          ...(failed ? { pattern: { shape: "/" as const, fgcolor: FAILED_COLOR, solidity: 0.4 } } : {}),
        },
      });
    }
  }
  return {
    data: traces,
    layout: {
      ...(title ? { title: { text: title } } : {}),
      barmode: "overlay",
      height: Math.min(1200, Math.max(260, 170 + lanes.length * 44)),
      xaxis: { title: { text: "seconds since the first task started" }, type: "linear", rangemode: "tozero", zeroline: false },
      yaxis: { type: "category", categoryorder: "array", categoryarray: lanes.map((lane) => lane.name), autorange: "reversed", automargin: true },
      legend: { orientation: "h", x: 0.5, xanchor: "center", y: 1.02, yanchor: "bottom" },
      // Task names show inside bars wide enough for them and nowhere else.
      uniformtext: { mode: "hide", minsize: 9 },
    },
  };
}

function renderTable(lanes: readonly Lane[], bars: readonly Bar[], last: number, title: string | undefined, decimals: number): string {
  const seconds = (value: number) => value.toFixed(decimals);
  const rows: string[][] = [];
  for (const lane of lanes) {
    bars
      .filter((bar) => bar.lane === lane)
      .forEach((bar, i) => {
        if (rows.length >= MAX_TABLE_ROWS) return;
        rows.push([i === 0 ? lane.name : "", i === 0 ? lane.kind : "", bar.span.task, seconds(bar.start), seconds(bar.end), seconds(bar.end - bar.start), bar.span.error === undefined ? "" : `failed: ${bar.span.error}`]);
      });
  }
  const table = formatTable(
    [
      { header: "lane", align: "left" },
      { header: "kind", align: "left" },
      { header: "task", align: "left" },
      { header: "start s", align: "right" },
      { header: "end s", align: "right" },
      { header: "duration s", align: "right" },
      { header: "", align: "left" },
    ],
    rows,
  );
  const summary = `${bars.length} ${bars.length === 1 ? "task" : "tasks"} on ${lanes.length} ${lanes.length === 1 ? "lane" : "lanes"}, ${seconds(last)} s from the first start to the last end`;
  const omitted = bars.length - rows.length;
  const note = omitted > 0 ? [`(${omitted} more ${omitted === 1 ? "task" : "tasks"} not listed; the chart shows all)`] : [];
  return [...(title ? [title] : []), table, ...note, summary].join("\n");
}

/** A timeline of spans: y = lane, x = seconds since the earliest start, coloured by lane kind. */
export function timelinePlot(spans: readonly Span[], options: TimelineOptions = {}): Plot {
  const valid = validateSpans("timelinePlot", spans);
  const title = validateTitle("timelinePlot", options.title);
  const { lanes, bars, last } = arrange(valid);
  const decimals = decimalsFor(last);
  return new Plot(renderFigure(lanes, bars, title, decimals), renderSpec(lanes, bars, last, title), renderTable(lanes, bars, last, title, decimals));
}
