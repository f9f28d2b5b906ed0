"""Output goes to the cell that produced it: console output of timers, promises, worker threads
and child processes a cell started is a stream message whose parent is *that* cell's
execute_request, even after the cell went idle and while a later cell runs."""
import json
import os
import unittest

from harness import KernelTestCase
from iopub_log import IopubLog

B_CODE = 'console.log("b-own")'  # the later cell: it must get exactly its own output


def opening(gate):
    """Code of a later cell B that lets A's background work go on: A's output is then certainly
    produced after B started, when B is the cell that ran last (the hard case for routing)."""
    return f'import {{ writeFileSync }} from "node:fs";\nwriteFileSync("{gate}", "");\n{B_CODE}'


def sh_waiting_for(gate, command):
    return f"while [ ! -e {gate} ]; do sleep 0.02; done; {command}"


class OutputRouting(KernelTestCase):
    """One kernel for all: every check selects messages by the msg_id of its own cells."""

    def setUp(self):
        self.log = IopubLog(self.kc)

    def run_cell(self, code):
        msg_id, reply = self.log.run(code)
        errors = [m["content"] for m in self.log.outputs(msg_id, ("error",))]
        self.assertEqual(reply["content"]["status"], "ok", f"{code!r} failed: {errors}")
        return msg_id

    def wait_for_texts(self, msg_id, expected):
        """Waits until every expected text is part of the cell's stream, then checks equality:
        nothing lost, nothing extra."""
        arrived = self.log.wait_for(lambda: all(t in self.log.text(msg_id, n) for n, t in expected.items()))
        self.assertTrue(arrived, f"missing output; cell got {self.log.streams(msg_id)}; all streams: {self.log.all_text()}")
        for name, text in expected.items():
            self.assertEqual(self.log.text(msg_id, name), text, f"{name} of the cell")

    def assert_only_in(self, msg_id, *markers):
        for marker in markers:
            elsewhere = [(p, n, t) for p, n, t in self.log.all_text() if marker in t and p != msg_id]
            self.assertEqual(elsewhere, [], f"{marker!r} landed in another cell")

    def check_late(self, code_a, expected, code_b=B_CODE):
        """Cell A starts background work and returns; cell B runs; A's output must reach A only."""
        a = self.run_cell(code_a)
        b = self.run_cell(code_b)
        self.wait_for_texts(a, expected)
        self.assertEqual(self.log.streams(b), [("stdout", "b-own\n")], "the later cell got someone else's output")
        self.assert_only_in(a, *[line for text in expected.values() for line in text.splitlines()])
        return a, b

    def write_file(self, name, text):
        path = os.path.join(self.workdir, name)
        with open(path, "w") as f:
            f.write(text)
        return json.dumps(path)

    # Timers and promises

    def test_timer_output_after_idle(self):
        self.check_late('setTimeout(() => console.log("late"), 300);', {"stdout": "late\n"})

    def test_output_while_a_later_cell_runs(self):
        # The gate makes it certain: A's callbacks print after A's idle and before B's idle,
        # i.e. while B is the cell that ran last.
        a = self.run_cell("""
let openGate!: () => void;
const gate = new Promise<void>((r) => { openGate = r; });
const lateDone = gate.then(async () => {
  console.log("promise-late");
  await new Promise((r) => setTimeout(r, 5));
  console.log("timer-late");
  setImmediate(() => console.log("immediate-late"));
  queueMicrotask(() => console.log("microtask-late"));
  process.nextTick(() => console.error("tick-late"));
  await new Promise((r) => setTimeout(r, 20));
});""")
        b = self.run_cell('openGate(); await lateDone; console.log("b-own")')
        self.wait_for_texts(a, {"stdout": "promise-late\ntimer-late\nmicrotask-late\nimmediate-late\n", "stderr": "tick-late\n"})
        self.assertEqual(self.log.streams(b), [("stdout", "b-own\n")])
        late = self.log.index_of_text(a, "promise-late")
        self.assertLess(self.log.index_of_idle(a), late)
        self.assertLess(late, self.log.index_of_idle(b))

    def test_timers_of_two_cells_interleave(self):
        # Both tickers start only when cell C opens the gate, so every tick fires while C runs.
        self.run_cell("let openTicks!: () => void;\nconst ticksGate = new Promise<void>((r) => { openTicks = r; });")
        ticker = """const {name}Done = ticksGate.then(() => new Promise<void>((done) => {{
  let i = 0;
  const t = setInterval(() => {{ console.log("{name}" + i++); if (i === 5) {{ clearInterval(t); done(); }} }}, {ms});
}}));"""
        a = self.run_cell(ticker.format(name="tickA", ms=7))
        b = self.run_cell(ticker.format(name="tickB", ms=11))
        c = self.run_cell('openTicks(); await Promise.all([tickADone, tickBDone]); console.log("c-own")')
        self.wait_for_texts(a, {"stdout": "".join(f"tickA{i}\n" for i in range(5))})
        self.wait_for_texts(b, {"stdout": "".join(f"tickB{i}\n" for i in range(5))})
        self.assertEqual(self.log.streams(c), [("stdout", "c-own\n")])

    def test_uncaught_error_in_a_timer(self):
        a, _ = self.check_late("""let openBoom!: () => void;
new Promise<void>((r) => { openBoom = r; }).then(() => setTimeout(() => { throw new Error("late-boom"); }, 0));""",
                               {}, f"openBoom();\n{B_CODE}")
        self.assertTrue(self.log.wait_for(self.log.has_text(a, "stderr", "late-boom")), self.log.all_text())
        self.assert_only_in(a, "late-boom")
        self.run_cell("1")  # the kernel survived

    def test_display_from_a_timer(self):
        a = self.run_cell("""let openDisplay!: () => void;
const lateShown = new Promise<void>((r) => { openDisplay = r; }).then(() => new Promise<void>((r) => {
  setTimeout(() => { display({ "text/html": "<b>late-display</b>" }); r(); }, 5);
}));""")
        self.run_cell(f"openDisplay(); await lateShown;\n{B_CODE}")
        shown = lambda: [m for m in self.log.messages if m["msg_type"] == "display_data" and "late-display" in json.dumps(m["content"])]
        self.assertTrue(self.log.wait_for(shown))
        self.assertEqual([IopubLog.parent(m) for m in shown()], [a])

    # Worker threads

    def test_worker_with_eval_code(self):
        a = self.run_cell("""import { Worker } from "node:worker_threads";
const w1 = new Worker(`
  const { parentPort } = require("node:worker_threads");
  parentPort.once("message", () => {
    console.log("worker-out");
    console.error("worker-err");
    parentPort.postMessage("worker-msg");
  });
`, { eval: true });
w1.on("message", (m) => console.log("parent got " + m));
w1.on("exit", () => console.error("worker-exit"));""")
        b = self.run_cell(f'w1.postMessage("go");\n{B_CODE}')
        # The worker's stdout and its messages travel on different ports: no order between them.
        self.assertTrue(self.log.wait_for(lambda: "worker-exit" in self.log.text(a, "stderr") and self.log.text(a).count("\n") >= 2), self.log.all_text())
        self.assertEqual(sorted(self.log.text(a).splitlines()), ["parent got worker-msg", "worker-out"])
        self.assertEqual(sorted(self.log.text(a, "stderr").splitlines()), ["worker-err", "worker-exit"])
        self.assertEqual(self.log.streams(b), [("stdout", "b-own\n")])
        self.assert_only_in(a, "worker-out", "worker-err", "worker-msg")

    def test_worker_from_a_js_file(self):
        path = self.write_file("worker.js", """const { parentPort } = require("node:worker_threads");
parentPort.once("message", () => {
  console.log("file-worker-out");
  setTimeout(() => console.error("file-worker-late"), 50);
});
""")
        self.check_late(f'import {{ Worker }} from "node:worker_threads";\nconst w2 = new Worker({path});',
                        {"stdout": "file-worker-out\n", "stderr": "file-worker-late\n"}, f'w2.postMessage("go");\n{B_CODE}')

    # Child processes

    def test_spawn_with_inherited_stdio(self):
        command = sh_waiting_for("gate-spawn", "echo from-child; echo err-child >&2")
        self.check_late(f"""import {{ spawn }} from "node:child_process";
const c1 = spawn("sh", ["-c", "{command}"], {{ stdio: "inherit" }});
c1.on("close", (code) => console.log("child closed " + code));""",
                        {"stdout": "from-child\nchild closed 0\n", "stderr": "err-child\n"}, opening("gate-spawn"))

    def test_spawn_with_inherit_in_a_stdio_array(self):
        command = sh_waiting_for("gate-array", "echo array-out; echo array-err >&2")
        self.check_late(f"""import {{ spawn }} from "node:child_process";
spawn("sh", ["-c", "{command}"], {{ stdio: ["ignore", 1, "inherit"] }});""",
                        {"stdout": "array-out\n", "stderr": "array-err\n"}, opening("gate-array"))

    def test_fork_with_default_stdio(self):
        path = self.write_file("forked.js", """const { existsSync } = require("node:fs");
const poll = setInterval(() => {
  if (!existsSync("gate-fork")) return;
  clearInterval(poll);
  console.log("from-fork");
  console.error("fork-err");
}, 20);
""")
        self.check_late(f'import {{ fork }} from "node:child_process";\nfork({path});',
                        {"stdout": "from-fork\n", "stderr": "fork-err\n"}, opening("gate-fork"))

    def test_exec_sync_inherits_stderr(self):
        # Synchronous children: their output is the cell's before its idle.
        a = self.run_cell("""import { execSync, spawnSync } from "node:child_process";
execSync("echo hi >&2");
spawnSync("sh", ["-c", "echo sync-out; echo sync-err >&2"], { stdio: "inherit" });
execSync("echo captured").toString().trim()""")
        self.assertEqual(self.log.streams(a), [("stderr", "hi\n"), ("stdout", "sync-out\n"), ("stderr", "sync-err\n")])
        results = [m["content"]["data"]["text/plain"] for m in self.log.outputs(a, ("execute_result",))]
        self.assertEqual(results, ["'captured'"], "execSync returns stdout instead of printing it")

    def test_multibyte_characters_split_across_two_cells_children(self):
        # A's child writes the first byte of "é" and waits; B's child writes "café" whole; then
        # A's child writes the second byte. Each cell must get its own characters intact.
        a = self.run_cell(r"""import { spawn } from "node:child_process";
spawn("sh", ["-c", "printf '\\303'; while [ ! -e utf8-go ]; do sleep 0.02; done; printf '\\251\\n'"], { stdio: "inherit" });""")
        b = self.run_cell(r"""import { once } from "node:events";
import { writeFileSync } from "node:fs";
await new Promise((r) => setTimeout(r, 300)); // lets the kernel read A's first byte
const c2 = spawn("sh", ["-c", "printf 'caf\\303\\251\\n'"], { stdio: "inherit" });
await once(c2, "close");
writeFileSync("utf8-go", "");""")
        self.assertTrue(self.log.wait_for(lambda: "\n" in self.log.text(a)), self.log.all_text())
        self.assertEqual(self.log.text(b), "café\n")
        self.assertEqual(self.log.text(a), "é\n")

    # Order within a cell

    def test_stdout_and_stderr_keep_their_order(self):
        a = self.run_cell('console.log("a"); console.error("b"); console.log("c")')
        self.assertEqual(self.log.streams(a), [("stdout", "a\n"), ("stderr", "b\n"), ("stdout", "c\n")])

    def test_streams_keep_their_place_among_rich_outputs(self):
        a = self.run_cell('console.log("before"); display("shown"); console.error("after"); 42')
        kinds = [(m["msg_type"], m["content"].get("name")) for m in self.log.outputs(a)]
        self.assertEqual(kinds, [("stream", "stdout"), ("display_data", None), ("stream", "stderr"), ("execute_result", None)])


if __name__ == "__main__":
    unittest.main()
