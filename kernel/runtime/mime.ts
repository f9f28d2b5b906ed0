// Turning values into Jupyter mime bundles.
import { inspect } from "node:util";

export type MimeBundle = Record<string, unknown>;

/** Deno's convention, so values that know how to show themselves in Deno show here too. */
const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");
const MIME_KEY = /^[a-z]+\/[\w.+-]+$/i;

export function isMimeBundle(value: unknown): value is MimeBundle {
  if (typeof value !== "object" || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => MIME_KEY.test(key));
}

export function toMimeBundle(value: unknown): MimeBundle {
  if ((typeof value === "object" || typeof value === "function") && value !== null && JUPYTER_DISPLAY in value) {
    const produce = (value as Record<symbol, unknown>)[JUPYTER_DISPLAY];
    if (typeof produce === "function") {
      const bundle = produce.call(value) as unknown;
      if (isMimeBundle(bundle)) return normalizeBundle(bundle);
    }
  }
  return { "text/plain": inspect(value, { depth: 4, maxArrayLength: 100, maxStringLength: 10_000, breakLength: 100 }) };
}

/** JSON-safe: binary image data becomes base64, as the notebook format stores it. */
export function normalizeBundle(bundle: MimeBundle): MimeBundle {
  const out: MimeBundle = {};
  for (const [mime, data] of Object.entries(bundle)) {
    if (data instanceof Uint8Array) out[mime] = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
    else out[mime] = data;
  }
  return out;
}
