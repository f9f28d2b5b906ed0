// SVG to PNG without a browser or network: resvg is a Rust renderer shipped as a prebuilt binary.
import { Resvg, type ResvgRenderOptions } from "@resvg/resvg-js";
import { FONT_FAMILY_NAME, plotFonts, type FontSource } from "./fonts.js";

export function resvgFontOptions(fonts: FontSource): NonNullable<ResvgRenderOptions["font"]> {
  if (!fonts.system) {
    // Skipping the system scan makes every machine draw the same pixels, and is faster.
    return { loadSystemFonts: false, fontFiles: fonts.files, defaultFontFamily: FONT_FAMILY_NAME };
  }
  // resvg-js maps every generic family (our "sans-serif") to the default family, and falls back
  // to the first font it finds when the system has no DejaVu Sans.
  return { loadSystemFonts: true, defaultFontFamily: FONT_FAMILY_NAME };
}

/** Renders at `scale` times the SVG's size (2 gives sharp text on high-density screens). */
export function svgToPng(svg: string, options: { scale?: number; fonts?: FontSource } = {}): Buffer {
  const scale = options.scale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`svgToPng: scale must be a positive number, got ${scale}`);
  const resvg = new Resvg(svg, {
    font: resvgFontOptions(options.fonts ?? plotFonts()),
    fitTo: { mode: "zoom", value: scale },
    background: "#ffffff",
    logLevel: "off",
  });
  return resvg.render().asPng();
}
