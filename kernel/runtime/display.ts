// display(), updateDisplay() and clearOutput(): rich output from anywhere in a cell, including
// from its timers and callbacks after the cell finished (it lands in the cell that started them).
import { currentCell } from "../interpreter/cell-context.js";
import type { Frontend } from "../interpreter/frontend.js";
import { isMimeBundle, normalizeBundle, sendableJson, toMimeBundle, type MimeBundle } from "./mime.js";

export interface DisplayOptions {
  /** Give an id to update this output later with updateDisplay(). */
  displayId?: string;
  metadata?: Record<string, unknown>;
}

export interface DisplayApi {
  display(value: unknown, options?: DisplayOptions): void;
  updateDisplay(displayId: string, value: unknown, options?: Omit<DisplayOptions, "displayId">): void;
  clearOutput(options?: { wait?: boolean }): void;
}

export function createDisplayApi(frontend: Frontend): DisplayApi {
  const bundleOf = (value: unknown): MimeBundle => isMimeBundle(value) ? normalizeBundle(value) : toMimeBundle(value);
  const send = (msgType: string, content: Record<string, unknown>) => frontend.publish(currentCell(), msgType, content);
  return {
    display(value, options = {}) {
      if (options === null || typeof options !== "object") throw new TypeError(`display: options must be an object such as { displayId: "x" }, not ${String(options)}`);
      const displayId: unknown = options.displayId;
      if (displayId !== undefined && (typeof displayId !== "string" || displayId === "")) {
        throw new TypeError(`display: options.displayId must be a non-empty string, not ${JSON.stringify(displayId) ?? String(displayId)}`);
      }
      send("display_data", {
        data: bundleOf(value),
        metadata: sendableJson("display: options.metadata", options.metadata ?? {}),
        transient: options.displayId ? { display_id: options.displayId } : {},
      });
    },
    updateDisplay(displayId, value, options = {}) {
      if (typeof displayId !== "string" || displayId === "") throw new TypeError("updateDisplay: the first argument must be the displayId given to display()");
      send("update_display_data", { data: bundleOf(value), metadata: sendableJson("updateDisplay: options.metadata", options.metadata ?? {}), transient: { display_id: displayId } });
    },
    clearOutput(options = {}) {
      send("clear_output", { wait: Boolean(options.wait) });
    },
  };
}
