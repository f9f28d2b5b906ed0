// HMAC-SHA256 over the four JSON frames. The expected signature never leaves this module:
// callers learn only whether a message is authentic.
import { createHmac, timingSafeEqual } from "node:crypto";

export class Signer {
  readonly #key: Buffer;

  constructor(key: string) {
    this.#key = Buffer.from(key, "utf8");
  }

  /** Jupyter defines an empty key as "messages are not signed". */
  get signs(): boolean {
    return this.#key.length > 0;
  }

  sign(frames: readonly Buffer[]): string {
    if (!this.signs) return "";
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
