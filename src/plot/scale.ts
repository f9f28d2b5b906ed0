// Linear scales with "nice" ticks (steps of 1, 2 or 5 times a power of ten), as people read axes.

export interface LinearScale {
  /** The domain after widening it to whole ticks. */
  readonly min: number;
  readonly max: number;
  readonly ticks: readonly number[];
  /** Digits after the decimal point that show every tick exactly. */
  readonly decimals: number;
  /** Data value to pixel. */
  map(value: number): number;
  format(value: number): string;
}

function niceStep(range: number, target: number): number {
  const raw = range / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/**
 * Maps [min, max] onto the pixels [from, to] (`to` may be smaller, for y axes that grow upwards).
 * `integer` keeps ticks on whole numbers, for counts such as workers.
 */
export function linearScale(min: number, max: number, from: number, to: number, options: { target?: number; integer?: boolean } = {}): LinearScale {
  // A zero-width domain (one value, or all-zero-length spans) still needs an axis to draw on.
  if (!(max > min)) max = min + (min === 0 ? 1 : Math.abs(min) * 0.1);
  let step = niceStep(max - min, options.target ?? 6);
  if (options.integer) step = Math.max(1, Math.round(step));
  // Multiplying instead of adding keeps ticks free of accumulated rounding error.
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(i * step);
  const lo = first * step;
  const hi = last * step;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return {
    min: lo,
    max: hi,
    ticks,
    decimals,
    map: (value) => from + ((value - lo) / (hi - lo)) * (to - from),
    format: (value) => value.toFixed(decimals),
  };
}

/**
 * Digits after the point for values spread over `range`: about four significant digits, so a
 * 3 ms run and a 300 s run both print readably.
 */
export function decimalsFor(range: number): number {
  if (!(range > 0)) return 3;
  return Math.min(6, Math.max(0, 3 - Math.floor(Math.log10(range))));
}
