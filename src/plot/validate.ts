// Input checks. Notebook cells are often run unchecked (// @ts-nocheck) or fed parsed JSON, and a
// NaN or a swapped start/end would otherwise surface as an empty or absurd chart, not an error.
import type { LaneKind, Span } from "../measure/spans.js";

const LANE_KINDS: readonly LaneKind[] = ["loop", "thread", "process"];

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint" || value === undefined || value === null) return String(value);
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}

function fail(fn: string, message: string): never {
  throw new Error(`${fn}: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function nonEmptyArray(fn: string, name: string, value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) fail(fn, `${name} must be an array, got ${describe(value)}`);
  if (value.length === 0) fail(fn, `${name} is empty: there is nothing to plot`);
  return value;
}

function finite(fn: string, where: string, field: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) fail(fn, `${where}: ${field} must be a finite number, got ${describe(value)}`);
  return value;
}

function text(fn: string, where: string, field: string, value: unknown): string {
  if (typeof value !== "string" || value === "") fail(fn, `${where}: ${field} must be a non-empty string, got ${describe(value)}`);
  return value;
}

export function validateSpans(fn: string, spans: unknown): Span[] {
  const kinds = new Map<string, LaneKind>();
  return nonEmptyArray(fn, "spans", spans).map((span, i) => {
    if (!isRecord(span)) fail(fn, `spans[${i}] must be a span object, got ${describe(span)}`);
    const task = text(fn, `spans[${i}]`, "task", span.task);
    const where = `spans[${i}] (${JSON.stringify(task)})`;
    const lane = text(fn, where, "lane", span.lane);
    const laneKind = span.laneKind;
    if (!LANE_KINDS.includes(laneKind as LaneKind)) fail(fn, `${where}: laneKind must be one of ${LANE_KINDS.join(", ")}, got ${describe(laneKind)}`);
    const start = finite(fn, where, "start", span.start);
    const end = finite(fn, where, "end", span.end);
    if (end < start) fail(fn, `${where}: end (${end}) is before start (${start})`);
    // One lane drawn in two colours would mean two different lanes were given the same name.
    const known = kinds.get(lane);
    if (known !== undefined && known !== laneKind) fail(fn, `${where}: lane ${JSON.stringify(lane)} is a ${laneKind} here but a ${known} in an earlier span`);
    kinds.set(lane, laneKind as LaneKind);
    const error = span.error;
    if (error !== undefined && typeof error !== "string") fail(fn, `${where}: error must be a string when set, got ${describe(error)}`);
    return error === undefined ? { task, lane, laneKind: laneKind as LaneKind, start, end } : { task, lane, laneKind: laneKind as LaneKind, start, end, error };
  });
}

export type BarKind = LaneKind | "sequential";
const BAR_KINDS: readonly BarKind[] = ["sequential", ...LANE_KINDS];

export interface ValidBarEntry {
  label: string;
  seconds: number;
  kind?: BarKind;
}

export function validateBarEntries(fn: string, entries: unknown): ValidBarEntry[] {
  const labels = new Set<string>();
  return nonEmptyArray(fn, "entries", entries).map((entry, i) => {
    if (!isRecord(entry)) fail(fn, `entries[${i}] must be an object with label and seconds, got ${describe(entry)}`);
    const label = text(fn, `entries[${i}]`, "label", entry.label);
    const where = `entries[${i}] (${JSON.stringify(label)})`;
    const seconds = finite(fn, where, "seconds", entry.seconds);
    if (seconds < 0) fail(fn, `${where}: seconds must not be negative, got ${seconds}`);
    // Plotly merges bars that share a category, so a repeated label would silently hide one.
    if (labels.has(label)) fail(fn, `${where}: the label appears twice; labels name the bars and must differ`);
    labels.add(label);
    const kind = entry.kind;
    if (kind !== undefined && !BAR_KINDS.includes(kind as BarKind)) fail(fn, `${where}: kind must be one of ${BAR_KINDS.join(", ")}, got ${describe(kind)}`);
    return kind === undefined ? { label, seconds } : { label, seconds, kind: kind as BarKind };
  });
}

export interface ValidSpeedupPoint {
  workers: number;
  speedup: number;
  series: string;
}

export const DEFAULT_SERIES = "measured";

export function validateSpeedupPoints(fn: string, points: unknown): ValidSpeedupPoint[] {
  const seen = new Set<string>();
  return nonEmptyArray(fn, "points", points).map((point, i) => {
    if (!isRecord(point)) fail(fn, `points[${i}] must be an object with workers and speedup, got ${describe(point)}`);
    const series = point.series === undefined ? DEFAULT_SERIES : text(fn, `points[${i}]`, "series", point.series);
    const workers = finite(fn, `points[${i}]`, "workers", point.workers);
    if (!Number.isInteger(workers) || workers < 1) fail(fn, `points[${i}]: workers must be a whole number of at least 1, got ${workers}`);
    const speedup = finite(fn, `points[${i}]`, "speedup", point.speedup);
    if (speedup <= 0) fail(fn, `points[${i}]: speedup must be positive (sequential time / parallel time), got ${speedup}`);
    const key = `${series}\u0000${workers}`;
    if (seen.has(key)) fail(fn, `points[${i}]: series ${JSON.stringify(series)} has two points at ${workers} workers`);
    seen.add(key);
    return { workers, speedup, series };
  });
}

export function validateCores(fn: string, cores: unknown): number {
  if (typeof cores !== "number" || !Number.isInteger(cores) || cores < 1) {
    fail(fn, `options.cores must be a whole number of at least 1 (pass os.availableParallelism()), got ${describe(cores)}`);
  }
  return cores;
}

export function validateTitle(fn: string, title: unknown): string | undefined {
  if (title === undefined) return undefined;
  if (typeof title !== "string") fail(fn, `options.title must be a string, got ${describe(title)}`);
  return title === "" ? undefined : title;
}
