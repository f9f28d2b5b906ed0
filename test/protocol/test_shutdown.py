"""shutdown_request and restart: the reply echoes `restart`, the kernel exits on its own even with
timers, busy worker threads and child processes running, and leaves no process behind.

The shutdown tests launch the kernel themselves (not through KernelManager), because
KernelManager kills the kernel's whole process group when it is slow to exit, which would hide a
kernel that hangs or leaks children."""
import json
import queue
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import execute, start_kernel, text_of
from raw_client import LaunchedKernel, alive, children, still_alive

TIMEOUT = 30

# Everything a cell can leave running. A worker thread lives inside the kernel's process, so it
# is gone exactly when that process is; the `for (;;)` makes sure it cannot hold up the exit.
START_EVERYTHING = """
import { spawn, fork } from "node:child_process";
import { Worker } from "node:worker_threads";
import { writeFileSync } from "node:fs";
setInterval(() => {}, 1000);
writeFileSync("forever.cjs", "setInterval(() => {}, 1000);");
const piped = spawn("sleep", ["1000"]);
const inherited = spawn("sleep", ["1000"], { stdio: "inherit" });
const forked = fork("./forever.cjs");
const worker = new Worker("for (;;) {}", { eval: true });
await new Promise((resolve) => worker.once("online", resolve));
console.log(JSON.stringify({ kernel: process.pid, children: [piped.pid, inherited.pid, forked.pid] }));
"""


class ShutdownTest(unittest.TestCase):
    def launch(self):
        notebook_dir = tempfile.mkdtemp(prefix="parlab-nb-")
        self.addCleanup(shutil.rmtree, notebook_dir, True)
        kernel = LaunchedKernel(key=b"shutdown-test-key", cwd=notebook_dir)
        self.addCleanup(kernel.close)
        return kernel

    def run_cell(self, kernel, code):
        reply, outputs = execute(kernel.client, code, timeout=TIMEOUT)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        return text_of(outputs)

    def shut_down(self, kernel, restart):
        """Sends shutdown_request, checks the reply, and waits for the kernel process to end."""
        kc = kernel.client
        msg_id = kc.shutdown(restart=restart)
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                reply = kc.get_control_msg(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                self.fail(f"no shutdown_reply within {TIMEOUT}s")
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        self.assertEqual(reply["msg_type"], "shutdown_reply")
        self.assertEqual(reply["content"].get("status"), "ok", reply["content"])
        self.assertIs(reply["content"].get("restart"), restart, reply["content"])
        try:
            code = kernel.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.fail(f"the kernel was still running {TIMEOUT}s after its shutdown_reply")
        self.assertEqual(code, 0, kernel.stderr().decode(errors="replace"))

    def everything_running(self, kernel):
        """Starts START_EVERYTHING; returns {pid: what it is} of every process that must end with
        the kernel: the cell's children and the kernel's own SIGINT helper. (The type checker is
        a thread of the kernel process, so it ends with it.)"""
        started = json.loads(self.run_cell(kernel, START_EVERYTHING))
        self.assertEqual(started["kernel"], kernel.proc.pid)
        own = children(kernel.proc.pid)
        helper = [pid for pid, cmd in own.items() if cmd.startswith("/bin/sh -c trap")]
        self.assertEqual(len(helper), 1, f"no SIGINT helper child among {own}")
        labels = ["spawned sleep", 'spawned sleep (stdio "inherit")', "forked node child"]
        pids = {**dict(zip(started["children"], labels)), helper[0]: "SIGINT helper"}
        self.assertEqual([name for pid, name in pids.items() if not alive(pid)], [], "not running before shutdown")
        return pids

    def assert_all_gone(self, pids):
        living = still_alive(list(pids), timeout=10)
        self.assertEqual([pids[pid] for pid in living], [], "these outlived the kernel")

    def test_exits_with_a_timer_pending(self):
        kernel = self.launch()
        self.run_cell(kernel, "setInterval(() => {}, 1000);")
        self.shut_down(kernel, restart=False)

    def test_nothing_outlives_shutdown(self):
        kernel = self.launch()
        pids = self.everything_running(kernel)
        self.shut_down(kernel, restart=False)
        self.assert_all_gone(pids)

    def test_nothing_outlives_shutdown_for_restart(self):
        kernel = self.launch()
        pids = self.everything_running(kernel)
        self.shut_down(kernel, restart=True)
        self.assert_all_gone(pids)

    # "Started by a cell" includes what the cell's own children and worker threads start: a
    # shell command's processes, or a child spawned inside a worker (whose child_process module
    # is not the main thread's).
    def test_a_shell_commands_processes_do_not_outlive_shutdown(self):
        kernel = self.launch()
        shell = int(self.run_cell(kernel, 'console.log((await import("node:child_process")).exec("sleep 1000; true").pid);'))
        deadline = time.monotonic() + TIMEOUT
        while not (grandchildren := children(shell)) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(len(grandchildren), 1, "the shell did not start sleep")
        pids = {shell: "exec's shell", **{pid: "sleep started by exec's shell" for pid in grandchildren}}
        self.shut_down(kernel, restart=False)
        self.assert_all_gone(pids)

    def test_children_of_a_cells_worker_do_not_outlive_shutdown(self):
        kernel = self.launch()
        pid = int(self.run_cell(kernel, """
import { Worker } from "node:worker_threads";
const worker = new Worker(`const { spawn } = require("node:child_process");
  require("node:worker_threads").parentPort.postMessage(spawn("sleep", ["1000"]).pid);`, { eval: true });
console.log(await new Promise((resolve) => worker.once("message", resolve)));
"""))
        self.assertTrue(alive(pid))
        self.shut_down(kernel, restart=False)
        self.assert_all_gone({pid: "sleep spawned by a worker thread"})


class RestartTest(unittest.TestCase):
    def test_restart_kernel_gives_a_fresh_kernel_that_executes(self):
        notebook_dir = tempfile.mkdtemp(prefix="parlab-nb-")
        self.addCleanup(shutil.rmtree, notebook_dir, True)
        km, kc = start_kernel(cwd=notebook_dir)
        try:
            _, outputs = execute(kc, 'const before = 1;\nconst child = (await import("node:child_process")).spawn("sleep", ["1000"]);\n'
                                     'console.log(JSON.stringify({ kernel: process.pid, child: child.pid }));', timeout=TIMEOUT)
            old = json.loads(text_of(outputs))
            km.restart_kernel(now=False)
            kc.wait_for_ready(timeout=60)
            reply, outputs = execute(kc, "// @ts-nocheck\nconsole.log(process.pid, typeof before, 6 * 7);", timeout=TIMEOUT)
            self.assertEqual(reply["content"]["status"], "ok", reply["content"])
            pid, before, answer = text_of(outputs).split()
            self.assertNotEqual(int(pid), old["kernel"], "the kernel was not restarted")
            self.assertEqual((before, answer), ("undefined", "42"), "the new kernel kept old state or did not run code")
            self.assertEqual(still_alive([old["kernel"], old["child"]]), [], "the old kernel or its child is still running")
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


if __name__ == "__main__":
    unittest.main()
