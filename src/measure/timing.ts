// Repeated measurements, like Python's timeit: min/median/max of several runs rather than one
// number, and `compare`, which interleaves variants so machine noise hits all of them alike.
import { SpanRecorder, type Span } from "./spans.js";
import { withRecorder } from "./recorder.js";
import { formatMs, showsAsText, textTable } from "./format.js";
import { isThenable } from "../thenable.js";
import { AbortError } from "../async.js";
import { onCellInterrupt } from "../cell-interrupt.js";

export interface TimeitOptions {
  /** Measured runs (default 5). */
  repeat?: number;
  /** Runs before measuring, not counted: JIT, caches and lazy imports settle (default 1). */
  warmup?: number;
  /** Calls per run; a run's time is divided by it, so tiny functions become measurable (default 1). */
  number?: number;
  /** Names the result and any error. */
  name?: string;
}

export type CompareOptions = Omit<TimeitOptions, "name">;

export interface Summary {
  min: number;
  median: number;
  max: number;
}

/** min, median and max of `values` (the median of an even count is the mean of the middle two). */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError("summarize: no values");
  // NaN compares false both ways, so the sort would leave it anywhere and min, median and max
  // would be wrong without a word (summarize([3, NaN, 1, 2]) gave min 3, max 2).
  const bad = values.findIndex((value) => typeof value !== "number" || Number.isNaN(value));
  if (bad >= 0) throw new TypeError(`summarize: values[${bad}] is not a number, got ${String(values[bad])}`);
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { min: sorted[0]!, median, max: sorted[sorted.length - 1]! };
}

// `repeat: 1` read "1 runs" and "1 interleaved rounds".
function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** One timed function's result; plain data, so it survives JSON.stringify. */
export class Timing implements Summary {
  readonly unit = "ms";
  readonly min: number;
  readonly median: number;
  readonly max: number;

  constructor(
    readonly name: string,
    readonly repeat: number,
    readonly warmup: number,
    readonly number: number,
    /** Milliseconds per call of each measured run, in run order. */
    readonly runsMs: number[],
  ) {
    ({ min: this.min, median: this.median, max: this.max } = summarize(runsMs));
  }

  toString(): string {
    const calls = this.number === 1 ? "" : ` × ${this.number} calls`;
    return `${this.name}: median ${formatMs(this.median)} ms (min ${formatMs(this.min)}, max ${formatMs(this.max)}; ` +
      `${plural(this.repeat, "run")}${calls}, ${this.warmup} warm-up)`;
  }
}
showsAsText(Timing);

/** One measured run of a compared variant. */
export interface Run {
  variant: string;
  /** 0-based measured round; warm-up rounds are not listed. */
  repeat: number;
  /** Epoch milliseconds, like spans. */
  start: number;
  end: number;
  /** Milliseconds per call. */
  ms: number;
  /** What the helpers recorded during this run. */
  spans: Span[];
}

export class Comparison<K extends string = string> {
  /** The variant with the lowest median. */
  readonly fastest: K;

  constructor(
    readonly repeat: number,
    readonly warmup: number,
    readonly number: number,
    readonly variants: Record<K, Timing>,
    /** Every measured run in the order they ran. */
    readonly runs: Run[],
  ) {
    const names = Object.keys(variants) as K[];
    this.fastest = names.reduce((best, name) => (variants[name].median < variants[best].median ? name : best));
  }

  toString(): string {
    const best = this.variants[this.fastest].median;
    const rows = (Object.entries(this.variants) as [string, Timing][]).map(([name, t]) => [
      name,
      formatMs(t.min),
      formatMs(t.median),
      formatMs(t.max),
      best > 0 ? (t.median / best).toFixed(2) : "-",
    ]);
    const calls = this.number === 1 ? "1 call" : `${this.number} calls`;
    return `${plural(this.repeat, "interleaved round")}, ${this.warmup} warm-up, ${calls} per run\n` +
      textTable(["variant", "min ms", "median ms", "max ms", "× fastest"], rows);
  }
}
showsAsText(Comparison);

const KNOWN = ["repeat", "warmup", "number", "name"];

function settings(where: string, options: TimeitOptions): Required<Omit<TimeitOptions, "name">> {
  if (typeof options !== "object" || options === null) throw new TypeError(`${where}: options must be an object, got ${String(options)}`);
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key) || (where === "compare" && key === "name")) {
      throw new TypeError(`${where}: unknown option "${key}" (known: repeat, warmup, number${where === "compare" ? "" : ", name"})`);
    }
  }
  const { repeat = 5, warmup = 1, number = 1 } = options;
  count(where, "repeat", repeat, 1);
  count(where, "warmup", warmup, 0);
  count(where, "number", number, 1);
  return { repeat, warmup, number };
}

