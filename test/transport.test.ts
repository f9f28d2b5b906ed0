import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CLI, REPO } from "./helpers/jupyter.js";
import { runPythonTests } from "./helpers/unittest.js";

test("transport: tcp and ipc, binding only what the connection file names; kernel_info on control while a cell is busy", (t) => runPythonTests(t, "test_transport"));

test("a connection file the kernel cannot use is one line naming the file and the mistake, never the key", (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "parlab-connection-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const key = "k3y-that-must-not-show";
  const cases: [string, string | undefined, RegExp][] = [
    ["broken.json", `{"key": "${key}", "transport": "tcp",\n "shell_port": 1,}`, /connection file \S+broken\.json is not valid JSON \(line 2, column 18\)$/],
    ["key.json", `{"key": ["${key}"]}`, /connection file \S+key\.json: "key" must be a string$/],
    ["missing.json", undefined, /cannot read connection file \S+missing\.json: ENOENT/],
  ];
  // The kernelspec's entry, and `parlab kernel` for people.
  for (const command of [[path.join(REPO, "dist/kernel/run-kernel.cjs")], [CLI, "kernel"]]) {
    for (const [name, text, expected] of cases) {
      const file = path.join(dir, name);
      if (text !== undefined) writeFileSync(file, text);
      const run = spawnSync(process.execPath, [...command, file], { encoding: "utf8", timeout: 30_000 });
      assert.equal(run.status, 1, `${command.join(" ")} ${name}: ${run.stderr}`);
      const lines = run.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, /^parlab kernel: /);
      assert.match(lines[0]!, expected);
      assert.ok(!run.stderr.includes(key.slice(0, 6)) && !run.stdout.includes(key.slice(0, 6)), run.stderr);
    }
  }
});
