// The closing cell of every prepared example: what the article claims beside what this run
// measured. The sentence is built from the measured numbers, so it can never go stale, and the
// numbers travel in their own MIME type so tests can check them without parsing prose.
export const CLAIM_MIME = "application/vnd.parlab.claim+json";

export interface ClaimOptions {
  /** The example's tag in notebooks/README.md, e.g. "E1". */
  example: string;
  /** The article's claim, in our own words. */
  claim: string;
  /** What was measured in this run: name → number (seconds, a ratio, a count...). */
  measured: Record<string, number>;
  /** One sentence of what was measured, written from `measured`, e.g. `five 2-s tasks finished in ${s} s`. */
  summary: string;
}

export interface ClaimBundle {
  "text/markdown": string;
  "text/plain": string;
  [CLAIM_MIME]: { example: string; measured: Record<string, number> };
}

/** `display(claim({...}))`, or leave it as the cell's last expression. */
export function claim(options: ClaimOptions): { [key: symbol]: () => ClaimBundle } {
  // A missing field used to show as "undefined" in the closing cell, and a missing `measured`
  // failed with "Cannot convert undefined or null to object", naming neither claim nor field.
  if (typeof options !== "object" || options === null) throw new TypeError(`claim: expected { example, claim, measured, summary }, got ${String(options)}`);
  const where = typeof options.example === "string" && options.example !== "" ? `claim ${options.example}` : "claim";
  for (const field of ["example", "claim", "summary"] as const) {
    const value: unknown = options[field];
    if (typeof value !== "string" || value.trim() === "") throw new TypeError(`${where}: "${field}" must be a non-empty string, got ${JSON.stringify(value) ?? String(value)}`);
  }
  const given: unknown = options.measured;
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    throw new TypeError(`${where}: "measured" must be an object of name → number, got ${Array.isArray(given) ? "an array" : String(given)}`);
  }
  for (const [name, value] of Object.entries(given)) {
    if (typeof value !== "number" || !Number.isFinite(value)) throw new TypeError(`${where}: measured.${name} must be a finite number, got ${String(value)}`);
  }
  // A copy: the numbers shown are the ones checked, whatever happens to the caller's object later.
  const measured = { ...(given as Record<string, number>) };
  const bundle: ClaimBundle = {
    "text/markdown": `**${options.example} — the article:** ${options.claim}\n\n**Measured here:** ${options.summary}`,
    "text/plain": `${options.example}: ${options.claim}\nMeasured here: ${options.summary}`,
    [CLAIM_MIME]: { example: options.example, measured },
  };
  return { [Symbol.for("Jupyter.display")]: () => bundle };
}
