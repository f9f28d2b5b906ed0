// Who ran what, when: one row per lane, one bar per task. Bars that overlap on one lane (tasks in
// flight together on one event loop: concurrency) are stacked in sub-rows so none hides another;
// bars that overlap across lanes are parallelism.
import type { LaneKind, Span } from "../measure/spans.js";
import { X_AXIS_HEIGHT, drawLegend, drawTitle, drawXAxis, type Box, type LegendItem } from "./axes.js";
import { Plot } from "./plot.js";
import type { PlotlyBarTrace, PlotlyFigure } from "./plotly.js";
import { decimalsFor, linearScale } from "./scale.js";
import { SvgDocument } from "./svg.js";
import { formatTable } from "./table.js";
import { BAND, DEFAULT_WIDTH, FAILED_COLOR, FONT_FAMILY, FONT_SIZE, INK, KIND_COLORS, KIND_LABELS, KIND_TEXT_COLORS, PAD, fitText, textWidth } from "./theme.js";
import { validateSpans, validateTitle } from "./validate.js";

export interface TimelineOptions {
  title?: string;
}

const KIND_ORDER: readonly LaneKind[] = ["loop", "thread", "process"];
const HATCH_ID = "failed-hatch";
/** Past this a text table stops being readable, and a notebook output stops being small. */
const MAX_TABLE_ROWS = 500;
/** Share of a lane's row that its bars fill; the rest separates lanes. */
const FILL = 0.8;

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

function legendItems(bars: readonly Bar[]): LegendItem[] {
  const kinds = KIND_ORDER.filter((kind) => bars.some((bar) => bar.lane.kind === kind));
  const items: LegendItem[] = kinds.map((kind) => ({ label: KIND_LABELS[kind], color: KIND_COLORS[kind], swatch: "box" }));
  if (bars.some((bar) => bar.span.error !== undefined)) items.push({ label: "failed", color: "#FFFFFF", swatch: "box", overlay: `url(#${HATCH_ID})`, outline: FAILED_COLOR });
  return items;
}

function laneHeight(lane: Lane): number {
  return Math.min(120, Math.max(30, lane.tracks * 16));
}

function renderSvg(lanes: readonly Lane[], bars: readonly Bar[], last: number, title: string | undefined): string {
  const labelWidth = Math.min(200, Math.max(...lanes.map((lane) => textWidth(lane.name))));
  const rowsHeight = lanes.reduce((sum, lane) => sum + laneHeight(lane), 0);
  // The header's height is only known once drawn, so draw it on a scratch document first.
  const header = (doc: SvgDocument) => drawLegend(doc, legendItems(bars), drawTitle(doc, title, PAD));
  const top = header(new SvgDocument(DEFAULT_WIDTH, 0, FONT_FAMILY, FONT_SIZE)) + 4;
  const box: Box = { left: PAD + labelWidth + 12, top, right: DEFAULT_WIDTH - PAD - 10, bottom: top + rowsHeight };
  const doc = new SvgDocument(DEFAULT_WIDTH, box.bottom + X_AXIS_HEIGHT + PAD, FONT_FAMILY, FONT_SIZE);
  doc.define(
    `<pattern id="${HATCH_ID}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">` +
      `<rect width="3" height="6" fill="${FAILED_COLOR}" fill-opacity="0.75"/></pattern>`,
  );
  header(doc);

  const laneTop = new Map<Lane, number>();
  let y = box.top;
  lanes.forEach((lane, i) => {
    laneTop.set(lane, y);
    if (i % 2 === 0) doc.rect(box.left, y, box.right - box.left, laneHeight(lane), { fill: BAND });
    doc.text(box.left - 10, y + laneHeight(lane) / 2, fitText(lane.name, labelWidth), { anchor: "end", middle: true, fill: INK });
    y += laneHeight(lane);
  });

  const scale = linearScale(0, last, box.left, box.right);
  drawXAxis(doc, box, scale, "seconds since the first task started");

  for (const bar of bars) {
    const height = laneHeight(bar.lane);
    const trackHeight = (height * FILL) / bar.lane.tracks;
    const barTop = laneTop.get(bar.lane)! + (height * (1 - FILL)) / 2 + bar.track * trackHeight;
    const x = scale.map(bar.start);
    // A task too short to see at this scale still gets a hairline, so no span goes missing.
    const width = Math.max(1, scale.map(bar.end) - x);
    const gap = bar.lane.tracks > 1 ? Math.min(2, trackHeight * 0.15) : 0;
    doc.rect(x, barTop + gap / 2, width, trackHeight - gap, { fill: KIND_COLORS[bar.lane.kind], stroke: "#FFFFFF", "stroke-width": 0.75 });
    if (bar.span.error !== undefined) {
      doc.rect(x, barTop + gap / 2, width, trackHeight - gap, { fill: `url(#${HATCH_ID})`, stroke: FAILED_COLOR, "stroke-width": 1.5 });
    }
    const size = Math.min(FONT_SIZE - 1, trackHeight - gap - 4);
    if (size >= 8 && textWidth(bar.span.task, size) + 8 <= width) {
      doc.text(x + width / 2, barTop + trackHeight / 2, bar.span.task, { anchor: "middle", middle: true, size, fill: KIND_TEXT_COLORS[bar.lane.kind] });
    }
  }
  return doc.toString();
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
  return new Plot(renderFigure(lanes, bars, title, decimals), renderSvg(lanes, bars, last, title), renderTable(lanes, bars, last, title, decimals));
}
