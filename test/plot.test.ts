// The plotting module: bundles viewers can show, PNGs that really contain the chart, plotly JSON
// that matches the data, text tables with the numbers, and clear errors on bad input.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { inflateSync } from "node:zlib";
import { toMimeBundle } from "../kernel/runtime/mime.js";
import type { Span } from "../src/measure/spans.js";
import { FONT_PACKAGE, PLOTLY_MIME, barChart, plotBundle, speedupChart, timelinePlot, type Plot } from "../src/plot/index.js";
import { findFonts } from "../src/plot/fonts.js";
import type { PlotlyBarTrace, PlotlyScatterTrace } from "../src/plot/plotly.js";
import { svgToPng } from "../src/plot/raster.js";
import { FAILED_COLOR, KIND_COLORS, PALETTE, SEQUENTIAL_COLOR } from "../src/plot/theme.js";

const T0 = 1_700_000_000_000;

/** Two event-loop tasks in flight together, two threads in parallel, one failed process task. */
const SPANS: Span[] = [
  { task: "fetch a", lane: "main loop", laneKind: "loop", start: T0, end: T0 + 300 },
  { task: "fetch b", lane: "main loop", laneKind: "loop", start: T0 + 50, end: T0 + 350 },
  { task: "fetch c", lane: "main loop", laneKind: "loop", start: T0 + 400, end: T0 + 500 },
  { task: "hash 1", lane: "thread 1", laneKind: "thread", start: T0 + 100, end: T0 + 900 },
  { task: "hash 2", lane: "thread 2", laneKind: "thread", start: T0 + 120, end: T0 + 880 },
  { task: "resize", lane: "process 4711", laneKind: "process", start: T0 + 250, end: T0 + 1250, error: "out of memory" },
];

// ---- a small PNG reader, so the tests see pixels rather than trusting the encoder -------------

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Image {
  width: number;
  height: number;
  /** RGBA, row by row. */
  pixels: Buffer;
}

function decodePng(png: Buffer): Image {
  assert.ok(png.subarray(0, 8).equals(PNG_SIGNATURE), "PNG signature");
  assert.equal(png.toString("latin1", 12, 16), "IHDR", "the first chunk is IHDR");
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const bitDepth = png[24];
  const colorType = png[25];
  assert.equal(bitDepth, 8, "8-bit channels");
  assert.ok(colorType === 6 || colorType === 2, `RGB or RGBA (colour type ${colorType})`);
  const channels = colorType === 6 ? 4 : 3;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString("latin1", at + 4, at + 8);
    if (type === "IDAT") idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  assert.equal(raw.length, height * (stride + 1), "image data matches IHDR size");
  const out = Buffer.alloc(width * height * 4);
  let previous = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? line[i - channels]! : 0;
      const up = previous[i]!;
      const upLeft = i >= channels ? previous[i - channels]! : 0;
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        predictor = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      line[i] = (line[i]! + predictor) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 4; c++) out[(y * width + x) * 4 + c] = c < channels ? line[x * channels + c]! : 255;
    }
    previous = line;
  }
  return { width, height, pixels: out };
}

function countColor(image: Image, hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let count = 0;
  for (let i = 0; i < image.pixels.length; i += 4) {
    if (image.pixels[i] === r && image.pixels[i + 1] === g && image.pixels[i + 2] === b) count++;
  }
  return count;
}

/** Near-black pixels: only text (and nothing else in these charts) is drawn that dark. */
function countDark(image: Image): number {
  let count = 0;
  for (let i = 0; i < image.pixels.length; i += 4) {
    if (image.pixels[i]! < 80 && image.pixels[i + 1]! < 80 && image.pixels[i + 2]! < 80) count++;
  }
  return count;
}

function svgSize(svg: string): { width: number; height: number } {
  const match = /^<svg[^>]*\swidth="([\d.]+)"\s+height="([\d.]+)"/.exec(svg);
  assert.ok(match, "the SVG states its size");
  return { width: Number(match[1]), height: Number(match[2]) };
}

function barTraces(plot: Plot): PlotlyBarTrace[] {
  return plot.figure.data.filter((trace): trace is PlotlyBarTrace => trace.type === "bar");
}

