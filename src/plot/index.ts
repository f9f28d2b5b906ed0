// Charts for spans and timings, each shown by display(plot) as plotly JSON + PNG + text.
export { timelinePlot, type TimelineOptions } from "./timeline.js";
export { barChart, type BarChartOptions, type BarEntry, type BarKind, type TimeUnit } from "./bar-chart.js";
export { speedupChart, idealSpeedup, type SpeedupOptions, type SpeedupPoint } from "./speedup.js";
export { Plot, plotBundle, PLOTLY_MIME, type PlotBundle } from "./plot.js";
export type { PlotlyFigure } from "./plotly.js";
export type { VegaLiteSpec } from "./render.js";
export { FONT_PACKAGE } from "./fonts.js";
