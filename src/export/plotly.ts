// Interactive plots without a network: plotly.js is inlined once per page that has a plot, each
// figure sits beside its div as inert JSON, and one small script draws them all.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { escapeHtml, jsonForScript } from "./escape.js";

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

let plotlySource: string | undefined;

/**
 * plotly.min.js (~4.8 MB), read once per process. Inside a <script>, only "</script" could end the
 * element early; "<\/script" means the same in the strings and regexes where it can occur.
 */
export function plotlyScript(): string {
  plotlySource ??= readFileSync(createRequire(import.meta.url).resolve("plotly.js-dist-min/plotly.min.js"), "utf8").replace(/<\/script/gi, "<\\/script");
  return plotlySource;
}

/**
 * The plot's div, its figure as JSON, and (when the output has one) the PNG in a <noscript>, so a
 * reader who blocks scripts still sees the chart. The noscript's markup is also what the drawing
 * script falls back to if plotly.js throws.
 */
export function plotlyOutputHtml(figure: unknown, id: string, fallbackImg: string | undefined): string {
  const spec = typeof figure === "string" ? safeParse(figure) : figure;
  return (
    `<div class="plotly-output">` +
    `<div class="plotly-plot" id="${escapeHtml(id)}" data-spec="${escapeHtml(id)}-spec"></div>` +
    `<script type="application/json" id="${escapeHtml(id)}-spec">${jsonForScript(spec)}</script>` +
    (fallbackImg === undefined ? "" : `<noscript>${fallbackImg}</noscript>`) +
    `</div>`
  );
}

/** Draws every plot of the page; runs after plotly.js. */
export const DRAW_PLOTS_SCRIPT = `(function () {
  var plots = document.querySelectorAll("div.plotly-plot[data-spec]");
  function fail(div, error) {
    var noscript = div.parentNode.querySelector("noscript");
    if (noscript) div.innerHTML = noscript.textContent;
    var note = document.createElement("div");
    note.className = "plot-error";
    note.textContent = "Interactive plot unavailable: " + (error && error.message ? error.message : String(error));
    div.appendChild(note);
  }
  for (var i = 0; i < plots.length; i++) {
    var div = plots[i];
    try {
      if (typeof Plotly === "undefined") throw new Error("plotly.js did not load");
      var spec = JSON.parse(document.getElementById(div.getAttribute("data-spec")).textContent) || {};
      var config = Object.assign({ responsive: true, displaylogo: false }, spec.config);
      var drawn = Plotly.newPlot(div, { data: spec.data || [], layout: spec.layout || {}, frames: spec.frames, config: config });
      if (drawn && drawn.catch) drawn.catch(fail.bind(null, div));
    } catch (error) {
      fail(div, error);
    }
  }
})();`;

function safeParse(text: string): unknown {
  try { return JSON.parse(text); } catch { return { data: [], layout: { title: { text: "unreadable plotly figure" } } }; }
}
