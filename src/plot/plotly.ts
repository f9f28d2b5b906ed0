// The subset of plotly's figure schema these charts emit, typed so a misspelt key fails to compile.

export interface PlotlyAxis {
  title?: { text: string };
  type?: "linear" | "category";
  range?: [number, number];
  rangemode?: "tozero" | "normal";
  zeroline?: boolean;
  dtick?: number;
  categoryorder?: "array";
  categoryarray?: string[];
  autorange?: boolean | "reversed";
  automargin?: boolean;
  showgrid?: boolean;
}

export interface PlotlyBarTrace {
  type: "bar";
  name: string;
  orientation?: "h" | "v";
  x: (number | string)[];
  y: (number | string)[];
  /** Where each horizontal bar starts; `x` is then its length. */
  base?: number[];
  width?: number[];
  offset?: number[];
  text?: string[];
  textposition?: "inside" | "outside" | "auto" | "none";
  insidetextanchor?: "start" | "middle" | "end";
  cliponaxis?: boolean;
  hovertext?: string[];
  hoverinfo?: "text" | "name+text";
  marker: {
    color: string | string[];
    line?: { color: string; width: number };
    pattern?: { shape: "/" | "x" | ""; fgcolor?: string; solidity?: number };
  };
  showlegend?: boolean;
}

export interface PlotlyScatterTrace {
  type: "scatter";
  name: string;
  mode: "lines" | "markers" | "lines+markers";
  x: number[];
  y: number[];
  line?: { color: string; width?: number; dash?: "solid" | "dash" | "dot" };
  marker?: { color: string; size?: number };
  hovertemplate?: string;
}

export type PlotlyTrace = PlotlyBarTrace | PlotlyScatterTrace;

export interface PlotlyShape {
  type: "line";
  xref: "x";
  yref: "paper";
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  line: { color: string; width: number; dash: "dot" | "dash" };
}

export interface PlotlyAnnotation {
  text: string;
  x: number;
  y: number;
  xref: "x";
  yref: "paper";
  showarrow: false;
  xanchor?: "left" | "center" | "right";
  yanchor?: "bottom" | "top";
}

export interface PlotlyLayout {
  title?: { text: string };
  xaxis: PlotlyAxis;
  yaxis: PlotlyAxis;
  barmode?: "overlay" | "group";
  height?: number;
  showlegend?: boolean;
  legend?: { orientation: "h" | "v"; x?: number; y?: number; xanchor?: "left" | "center" | "right"; yanchor?: "bottom" | "top" };
  uniformtext?: { mode: "hide" | "show"; minsize: number };
  shapes?: PlotlyShape[];
  annotations?: PlotlyAnnotation[];
  margin?: { l?: number; r?: number; t?: number; b?: number };
}

/** What `application/vnd.plotly.v1+json` holds. */
export interface PlotlyFigure {
  data: PlotlyTrace[];
  layout: PlotlyLayout;
}
