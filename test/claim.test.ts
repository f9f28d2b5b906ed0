// claim: the closing cell of a prepared example. Its bundle is checked here; the notebooks'
// tests check the claims an executed notebook shows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CLAIM_MIME, claim, type ClaimOptions } from "../src/notebook/claim.js";

const bundleOf = (shown: ReturnType<typeof claim>) => shown[Symbol.for("Jupyter.display")]!();

test("claim shows the article's claim beside this run's numbers, in markdown, text and its own MIME type", () => {
  const measured = { seconds: 2.04, ratio: 4.9 };
  const bundle = bundleOf(claim({ example: "E1", claim: "five sleeps overlap", measured, summary: "five 2-s tasks finished in 2.04 s" }));
  assert.equal(bundle["text/markdown"], "**E1 — the article:** five sleeps overlap\n\n**Measured here:** five 2-s tasks finished in 2.04 s");
  assert.equal(bundle["text/plain"], "E1: five sleeps overlap\nMeasured here: five 2-s tasks finished in 2.04 s");
  assert.deepEqual(bundle[CLAIM_MIME], { example: "E1", measured: { seconds: 2.04, ratio: 4.9 } });
  measured.seconds = NaN;
  assert.equal(bundle[CLAIM_MIME].measured.seconds, 2.04, "the numbers shown are the ones that were checked");
});

test("claim names the field that is missing or wrong instead of showing undefined", () => {
  const claimAny = claim as (options: unknown) => ReturnType<typeof claim>;
  const good: ClaimOptions = { example: "E2", claim: "c", measured: { n: 1 }, summary: "s" };
  assert.throws(() => claimAny({ example: "E2", claim: "c", summary: "s" }), /^TypeError: claim E2: "measured" must be an object of name → number, got undefined$/);
  assert.throws(() => claimAny({ ...good, measured: [1] }), /claim E2: "measured" must be an object of name → number, got an array/);
  assert.throws(() => claimAny({ ...good, summary: undefined }), /^TypeError: claim E2: "summary" must be a non-empty string, got undefined$/);
  assert.throws(() => claimAny({ ...good, example: "" }), /^TypeError: claim: "example" must be a non-empty string, got ""$/);
  assert.throws(() => claimAny({ ...good, claim: 42 }), /claim E2: "claim" must be a non-empty string, got 42/);
  assert.throws(() => claimAny(undefined), /claim: expected \{ example, claim, measured, summary \}, got undefined/);
  assert.throws(() => claimAny({ ...good, measured: { n: NaN } }), /claim E2: measured.n must be a finite number, got NaN/);
});
