// The renderer thread behind render.ts: Vega-Lite spec, compiled by vega-lite, drawn as SVG by
// headless vega (no canvas needed), rasterised by resvg.
import { workerData } from "node:worker_threads";
import type { TopLevelSpec } from "vega-lite";
import { DIED, REPLIED, type RenderReply, type RenderRequest, type WorkerData } from "./render.js";

/** Not in vega's typings; vl-convert replaces `width` the same way. */
interface TextMetrics {
  width(item: { fontSize?: number; limit?: number }, text: unknown): number;
}

/** DejaVu Sans averages about 0.6 em per character. */
const EM_PER_CHAR = 0.6;

// Imported on the first request, inside its try: a missing or broken package (resvg's native
// binary, say) then comes back as that request's error instead of a thread that never answers.
async function load() {
  const [vega, vegaLite, raster] = await Promise.all([import("vega"), import("vega-lite"), import("./raster.js")]);
  // Without a canvas vega sizes text at 0.8 em per character, which leaves wide gaps around
  // labels and legends in DejaVu Sans. Capping at the item's limit keeps vega's own truncation
  // working (it compares candidates against the limit) and its layout sized to what it draws.
  (vega as unknown as { textMetrics: TextMetrics }).textMetrics.width = (item, text) => {
    const width = [...String(text ?? "").trim()].length * (item.fontSize ?? 11) * EM_PER_CHAR;
    return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
  };
  return { vega, vegaLite, svgToPng: raster.svgToPng };
}

let libraries: ReturnType<typeof load> | undefined;

async function render({ id, spec, scale }: RenderRequest): Promise<RenderReply> {
  const { vega, vegaLite, svgToPng } = await (libraries ??= load());
  const warnings: string[] = [];
  const logger = vega.logger(vega.Warn, undefined, (_method: string, _level: string, input: ArrayLike<unknown>) => {
    warnings.push(Array.from(input, String).join(" "));
  });
  const view = new vega.View(vega.parse(vegaLite.compile(spec as TopLevelSpec, { logger }).spec), { renderer: "none", logger });
  try {
    const svg = await view.toSVG();
    return { id, svg, png: svgToPng(svg, { scale }), warnings };
  } finally {
    view.finalize();
  }
}

function signal(cell: Int32Array, value: number): void {
  Atomics.store(cell, 0, value);
  Atomics.notify(cell, 0);
}

const { port, started } = workerData as WorkerData;
const pending = new Set<Int32Array>();

// A crash mid-render must wake the waiting thread rather than leave it blocked until its timeout.
process.on("exit", () => {
  for (const done of pending) signal(done, DIED);
});

port.on("message", async (request: RenderRequest) => {
  pending.add(request.done);
  let reply: RenderReply;
  try {
    reply = await render(request);
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  // The reply must be on the port before the waiting thread wakes up and reads it.
  port.postMessage(reply);
  pending.delete(request.done);
  signal(request.done, REPLIED);
});

signal(started, 1);
