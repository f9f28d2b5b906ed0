// One look shared by the PNG and the plotly figure, so a notebook shows the same colours whichever
// renderer the viewer picks.
import type { LaneKind } from "../measure/spans.js";

/** Okabe-Ito colours: told apart by colour-blind readers and in greyscale prints. */
export const KIND_COLORS: Readonly<Record<LaneKind, string>> = {
  loop: "#0072B2",
  thread: "#E69F00",
  process: "#009E73",
};

/** Text drawn on a bar of that colour: white where it contrasts, dark on the light orange. */
export const KIND_TEXT_COLORS: Readonly<Record<LaneKind, string>> = {
  loop: "#FFFFFF",
  thread: "#222222",
  process: "#FFFFFF",
};

export const SEQUENTIAL_COLOR = "#7F7F7F";
export const FAILED_COLOR = "#D55E00";
export const IDEAL_COLOR = "#555555";
export const PALETTE: readonly string[] = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999933"];

export const KIND_LABELS: Readonly<Record<LaneKind, string>> = {
  loop: "event loop",
  thread: "worker thread",
  process: "child process",
};

export const INK = "#222222";
export const MUTED = "#555555";
export const GRID = "#E3E3E3";
export const AXIS = "#888888";
export const BAND = "#F6F6F6";

export const FONT_SIZE = 12;
export const TITLE_SIZE = 16;
export const DEFAULT_WIDTH = 820;

/**
 * For layout decisions made before vega runs, such as slanting bar labels. DejaVu Sans averages a
 * little under 0.62 em per character, so this errs towards too wide.
 */
export function textWidth(text: string, size = FONT_SIZE): number {
  return [...text].length * size * 0.62;
}
