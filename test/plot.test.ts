// The plotting module: bundles viewers can show, PNGs that really contain the chart, plotly JSON
// that matches the data, text tables with the numbers, and clear errors on bad input.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { inflateSync } from "node:zlib";
import { toMimeBundle } from "../kernel/runtime/mime.js";
import type { Span } from "../src/measure/spans.js";
import { FONT_PACKAGE, PLOTLY_MIME, barChart, plotBundle, speedupChart, timelinePlot, type Plot } from "../src/plot/index.js";
import { FONT_FAMILY_NAME, findFonts } from "../src/plot/fonts.js";
import type { PlotlyBarTrace, PlotlyScatterTrace } from "../src/plot/plotly.js";
import { svgToPng } from "../src/plot/raster.js";
import { renderChart } from "../src/plot/render.js";
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

/** Pixels that are not the white background, and how many different colours they come in. */
function inked(image: Image): { share: number; colors: number } {
  const colors = new Set<number>();
  let count = 0;
  for (let i = 0; i < image.pixels.length; i += 4) {
    const rgb = image.pixels.readUIntBE(i, 3);
    if (rgb === 0xffffff) continue;
    count++;
    colors.add(rgb);
  }
  return { share: count / (image.width * image.height), colors: colors.size };
}

/** The rows a Vega-Lite spec (or one of its layers) carries inline, wherever they sit. */
function specRows(spec: unknown): Record<string, unknown>[] {
  if (typeof spec !== "object" || spec === null) return [];
  const node = spec as { data?: { values?: Record<string, unknown>[] }; layer?: unknown[] };
  return [...(node.data?.values ?? []), ...(node.layer ?? []).flatMap(specRows)];
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
  const { share, colors } = inked(image);
  assert.ok(share > 0.1 && share < 0.9, `a chart, not a blank or flooded canvas (${(share * 100).toFixed(1)}% inked)`);
  assert.ok(colors > 20, `bars, text and its anti-aliasing give many colours (${colors})`);

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

test("every chart is a Vega-Lite spec in the bundled font, which vega renders without a warning", () => {
  const plots: [string, Plot][] = [
    ["Timeline", timelinePlot(SPANS, { title: "Timeline" })],
    ["Bars", barChart([{ label: "sequential", seconds: 2 }, { label: "a label long enough to slant", seconds: 0.7 }], { title: "Bars", unit: "ms" })],
    ["Speedup", speedupChart([{ workers: 1, speedup: 1 }, { workers: 4, speedup: 2.5 }], { cores: 2, title: "Speedup" })],
  ];
  for (const [title, plot] of plots) {
    const config = (plot.spec as { config?: { font?: string } }).config;
    assert.ok(config?.font?.startsWith(FONT_FAMILY_NAME), `${title}: vega asks for the font resvg is given`);
    const rendered = renderChart(plot.spec);
    assert.deepEqual(rendered.warnings, [], `${title}: vega-lite and vega log nothing`);
    assert.equal(rendered.svg, plot.svg, `${title}: rendering is deterministic`);
    assert.ok(!/<image|href="http/.test(plot.svg), `${title}: nothing to fetch`);
    assert.ok(plot.svg.includes(`font-family="${FONT_FAMILY_NAME}`), `${title}: text is set in ${FONT_FAMILY_NAME}`);
    assert.match(plot.svg, new RegExp(`font-weight="bold"[^>]*>${title}</text>`), `${title}: the title is drawn in bold`);
  }
});

test("importing the plots and building a chart load neither vega, vega-lite nor resvg", () => {
  // A resolve hook in a fresh process refuses the three packages: the import and building a
  // chart's figure, spec and table must not need them.
  const hooks = `export async function resolve(specifier, context, next) {
    if (/^(vega|vega-lite|@resvg\\/resvg-js)$/.test(specifier)) throw new Error("loaded " + specifier);
    return next(specifier, context);
  }`;
  const script = `
    import { register } from "node:module";
    register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hooks)}));
    const { timelinePlot } = await import(${JSON.stringify(new URL("../src/plot/index.js", import.meta.url).href)});
    const plot = timelinePlot(${JSON.stringify(SPANS)});
    console.log(plot.figure.data.length > 0, plot.table.includes("fetch a"), typeof plot.spec);`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(out.trim(), "true true object");
});

test("the declarations a notebook's type check reads for the plots never reach vega-lite's", () => {
  // Built next to this test: dist/src/plot. Follows relative imports from index.d.ts.
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    assert.ok(!/from "vega/.test(text), `${file} imports vega's types`);
    for (const [, specifier] of text.matchAll(/from "(\.[^"]+)\.js"/g)) visit(resolve(dirname(file), `${specifier}.d.ts`));
  };
  visit(fileURLToPath(new URL("../src/plot/index.d.ts", import.meta.url)));
  assert.ok(seen.size > 3, "the walk found the plot modules");
});

test("a spec vega-lite rejects comes back as an error, and the renderer keeps working", () => {
  assert.throws(() => renderChart({ mark: "no such mark", data: { values: [] } }), /^Error: plot: rendering the PNG failed: ./);
  assert.throws(() => timelinePlot(SPANS).png(0), /scale must be a positive number up to 8, got 0/);
  // At 100 times its size, a chart's pixels took gigabytes and ended the kernel.
  assert.throws(() => timelinePlot(SPANS).png(100), /scale must be a positive number up to 8, got 100/);
  assert.ok(decodePng(timelinePlot(SPANS).png()).width > 0);
});

// ---- timeline -----------------------------------------------------------------------------------

test("timeline PNG: every lane is labelled, also with 17 lanes; a long title is cut, not the chart", () => {
  const crowded = [{ task: "main", lane: "main loop", laneKind: "loop" as const, start: 0, end: 100 },
    ...Array.from({ length: 16 }, (_, i) => ({ task: `task ${i}`, lane: `thread ${i + 2}`, laneKind: "thread" as const, start: i * 3, end: i * 3 + 50 }))];
  const labelsDrawn = (svg: string) => new Set([...svg.matchAll(/>(thread \d+|main loop)</g)].map((match) => match[1])).size;
  // vega used to thin the labels to its default tick count: every other lane had none.
  assert.equal(labelsDrawn(renderChart(timelinePlot(crowded).spec).svg), 17);
  const titled = renderChart(timelinePlot(crowded, { title: "T".repeat(300) }).spec).svg;
  assert.ok(titled.includes("…"), "the title is cut short");
  assert.equal(labelsDrawn(titled), 17);
});

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
  assert.ok(plot.svg.includes(">seconds since the first task started</text>"), "the time axis says where it starts");
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

test("timeline: the spec and the PNG have a row per lane, a bar per task, failed tasks marked", () => {
  const plot = timelinePlot(SPANS);
  const params = (plot.spec as { params?: { name: string; value: unknown }[] }).params;
  assert.deepEqual(params?.find((param) => param.name === "laneNames")?.value, ["main loop", "thread 1", "thread 2", "process 4711"], "lanes in kind order");
  const bars = specRows(plot.spec).filter((row) => "task" in row);
  assert.deepEqual(bars.map((bar) => bar.task).sort(), SPANS.map((span) => span.task).sort(), "one bar per task");
  for (const span of SPANS) {
    const bar = bars.find((row) => row.task === span.task)!;
    assert.equal(bar.lane, span.lane);
    assert.equal(bar.outcome, span.error === undefined ? "ok" : "failed");
    assert.ok(Math.abs((bar.start as number) - (span.start - T0) / 1000) < 1e-9, `${span.task} starts where it started`);
    assert.ok(Math.abs((bar.end as number) - (span.end - T0) / 1000) < 1e-9, `${span.task} ends where it ended`);
  }
  // Overlapping tasks on one lane sit on different sub-rows, inside the lane's row.
  const row = (task: string) => bars.find((bar) => bar.task === task)!;
  assert.ok((row("fetch a").bottom as number) <= (row("fetch b").top as number));
  assert.ok((row("fetch a").top as number) >= 0 && (row("fetch b").bottom as number) <= 1);

  // The task names wide bars have room for are written on them.
  for (const task of ["fetch a", "hash 1", "resize"]) assert.ok(plot.svg.includes(`>${task}</text>`), `${task} is labelled`);

  const failed = countColor(decodePng(plot.png()), FAILED_COLOR);
  const clean = countColor(decodePng(timelinePlot(SPANS.filter((span) => span.error === undefined)).png()), FAILED_COLOR);
  assert.ok(failed > 100, `the failed task is outlined (${failed} pixels)`);
  assert.equal(clean, 0, "no outline without a failure");
  assert.ok(plot.svg.includes(">failed</text>"), "the legend says what the outline means");
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
  for (const label of ["2.500 s", "0.750 s", ">threads</text>", ">wall time (s)</text>"]) assert.ok(plot.svg.includes(label), `SVG shows ${label}`);
  const image = decodePng(plot.png());
  for (const color of [SEQUENTIAL_COLOR, KIND_COLORS.loop, KIND_COLORS.thread, PALETTE[3]!]) assert.ok(countColor(image, color) > 1000, `a ${color} bar is drawn`);
  assert.match(plot.table, /^Wall time\nvariant\s+s\nsequential\s+2\.500\nasync\s+2\.400\nthreads\s+0\.750\nprocesses\s+0\.900$/);

  const ms = barChart([{ label: "a", seconds: 0.25 }, { label: "b", seconds: 0.0125 }], { unit: "ms" });
  assert.deepEqual(barTraces(ms)[0]!.y, [250, 12.5]);
  assert.deepEqual(barTraces(ms)[0]!.text, ["250.0 ms", "12.5 ms"]);
  assert.match(ms.table, /a\s+250\.0\nb\s+12\.5$/);
  assert.equal(ms.figure.layout.yaxis.title?.text, "wall time (ms)");
  assert.ok(ms.svg.includes(">wall time (ms)</text>") && ms.svg.includes(">250.0 ms</text>"), "the PNG shows the unit");
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
  for (const label of [">ideal (capped at 4 cores)</text>", ">threads</text>", ">processes</text>", ">4 cores</text>", ">workers</text>"]) assert.ok(plot.svg.includes(label), `SVG shows ${label}`);
  const image = decodePng(plot.png());
  assert.ok(countColor(image, PALETTE[0]!) > 200 && countColor(image, PALETTE[1]!) > 200, "both measured lines are drawn");
  const idealRows = specRows(plot.spec).filter((row) => row.series === "ideal (capped at 4 cores)");
  assert.deepEqual(idealRows.map((row) => [row.workers, row.speedup]), [[1, 1], [2, 2], [4, 4], [8, 4]], "the PNG's ideal line bends at the cores");
  assert.ok(!speedupChart(points, { cores: 8 }).svg.includes(">8 cores</text>"), "no core marker when the cores are not in range");
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
