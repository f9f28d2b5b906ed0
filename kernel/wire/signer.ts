// HMAC-SHA256 over the four JSON frames. The expected signature never leaves this module:
// callers learn only whether a message is authentic.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";

export class Signer {
  /** Prepared once: from raw bytes, every message would convert the key again. */
  readonly #key: KeyObject | undefined;

  constructor(key: string) {
    this.#key = key.length > 0 ? createSecretKey(Buffer.from(key, "utf8")) : undefined;
  }

  /** Jupyter defines an empty key as "messages are not signed". */
  get signs(): boolean {
    return this.#key !== undefined;
  }

  /** Strings are signed as their UTF-8 bytes, as they are sent. */
  sign(frames: readonly (Buffer | string)[]): string {
    if (!this.#key) return "";
    const hmac = createHmac("sha256", this.#key);
    for (const frame of frames) hmac.update(frame);
    return hmac.digest("hex");
  }

  /** Constant-time check; a missing or malformed signature is simply not authentic. */
  verify(signature: Buffer, frames: readonly Buffer[]): boolean {
    if (!this.signs) return true;
    const expected = Buffer.from(this.sign(frames), "utf8");
    return signature.length === expected.length && timingSafeEqual(signature, expected);
  }
}
