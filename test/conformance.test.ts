// The official kernel conformance suite (Debian's python3-jupyter-kernel-test) against parlab.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { PYTHON, REPO, jupyterSandbox } from "./helpers/jupyter.js";

test("jupyter_kernel_test: every conformance test passes", () => {
  const sandbox = jupyterSandbox();
  try {
    const result = spawnSync(PYTHON, ["-m", "unittest", "-v", "test_parlab_kernel"], {
      cwd: path.join(REPO, "test/conformance"),
      env: sandbox.env,
      encoding: "utf8",
      timeout: 300_000,
    });
    const report = `${result.stdout}\n${result.stderr}`;
    assert.equal(result.status, 0, report);
    const ran = /Ran (\d+) tests?/.exec(report);
    assert.ok(ran && Number(ran[1]) >= 12, `expected the whole suite (12 tests) to run:\n${report}`);
    // A skipped test is not a pass.
    assert.doesNotMatch(report, /skipped/, report);
  } finally {
    sandbox.cleanup();
  }
});
