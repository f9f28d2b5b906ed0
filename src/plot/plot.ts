// A chart as the three outputs a notebook needs, and the hook through which display() finds them.
import type { PlotlyFigure } from "./plotly.js";
import { renderChart, type Rendered, type VegaLiteSpec } from "./render.js";

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/**
 * Live chart where the jupyterlab-plotly extension is installed, PNG wherever a notebook is opened
 * untrusted or exported, text in terminals. No text/html or image/svg+xml: viewers would prefer
 * those over the PNG and then show a blank chart once the notebook is shared.
 */
export interface PlotBundle {
  "application/vnd.plotly.v1+json": PlotlyFigure;
  /** Base64, as the notebook format stores binary output. */
  "image/png": string;
  "text/plain": string;
}

/** The kernel (and Deno's) convention: display(value) asks the value for its own mime bundle. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display");
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

export class Plot {
  #rendered: Rendered | undefined;

  constructor(
    /** The plotly figure, `{ data, layout }`. */
    readonly figure: PlotlyFigure,
    /** The same chart as a Vega-Lite spec, the source of the SVG and the PNG. */
    readonly spec: VegaLiteSpec,
    /** The numbers behind the chart as an aligned text table. */
    readonly table: string,
  ) {}

  /** Rendering takes tens of milliseconds (the first one loads vega), so it is done once and kept. */
  #render(): Rendered {
    this.#rendered ??= renderChart(this.spec);
    return this.#rendered;
  }

  /** The chart as vega draws it, the SVG the PNG is rasterised from. */
  get svg(): string {
    return this.#render().svg;
  }

  png(scale = 1): Buffer {
    return scale === 1 ? this.#render().png : renderChart(this.spec, scale).png;
  }

  bundle(): PlotBundle {
    return {
      [PLOTLY_MIME]: this.figure,
      "image/png": this.png().toString("base64"),
      "text/plain": this.table,
    };
  }

  [JUPYTER_DISPLAY](): PlotBundle {
    return this.bundle();
  }

  /** console.log(plot) prints the table rather than the figure and the spec. */
  [INSPECT](): string {
    return this.table;
  }

  toString(): string {
    return this.table;
  }
}

/** The mime bundle to hand to display() or to write into a notebook. */
export function plotBundle(plot: Plot): PlotBundle {
  return plot.bundle();
}
