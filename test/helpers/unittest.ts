// Runs a Python unittest module (tests through Debian's jupyter_client) and reports each of its
// tests as a node:test subtest, so `npm test` shows and counts every one.
import type { TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { PYTHON, REPO, jupyterSandbox } from "./jupyter.js";

export async function runPythonTests(t: TestContext, module: string, options: { timeoutMs?: number } = {}): Promise<void> {
  const sandbox = jupyterSandbox();
  try {
    const result = spawnSync(PYTHON, ["-m", "unittest", "-v", module], {
      cwd: path.join(REPO, "test/protocol"),
      env: { ...sandbox.env, PYTHONPATH: path.join(REPO, "test/protocol") },
      encoding: "utf8",
      timeout: options.timeoutMs ?? 600_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const report = `${result.stdout}\n${result.stderr}`;
    const lines = [...report.matchAll(/^(test_\w+) \(([\w.]+)\)(?:\n.*?)?\s*\.\.\. (ok|FAIL|ERROR|skipped.*|expected failure)$/gm)];
    assert.ok(lines.length > 0, `no test results from ${module}:\n${report}`);
    for (const [, name, where, outcome] of lines) {
      const parts = where!.split(".");
      const testClass = parts.at(-1) === name ? parts.at(-2) : parts.at(-1);
      await t.test(`${testClass}.${name}`, () => {
        assert.ok(outcome === "ok", `${outcome}\n${failureText(report, name!)}`);
      });
    }
    assert.equal(result.status, 0, report);
  } finally {
    sandbox.cleanup();
  }
}

function failureText(report: string, name: string): string {
  const start = report.indexOf(`: ${name} (`);
  if (start < 0) return report.slice(-4000);
  const end = report.indexOf("\n======", start + 1);
  return report.slice(start, end < 0 ? undefined : end);
}
