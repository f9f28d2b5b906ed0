// Jupyter's multipart framing: [identities..., "<IDS|MSG>", signature, header, parent, metadata, content, buffers...].
import type { KernelMessage } from "@jupyterlab/services";
import type { Signer } from "./signer.js";

export const DELIMITER = Buffer.from("<IDS|MSG>");

// Cells run in this realm and may replace a built-in (`Array.prototype.map`, `JSON.stringify`).
// Every reply goes out through here, the one reporting that mistake included, so this code keeps
// the originals and plain loops: it used to fail with them, and the kernel fell silent.
const { parse: parseJson, stringify: toJson } = JSON;

function part<T>(items: readonly T[], start: number, end = items.length): T[] {
  const taken: T[] = [];
  for (let i = start; i < end; i++) taken[taken.length] = items[i]!;
  return taken;
}

export type JSONObject = Record<string, unknown>;

/** A message as the kernel handles it: JSON parts parsed, routing identities kept for the reply. */
export interface WireMessage {
  identities: Buffer[];
  header: KernelMessage.IHeader;
  parent_header: KernelMessage.IHeader | JSONObject;
  metadata: JSONObject;
  content: JSONObject;
  buffers: Buffer[];
}

export type DecodeResult =
  | { ok: true; message: WireMessage }
  | { ok: false; reason: string };

export function decode(frames: readonly Buffer[], signer: Signer): DecodeResult {
  let split = -1;
  for (let i = 0; i < frames.length && split < 0; i++) if (frames[i]!.equals(DELIMITER)) split = i;
  if (split < 0) return { ok: false, reason: "no <IDS|MSG> delimiter" };
  if (frames.length < split + 6) return { ok: false, reason: `expected 5 frames after the delimiter, got ${frames.length - split - 1}` };
  const signature = frames[split + 1]!;
  const signed = part(frames, split + 2, split + 6);
  if (!signer.verify(signature, signed)) return { ok: false, reason: "bad or missing signature" };
  let header: unknown, parent: unknown, metadata: unknown, content: unknown;
  try {
    header = parseJson(signed[0]!.toString("utf8"));
    parent = parseJson(signed[1]!.toString("utf8"));
    metadata = parseJson(signed[2]!.toString("utf8"));
    content = parseJson(signed[3]!.toString("utf8"));
  } catch (error) {
    return { ok: false, reason: `invalid JSON: ${(error as Error).message}` };
  }
  if (!isObject(header) || typeof header.msg_type !== "string" || typeof header.msg_id !== "string") {
    return { ok: false, reason: "header lacks msg_type or msg_id" };
  }
  if (!isObject(parent) || !isObject(metadata) || !isObject(content)) {
    return { ok: false, reason: "parent_header, metadata and content must be JSON objects" };
  }
  return {
    ok: true,
    message: {
      identities: part(frames, 0, split),
      header: header as unknown as KernelMessage.IHeader,
      parent_header: parent,
      metadata,
      content,
      buffers: part(frames, split + 6),
    },
  };
}

/** A message to send: binary buffers may be any bytes. */
export type OutgoingMessage = Omit<WireMessage, "buffers"> & { buffers?: readonly Uint8Array[] };

/** Frames for zeromq; its send takes strings as UTF-8. */
export type Frame = Buffer | string;

/**
 * The JSON parts and the signature go to zeromq as strings: it copies a string into its message
 * once, while a Buffer over 128 bytes is shared with it and handed back to this thread after the
 * send, a wake-up of this thread for every message.
 */
export function encode(message: OutgoingMessage, signer: Signer): Frame[] {
  const signed = [toJson(message.header), toJson(message.parent_header), toJson(message.metadata), toJson(message.content)];
  const frames: Frame[] = part(message.identities, 0);
  frames[frames.length] = DELIMITER;
  frames[frames.length] = signer.sign(signed);
  for (const json of signed) frames[frames.length] = json;
  for (const bytes of message.buffers ?? []) frames[frames.length] = asBuffer(bytes);
  return frames;
}

/**
 * The same bytes as a Buffer, not copied. Bytes that cross between threads are kept this way:
 * a copy would come from Node's 8 KB buffer pool, and a post copies the whole pool each time.
 */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function isObject(value: unknown): value is JSONObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
