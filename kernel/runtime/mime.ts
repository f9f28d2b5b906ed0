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

/**
 * JSON-safe: binary image data becomes base64, as the notebook format stores it. Anything else
 * the notebook format would refuse is an error here, in the cell that made it, rather than an
 * output the frontend cannot show or a notebook that no longer validates.
 */
export function normalizeBundle(bundle: MimeBundle): MimeBundle {
  const out: MimeBundle = {};
  for (const [mime, data] of Object.entries(bundle)) {
    if (data instanceof Uint8Array) out[mime] = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
    else if (typeof data === "string") out[mime] = data;
    else if (isJsonMime(mime)) out[mime] = sendableJson(`mime bundle: "${mime}"`, data);
    // The notebook format's multiline form: lines that keep their "\n", joined as nbformat reads them.
    else if (Array.isArray(data) && data.every((line) => typeof line === "string")) out[mime] = data.join("");
    else throw new TypeError(`mime bundle: "${mime}" must be a string or bytes, not ${describeType(data)} (only JSON types such as application/json take other values)`);
  }
  return out;
}

/**
 * The value, if the message can carry it. Found out only when the message is written, a circular
 * object or a BigInt failed far from the cell's line, and from a timer, outside the cell.
 */
export function sendableJson<T>(what: string, value: T): T {
  try {
    JSON.stringify(value);
  } catch (error) {
    throw new TypeError(`${what} cannot be sent as JSON: ${(error as Error).message}`);
  }
  return value;
}

function isJsonMime(mime: string): boolean {
  return /^application\/(.+\+)?json$/i.test(mime);
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array of non-strings";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