function assertBundleShape(plot: Plot): void {
  const bundle = plot.bundle();
  assert.deepEqual(Object.keys(bundle).sort(), ["application/vnd.plotly.v1+json", "image/png", "text/plain"]);
  assert.equal(typeof bundle["image/png"], "string");
  assert.ok(Buffer.from(bundle["image/png"], "base64").equals(plot.png()), "image/png is the PNG in base64");
  // The bundle travels as JSON: nothing may be lost or turned into null on the way.
  assert.deepEqual(JSON.parse(JSON.stringify(bundle)), bundle);
}

// ---- the bundle ---------------------------------------------------------------------------------

test("every chart's bundle is exactly plotly JSON + PNG + text, with no html or svg", () => {
  const plots = [
    timelinePlot(SPANS),
    barChart([{ label: "sequential", seconds: 2 }, { label: "threads", seconds: 0.7 }]),
    speedupChart([{ workers: 1, speedup: 1 }, { workers: 2, speedup: 1.8 }], { cores: 2 }),
  ];
  for (const plot of plots) {
    assertBundleShape(plot);
    const layout = plot.figure.layout;
    assert.ok(layout.xaxis && layout.yaxis, "layout has both axes");
    for (const trace of plot.figure.data) assert.ok(trace.type === "bar" || trace.type === "scatter");
  }
});

test("display() finds the bundle through Symbol.for('Jupyter.display'), as the kernel does", () => {
  const plot = timelinePlot(SPANS, { title: "via the kernel" });
  const bundle = toMimeBundle(plot);
  assert.deepEqual(Object.keys(bundle).sort(), ["application/vnd.plotly.v1+json", "image/png", "text/plain"]);
  assert.deepEqual(bundle, plotBundle(plot));
  assert.equal(bundle["text/plain"], plot.table);
});

// ---- the PNG ------------------------------------------------------------------------------------

test("the PNG decodes, has the SVG's size, and holds the bars' colours and text", () => {
  const plot = timelinePlot(SPANS);
  const image = decodePng(plot.png());
  const size = svgSize(plot.svg);
  assert.equal(image.width, size.width);
  assert.equal(image.height, size.height);
  assert.ok(countColor(image, KIND_COLORS.loop) > 500, "event-loop bars are drawn");
  assert.ok(countColor(image, KIND_COLORS.thread) > 500, "thread bars are drawn");
  assert.ok(countColor(image, KIND_COLORS.process) > 100, "process bars are drawn");
  assert.ok(countDark(image) > 200, "text is drawn");

  const double = decodePng(plot.png(2));
  assert.equal(double.width, size.width * 2);
  assert.equal(double.height, size.height * 2);
});

test("text really renders: two titles give two different PNGs, and a title adds dark pixels", () => {
  const a = timelinePlot(SPANS, { title: "Run A" }).png();
  const b = timelinePlot(SPANS, { title: "Run B" }).png();
  assert.ok(!a.equals(b), "the title changes the image");
  const untitled = decodePng(timelinePlot(SPANS).png());
  const titled = decodePng(timelinePlot(SPANS, { title: "A long title that covers many pixels" }).png());
  assert.ok(countDark(titled) > countDark(untitled) + 200, "the title's glyphs are drawn");

  const barA = barChart([{ label: "x", seconds: 1 }], { title: "first" }).png();
  const barB = barChart([{ label: "x", seconds: 1 }], { title: "second" }).png();
  assert.ok(!barA.equals(barB));
});