function count(where: string, option: string, value: unknown, min: number): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new RangeError(`${where}: option "${option}" must be an integer >= ${min}, got ${String(value)}`);
  }
}

/** Runs `fn` `number` times, one after another, awaiting it only when it returns a promise. */
async function measure(fn: () => unknown, number: number, recorder: SpanRecorder): Promise<{ start: number; end: number; ms: number }> {
  return withRecorder(recorder, async () => {
    const t0 = performance.now();
    for (let i = 0; i < number; i++) {
      const result = fn();
      // Not awaiting synchronous results keeps a microtask per call out of tiny measurements.
      if (isThenable(result)) await result;
    }
    const t1 = performance.now();
    return { start: performance.timeOrigin + t0, end: performance.timeOrigin + t1, ms: (t1 - t0) / number };
  });
}

function failure(message: string, cause: unknown): Error {
  return new Error(`${message}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
}

/**
 * Python's timeit.repeat: `warmup` unmeasured runs, then `repeat` runs of `number` calls each.
 * `fn` may be async; calls never overlap. Spans its helpers record are discarded, not added to
 * the default recorder. Interrupting the cell that called it starts no further run: the timeit
 * rejects with an AbortError instead of calling `fn` on in the background.
 */
export async function timeit(fn: () => unknown, options: TimeitOptions = {}): Promise<Timing> {
  if (typeof fn !== "function") throw new TypeError(`timeit: expected a function to time, got ${typeof fn}`);
  const { repeat, warmup, number } = settings("timeit", options);
  const name = options.name ?? (fn.name || "timed function");
  const runs: number[] = [];
  const interrupt = watchInterrupt();
  try {
    for (let k = 0; k < warmup + repeat; k++) {
      const phase = k < warmup ? `warm-up run ${k + 1}` : `run ${k - warmup + 1} of ${repeat}`;
      interrupt.check(`timeit: "${name}" stopped before ${phase}`);
      try {
        const { ms } = await measure(fn, number, new SpanRecorder());
        if (k >= warmup) runs.push(ms);
      } catch (error) {
        throw failure(`timeit: "${name}" failed on ${phase}`, error);
      }
    }
  } finally {
    interrupt.stop();
  }
  return new Timing(name, repeat, warmup, number, runs);
}

/** Whether the calling cell was interrupted since; timeit and compare start no run after that. */
function watchInterrupt(): { check(where: string): void; stop(): void } {
  let interrupted = false;
  const stop = onCellInterrupt(() => {
    interrupted = true;
  });
  return {
    check(where) {
      if (interrupted) throw new AbortError(`${where}: the cell was interrupted`);
    },
    stop,
  };
}

/** `timeit` with a name, which titles the result. */
export function bench(name: string, fn: () => unknown, options: Omit<TimeitOptions, "name"> = {}): Promise<Timing> {
  return timeit(fn, { ...options, name });
}

/**
 * Times several variants of one workload, interleaved: each round runs every variant once, in
 * the order given, so a slow moment of the machine hurts all variants instead of one. Each run
 * collects the spans its helpers record. Like timeit, it starts no run after its cell is interrupted.
 */
export async function compare<K extends string>(variants: Record<K, () => unknown>, options: CompareOptions = {}): Promise<Comparison<K>> {
  const { repeat, warmup, number } = settings("compare", options);
  if (typeof variants !== "object" || variants === null) throw new TypeError(`compare: expected { name: () => work, ... }, got ${String(variants)}`);
  const entries = Object.entries(variants) as [K, unknown][];
  if (entries.length === 0) throw new RangeError("compare: no variants; pass { name: () => work, ... }");
  for (const [name, fn] of entries) {
    if (typeof fn !== "function") throw new TypeError(`compare: variant "${name}" is not a function (got ${typeof fn})`);
  }
  const runs: Run[] = [];
  const interrupt = watchInterrupt();
  try {
    for (let round = 0; round < warmup + repeat; round++) {
      const phase = round < warmup ? `warm-up round ${round + 1}` : `round ${round - warmup + 1} of ${repeat}`;
      for (const [name, fn] of entries) {
        interrupt.check(`compare: stopped before variant "${name}" of ${phase}`);
        const recorder = new SpanRecorder();
        try {
          const timed = await measure(fn as () => unknown, number, recorder);
          if (round >= warmup) runs.push({ variant: name, repeat: round - warmup, ...timed, spans: recorder.spans });
        } catch (error) {
          throw failure(`compare: variant "${name}" failed on ${phase}`, error);
        }
      }
    }
  } finally {
    interrupt.stop();
  }
  const timings = {} as Record<K, Timing>;
  for (const [name] of entries) {
    timings[name] = new Timing(name, repeat, warmup, number, runs.filter((run) => run.variant === name).map((run) => run.ms));
  }
  return new Comparison(repeat, warmup, number, timings, runs);
}
