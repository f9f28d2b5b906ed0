// A chart as the three outputs a notebook needs, and the hook through which display() finds them.
import type { PlotlyFigure } from "./plotly.js";
import { svgToPng } from "./raster.js";

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
  private pngCache: Buffer | undefined;

  constructor(
    /** The plotly figure, `{ data, layout }`. */
    readonly figure: PlotlyFigure,
    /** The same chart as a standalone SVG document, the source of the PNG. */
    readonly svg: string,
    /** The numbers behind the chart as an aligned text table. */
    readonly table: string,
  ) {}

  /** Rasterising takes tens of milliseconds, so the 1x image is made once and kept. */
  png(scale = 1): Buffer {
    if (scale !== 1) return svgToPng(this.svg, { scale });
    this.pngCache ??= svgToPng(this.svg);
    return this.pngCache;
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

  /** console.log(plot) prints the table rather than a wall of SVG markup. */
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