test("the font shipped through npm is found, and text renders from a font file alone", (t) => {
  const root = mkdtempSync(join(tmpdir(), "parlab-fonts-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const without = findFonts(join(root, "module.js"));
  assert.deepEqual(without, { files: [], system: true }, "no package: fall back to system fonts");

  const folder = join(root, "node_modules", FONT_PACKAGE, "ttf");
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(root, "node_modules", FONT_PACKAGE, "package.json"), JSON.stringify({ name: FONT_PACKAGE, version: "0.0.0" }));
  writeFileSync(join(folder, "DejaVuSans.ttf"), "");
  const found = findFonts(join(root, "module.js"));
  assert.equal(found.system, false);
  assert.deepEqual(found.files, [join(folder, "DejaVuSans.ttf")]);

  // The same rendering path as with the package installed, fed a real DejaVu file if this machine has one.
  const systemFont = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf"].find(existsSync);
  if (!systemFont) return t.skip("no DejaVuSans.ttf on this machine to stand in for the package");
  const fonts = { files: [systemFont], system: false };
  const svg = (title: string) => timelinePlot(SPANS, { title }).svg;
  const a = decodePng(svgToPng(svg("Font file only"), { fonts }));
  const b = decodePng(svgToPng(svg("Another title, font file only"), { fonts }));
  assert.ok(!a.pixels.equals(b.pixels));
  assert.ok(countDark(b) > countDark(a), "the longer title draws more glyphs");
});

// ---- timeline -----------------------------------------------------------------------------------

test("timeline: one horizontal bar per span, based at its start and as long as it ran", () => {
  const plot = timelinePlot(SPANS);
  const traces = barTraces(plot);
  assert.equal(traces.length, plot.figure.data.length, "every trace is a bar trace");
  const bars = traces.flatMap((trace) => {
    assert.equal(trace.orientation, "h");
    assert.ok(trace.base && trace.text && trace.offset && trace.width);
    assert.equal(trace.x.length, trace.y.length);
    assert.equal(trace.base.length, trace.x.length);
    return trace.x.map((x, i) => ({ task: trace.text![i]!, lane: trace.y[i], base: trace.base![i]!, x: x as number, offset: trace.offset![i]!, trace }));
  });
  assert.equal(bars.length, SPANS.length);
  for (const span of SPANS) {
    const bar = bars.find((b) => b.task === span.task);
    assert.ok(bar, `a bar for ${span.task}`);
    assert.equal(bar.lane, span.lane);
    assert.ok(Math.abs(bar.base - (span.start - T0) / 1000) < 1e-9, `${span.task} starts at ${(span.start - T0) / 1000} s`);
    assert.ok(Math.abs(bar.x - (span.end - span.start) / 1000) < 1e-9, `${span.task} lasts ${(span.end - span.start) / 1000} s`);
  }

  const yaxis = plot.figure.layout.yaxis;
  assert.equal(yaxis.type, "category");
  assert.deepEqual([...(yaxis.categoryarray ?? [])].sort(), ["main loop", "process 4711", "thread 1", "thread 2"]);

  // Tasks in flight together on one lane get sub-rows; a task after them reuses the first.
  const offset = (task: string) => bars.find((b) => b.task === task)!.offset;
  assert.notEqual(offset("fetch a"), offset("fetch b"));
  assert.equal(offset("fetch a"), offset("fetch c"));

  // Colour by lane kind; the failed span is in its own, marked trace.
  const failed = traces.filter((trace) => trace.name.includes("failed"));
  assert.equal(failed.length, 1);
  assert.deepEqual(failed[0]!.text, ["resize"]);
  assert.equal(failed[0]!.marker.line?.color, FAILED_COLOR);
  assert.ok(failed[0]!.marker.pattern);
  for (const trace of traces) {
    const kind = (Object.keys(KIND_COLORS) as (keyof typeof KIND_COLORS)[]).find((k) => KIND_COLORS[k] === trace.marker.color);
    assert.ok(kind, `trace ${trace.name} is coloured by a lane kind`);
    for (const lane of trace.y) assert.equal(SPANS.find((span) => span.lane === lane)!.laneKind, kind);
  }
});

test("timeline: the SVG names every lane and the text table lists tasks with start and end", () => {
  const plot = timelinePlot([...SPANS, { task: "a <b> & c", lane: "thread 1", laneKind: "thread", start: T0 + 950, end: T0 + 1000 }], { title: "Fetch & hash" });
  for (const lane of ["main loop", "thread 1", "thread 2", "process 4711"]) assert.ok(plot.svg.includes(`>${lane}</text>`), `lane ${lane} is labelled`);
  assert.ok(plot.svg.includes("Fetch &amp; hash"), "markup in titles is escaped");
  assert.ok(!plot.svg.includes("<b>"), "markup in task names is escaped");

  const lines = plot.table.split("\n");
  assert.equal(lines[0], "Fetch & hash");
  const row = (task: string) => lines.find((line) => line.includes(task)) ?? assert.fail(`no row for ${task}`);
  assert.match(row("fetch b"), /\b0\.050\s+0\.350\s+0\.300\b/);
  assert.match(row("hash 1"), /^thread 1\s+thread\s+hash 1\s+0\.100\s+0\.900\s+0\.800\b/);
  assert.match(row("resize"), /1\.250.*failed: out of memory/);
  assert.match(plot.table, /7 tasks on 4 lanes/);
});

test("timeline: bad input is refused with an error that names the problem", () => {
  const good = SPANS[0]!;
  assert.throws(() => timelinePlot([]), /timelinePlot: spans is empty/);
  assert.throws(() => timelinePlot(undefined as unknown as Span[]), /timelinePlot: spans must be an array, got undefined/);
  assert.throws(() => timelinePlot([good, { ...good, task: "late", start: T0 + 10, end: T0 + 5 }]), /spans\[1\] \("late"\): end \(1700000000005\) is before start \(1700000000010\)/);
  assert.throws(() => timelinePlot([{ ...good, start: NaN }]), /spans\[0\] \("fetch a"\): start must be a finite number, got NaN/);
  assert.throws(() => timelinePlot([{ ...good, end: Infinity }]), /end must be a finite number, got Infinity/);
  assert.throws(() => timelinePlot([{ ...good, laneKind: "fiber" as Span["laneKind"] }]), /laneKind must be one of loop, thread, process, got "fiber"/);
  assert.throws(() => timelinePlot([good, { ...good, laneKind: "thread" }]), /lane "main loop" is a thread here but a loop/);
  assert.throws(() => timelinePlot([{ ...good, lane: "" }]), /lane must be a non-empty string/);
});

// ---- bar chart ----------------------------------------------------------------------------------

test("bar chart: one bar per variant with its value as label, in the unit asked for", () => {
  const entries = [
    { label: "sequential", seconds: 2.5, kind: "sequential" as const },
    { label: "async", seconds: 2.4, kind: "loop" as const },
    { label: "threads", seconds: 0.75, kind: "thread" as const, runs: 5 },
    { label: "processes", seconds: 0.9 },
  ];
  const plot = barChart(entries, { title: "Wall time" });
  const [trace, ...rest] = barTraces(plot);
  assert.equal(rest.length, 0);
  assert.ok(trace);
  assert.deepEqual(trace.x, ["sequential", "async", "threads", "processes"]);
  assert.deepEqual(trace.y, [2.5, 2.4, 0.75, 0.9]);
  assert.deepEqual(trace.text, ["2.500 s", "2.400 s", "0.750 s", "0.900 s"]);
  assert.equal(trace.textposition, "outside");
  assert.equal(plot.figure.layout.xaxis.type, "category");
  // Kinds colour bars like the timeline's lanes; entries without one take a palette colour.
  assert.deepEqual(trace.marker.color, [SEQUENTIAL_COLOR, KIND_COLORS.loop, KIND_COLORS.thread, PALETTE[3]]);
  for (const label of ["2.500 s", "0.750 s", ">threads</text>"]) assert.ok(plot.svg.includes(label), `SVG shows ${label}`);
  assert.match(plot.table, /^Wall time\nvariant\s+s\nsequential\s+2\.500\nasync\s+2\.400\nthreads\s+0\.750\nprocesses\s+0\.900$/);

  const ms = barChart([{ label: "a", seconds: 0.25 }, { label: "b", seconds: 0.0125 }], { unit: "ms" });
  assert.deepEqual(barTraces(ms)[0]!.y, [250, 12.5]);
  assert.deepEqual(barTraces(ms)[0]!.text, ["250.0 ms", "12.5 ms"]);
  assert.match(ms.table, /a\s+250\.0\nb\s+12\.5$/);
  assert.equal(ms.figure.layout.yaxis.title?.text, "wall time (ms)");
});

test("bar chart: bad input is refused with an error that names the problem", () => {
  assert.throws(() => barChart([]), /barChart: entries is empty/);
  assert.throws(() => barChart([{ label: "a", seconds: NaN }]), /entries\[0\] \("a"\): seconds must be a finite number, got NaN/);
  assert.throws(() => barChart([{ label: "a", seconds: -1 }]), /seconds must not be negative, got -1/);
  assert.throws(() => barChart([{ label: "a", seconds: 1 }, { label: "a", seconds: 2 }]), /entries\[1\] \("a"\): the label appears twice/);
  assert.throws(() => barChart([{ label: "a", seconds: 1 }], { unit: "min" as "s" }), /options\.unit must be one of s, ms, µs, us, got "min"/);
  assert.throws(() => barChart([{ seconds: 1 } as unknown as { label: string; seconds: number }]), /entries\[0\]: label must be a non-empty string, got undefined/);
});

// ---- speedup chart ------------------------------------------------------------------------------

test("speedup chart: a line per series and the ideal line y = x capped at the cores", () => {
  const points = [1, 2, 4, 8].flatMap((workers) => [
    { workers, speedup: Math.min(workers, 4) * 0.9, series: "threads" },
    { workers, speedup: Math.min(workers, 4) * 0.7, series: "processes" },
  ]);
  const plot = speedupChart(points, { cores: 4, title: "Speedup" });
  const traces = plot.figure.data.filter((trace): trace is PlotlyScatterTrace => trace.type === "scatter");
  assert.equal(traces.length, 3);
  assert.deepEqual(traces.map((trace) => trace.name), ["threads", "processes", "ideal (capped at 4 cores)"]);
  assert.deepEqual(traces[0]!.x, [1, 2, 4, 8]);
  assert.deepEqual(traces[1]!.y, [0.7, 1.4, 2.8, 2.8]);

  const ideal = traces[2]!;
  assert.equal(ideal.line?.dash, "dash");
  assert.equal(Math.max(...ideal.y), 4, "capped at the cores");
  assert.deepEqual(ideal.x, [1, 2, 4, 8]);
  assert.deepEqual(ideal.y, [1, 2, 4, 4]);
  ideal.x.forEach((x, i) => assert.equal(ideal.y[i], Math.min(x, 4)));
  assert.equal(plot.figure.layout.shapes?.[0]?.x0, 4, "the core count is marked");

  // The cap is a corner of the line even when no measurement sits at that worker count.
  const odd = speedupChart([{ workers: 1, speedup: 1 }, { workers: 6, speedup: 2.5 }], { cores: 3 });
  const oddIdeal = odd.figure.data.at(-1) as PlotlyScatterTrace;
  assert.deepEqual(oddIdeal.x, [1, 3, 6]);
  assert.deepEqual(oddIdeal.y, [1, 3, 3]);

  const lines = plot.table.split("\n");
  assert.match(lines[1]!, /^series\s+workers\s+speedup\s+ideal$/);
  assert.ok(lines.some((line) => /^threads\s+8\s+3\.60\s+4$/.test(line)));
  assert.ok(lines.some((line) => /^processes\s+2\s+1\.40\s+2$/.test(line)));
  assert.match(plot.table, /ideal = min\(workers, 4 cores\)/);
  assert.ok(plot.svg.includes(">ideal (capped at 4 cores)</text>"));
});

test("speedup chart: bad input is refused with an error that names the problem", () => {
  const ok = [{ workers: 1, speedup: 1 }];
  assert.throws(() => speedupChart([], { cores: 2 }), /speedupChart: points is empty/);
  assert.throws(() => speedupChart(ok, undefined as unknown as { cores: number }), /options with cores are required/);
  assert.throws(() => speedupChart(ok, { cores: NaN }), /options\.cores must be a whole number of at least 1 .*got NaN/);
  assert.throws(() => speedupChart(ok, { cores: 0 }), /options\.cores must be a whole number of at least 1/);
  assert.throws(() => speedupChart([{ workers: 2, speedup: NaN }], { cores: 2 }), /points\[0\]: speedup must be a finite number, got NaN/);
  assert.throws(() => speedupChart([{ workers: 0, speedup: 1 }], { cores: 2 }), /points\[0\]: workers must be a whole number of at least 1, got 0/);
  assert.throws(() => speedupChart([{ workers: 2, speedup: 1 }, { workers: 2, speedup: 1.1 }], { cores: 2 }), /series "measured" has two points at 2 workers/);
});

test("the plotly figure names its mime type as jupyterlab-plotly expects", () => {
  assert.equal(PLOTLY_MIME, "application/vnd.plotly.v1+json");
  const figure = timelinePlot(SPANS).bundle()[PLOTLY_MIME];
  assert.ok(Array.isArray(figure.data) && figure.data.length > 0);
  assert.equal(typeof figure.layout, "object");
});
