// A minimal SVG writer: enough for rectangles, lines, paths and text, with escaping done once here.

export type Attrs = Readonly<Record<string, string | number | undefined>>;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] ?? c);
}

/** Two decimals are below what a pixel can show and keep the markup short. */
function num(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function attrs(values: Attrs): string {
  let out = "";
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    out += ` ${key}="${typeof value === "number" ? num(value) : escapeXml(value)}"`;
  }
  return out;
}

export interface TextStyle {
  size?: number;
  anchor?: "start" | "middle" | "end";
  weight?: "normal" | "bold";
  fill?: string;
  /** Degrees, about the text's anchor point. */
  rotate?: number;
  /** Centres the text vertically on `y` instead of sitting it on the baseline. */
  middle?: boolean;
}

export class SvgDocument {
  private readonly defs: string[] = [];
  private readonly body: string[] = [];

  constructor(readonly width: number, readonly height: number, private readonly fontFamily: string, private readonly fontSize: number) {}

  element(tag: string, values: Attrs): void {
    this.body.push(`<${tag}${attrs(values)}/>`);
  }

  rect(x: number, y: number, width: number, height: number, values: Attrs = {}): void {
    this.element("rect", { x, y, width: Math.max(0, width), height: Math.max(0, height), ...values });
  }

  line(x1: number, y1: number, x2: number, y2: number, values: Attrs = {}): void {
    this.element("line", { x1, y1, x2, y2, ...values });
  }

  polyline(points: readonly (readonly [number, number])[], values: Attrs = {}): void {
    this.element("polyline", { points: points.map(([x, y]) => `${num(x)},${num(y)}`).join(" "), fill: "none", ...values });
  }

  circle(cx: number, cy: number, r: number, values: Attrs = {}): void {
    this.element("circle", { cx, cy, r, ...values });
  }

  text(x: number, y: number, content: string, style: TextStyle = {}): void {
    if (content === "") return;
    const size = style.size ?? this.fontSize;
    // resvg's support for dominant-baseline varies by version; a fixed shift of a third of the
    // font size centres Latin text well enough and renders the same everywhere.
    const dy = style.middle ? size * 0.35 : 0;
    const values: Attrs = {
      x,
      y: y + dy,
      "font-size": size,
      "text-anchor": style.anchor && style.anchor !== "start" ? style.anchor : undefined,
      "font-weight": style.weight === "bold" ? "bold" : undefined,
      fill: style.fill,
      transform: style.rotate ? `rotate(${num(style.rotate)} ${num(x)} ${num(y)})` : undefined,
    };
    this.body.push(`<text${attrs(values)}>${escapeXml(content)}</text>`);
  }

  /** Raw markup for <defs>, e.g. a hatch pattern; the caller owns its correctness. */
  define(markup: string): void {
    this.defs.push(markup);
  }

  toString(): string {
    const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${num(this.width)}" height="${num(this.height)}" viewBox="0 0 ${num(this.width)} ${num(this.height)}" font-family="${escapeXml(this.fontFamily)}" font-size="${num(this.fontSize)}">`;
    const defs = this.defs.length > 0 ? `<defs>${this.defs.join("")}</defs>` : "";
    return `${head}${defs}<rect width="100%" height="100%" fill="#ffffff"/>${this.body.join("")}</svg>`;
  }
}
