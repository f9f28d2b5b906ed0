"""parlab's pools inside the kernel: what their workers print lands in the cell that asked for the
work, re-running the cell that makes a pool replaces the old pool instead of piling up workers,
a crashed worker is an error in its cell and the pool goes on, and nothing outlives a restart."""
import json
import os
import time
import unittest

from harness import KernelTestCase, iopub_until_idle, text_of, wait_reply
from raw_client import children, still_alive

TIMEOUT = 60


def threads_of(pid):
    with open(f"/proc/{pid}/status") as status:
        return int(next(line for line in status if line.startswith("Threads:")).split()[1])


class CellsTestCase(KernelTestCase):
    def run_in_cell(self, code, cell_id=None):
        """Runs `code` as a frontend would: JupyterLab names the cell in the request's metadata."""
        content = {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                   "allow_stdin": False, "stop_on_error": True}
        msg = self.kc.session.msg("execute_request", content, metadata={"cellId": cell_id} if cell_id else {})
        self.kc.shell_channel.send(msg)
        msg_id = msg["header"]["msg_id"]
        reply = wait_reply(self.kc, msg_id, TIMEOUT)
        return reply, iopub_until_idle(self.kc, msg_id, TIMEOUT)

    def run_ok_in_cell(self, code, cell_id=None):
        reply, outputs = self.run_in_cell(code, cell_id)
        errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
        self.assertEqual(reply["content"]["status"], "ok", f"{code!r} failed: {errors}")
        return outputs

    def make_thread_and_process_pool(self, name, max_workers):
        """A cell that makes `name`: a ThreadPool and a ProcessPool, for checks both must pass."""
        self.run_ok_in_cell('import { ProcessPool, ThreadPool } from "parlab";\n'
                            f"const {name} = [new ThreadPool({{ maxWorkers: {max_workers} }}), new ProcessPool({{ maxWorkers: {max_workers} }})];", cell_id=name)

    def kernel_pid(self):
        return int(text_of(self.run_ok_in_cell("console.log(process.pid)")))

    def worker_processes(self, pid):
        return {child: cmd for child, cmd in children(pid).items() if "worker-task" in cmd or "tinypool" in cmd}


class PoolsInTheKernel(CellsTestCase):
    def test_worker_output_lands_in_the_asking_cell_in_order(self):
        self.run_ok_in_cell('import { ThreadPool, ProcessPool } from "parlab";\n'
                            "const printers = new ThreadPool({ maxWorkers: 2, labelOutput: true });\n"
                            "const children = new ProcessPool({ maxWorkers: 1 });", cell_id="make-printers")
        outputs = self.run_ok_in_cell(
            'console.log("before");\n'
            "await printers.map((n: number) => { console.log(`line ${n}a`); console.log(`line ${n}b`); return n; }, [1, 2]);\n"
            'await children.apply((word: string) => { console.log(word); console.error("to stderr"); }, ["from a child"]);\n'
            'console.log("after");', cell_id="use-printers")
        lines = text_of(outputs).splitlines()
        self.assertEqual(lines[0], "before")
        self.assertEqual(lines[-1], "after")
        worker_lines = lines[1:5]
        for n in (1, 2):
            mine = [line for line in worker_lines if line.endswith((f"line {n}a", f"line {n}b"))]
            self.assertEqual(len(mine), 2, lines)
            self.assertTrue(mine[0].endswith(f"line {n}a") and mine[1].endswith(f"line {n}b"), f"a task's lines out of order: {lines}")
            self.assertRegex(mine[0], r"^\[thread \d+\] line", "labelOutput: true prefixes the lane")
        self.assertEqual(lines[5], "from a child")
        self.assertEqual(text_of(outputs, "stderr"), "to stderr\n")

    def test_a_threads_output_reaches_the_frontend_while_its_task_runs(self):
        self.check_output_is_live("Thread")

    def test_a_processs_output_reaches_the_frontend_while_its_task_runs(self):
        self.check_output_is_live("Process")

    def check_output_is_live(self, kind):
        # The task prints, then waits (20 s at most) for a file this client writes only after it
        # has seen that line on IOPUB. Shown only when the task ended, the line could not be seen
        # before the wait ran out, and the task would return false.
        import os
        answer = os.path.join(self.workdir, f"{kind}-seen-the-line")
        code = (f'import {{ {kind} }} from "parlab";\n'
                f"const waiter = new {kind}((file: string) => {{\n"
                '  const fs = require("node:fs");\n'
                '  console.log("worker: waiting for the frontend");\n'
                "  const gate = new Int32Array(new SharedArrayBuffer(4));\n"
                "  for (let i = 0; i < 200 && !fs.existsSync(file); i++) Atomics.wait(gate, 0, 0, 100);\n"
                "  return fs.existsSync(file);\n"
                f"}}, [{json.dumps(answer)}]).start();\n"
                "await waiter.join()")
        content = {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                   "allow_stdin": False, "stop_on_error": True}
        msg = self.kc.session.msg("execute_request", content)
        self.kc.shell_channel.send(msg)
        msg_id = msg["header"]["msg_id"]
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            self.assertNotEqual(message["msg_type"], "execute_result", f"the cell ended before its {kind}'s line arrived")
            if message["msg_type"] == "stream" and "waiting for the frontend" in message["content"]["text"]:
                break
        with open(answer, "w"):
            pass
        reply = wait_reply(self.kc, msg_id, TIMEOUT)
        outputs = iopub_until_idle(self.kc, msg_id, TIMEOUT)
        self.assertEqual(reply["content"]["status"], "ok", outputs)
        results = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(results, ["true"], f"the {kind} saw the file the client wrote after reading its line")

    def test_a_timer_a_task_left_behind_prints_in_the_cell_that_asked_for_the_task(self):
        # The worker used to print for whichever task it ran when the timer fired: the next cell's.
        self.run_ok_in_cell('import { ThreadPool, ProcessPool } from "parlab";\n'
                            "const lone = new ThreadPool({ maxWorkers: 1 });\nconst loneChild = new ProcessPool({ maxWorkers: 1 });", cell_id="make-lone")
        for pool in ("lone", "loneChild"):
            with self.subTest(pool):
                started = os.path.join(self.workdir, f"{pool}-busy-started")
                # The timer prints once the next task has started on the same worker; that task
                # waits until the line is printed.
                leave = (f"await {pool}.submit((started: string) => {{ const fs = require('node:fs'); "
                         "const timer = setInterval(() => { if (fs.existsSync(started)) { clearInterval(timer); console.log('late line'); fs.writeFileSync(started + '.done', ''); } }, 10); "
                         f"return 1; }}, {json.dumps(started)}).result();")
                content = {"code": leave, "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}
                asked = self.kc.session.msg("execute_request", content, metadata={"cellId": f"leave-{pool}"})
                self.kc.shell_channel.send(asked)
                asked_id = asked["header"]["msg_id"]
                self.assertEqual(wait_reply(self.kc, asked_id, TIMEOUT)["content"]["status"], "ok")
                busy = self.kc.execute(f"await {pool}.submit(async (started: string) => {{ const fs = require('node:fs'); fs.writeFileSync(started, ''); "
                                       "while (!fs.existsSync(started + '.done')) await new Promise((r) => setTimeout(r, 10)); return 2; }, " + f"{json.dumps(started)}).result();")
                printed = {asked_id: "", busy: ""}
                busy_idle = False
                deadline = time.monotonic() + TIMEOUT
                while not (busy_idle and "late line" in printed[asked_id] + printed[busy]) and time.monotonic() < deadline:
                    msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
                    parent = msg["parent_header"].get("msg_id")
                    if msg["msg_type"] == "stream" and parent in printed:
                        printed[parent] += msg["content"]["text"]
                    busy_idle = busy_idle or (parent == busy and msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle")
                self.assertIn("late line", printed[asked_id])
                self.assertNotIn("late line", printed[busy])

    def test_display_in_a_worker_says_where_display_works(self):
        reply, _ = self.run_in_cell('import { Thread, ProcessPool } from "parlab";\n'
                                    "await new Thread(() => { require('parlab').display('x'); }, []).start().join();")
        self.assertIn("display works in the notebook's own thread, not in a pool's worker", reply["content"]["evalue"])

    def test_interrupting_a_cell_stops_the_pool_tasks_it_submitted(self):
        # The task notes its process id, then blocks for 10 minutes. Interrupting the cell must end
        # that process (as Ctrl-C ends a multiprocessing pool's children), and the pool then runs
        # the next cell's task instead of keeping its only worker busy.
        import os
        pid_file = os.path.join(self.workdir, "busy-task-pid")
        self.run_ok_in_cell('import { ProcessPool } from "parlab";\n'
                            "const stoppable = new ProcessPool({ maxWorkers: 1 });", cell_id="make-stoppable")
        code = ("await stoppable.apply((file: string) => {\n"
                '  require("node:fs").writeFileSync(file, String(process.pid));\n'
                "  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600_000);\n"
                f"}}, [{json.dumps(pid_file)}]);")
        content = {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                   "allow_stdin": False, "stop_on_error": True}
        msg = self.kc.session.msg("execute_request", content, metadata={"cellId": "busy-task"})
        self.kc.shell_channel.send(msg)
        def noted_pid():
            try:
                with open(pid_file) as noted:
                    return int(noted.read())
            except (FileNotFoundError, ValueError):
                return None

        deadline = time.monotonic() + TIMEOUT
        while (busy := noted_pid()) is None:
            self.assertLess(time.monotonic(), deadline, "the task never started")
            time.sleep(0.05)
        self.km.interrupt_kernel()
        reply = wait_reply(self.kc, msg["header"]["msg_id"], TIMEOUT)
        iopub_until_idle(self.kc, msg["header"]["msg_id"], TIMEOUT)
        self.assertEqual(reply["content"]["ename"], "InterruptError")
        self.assertEqual(still_alive([busy], timeout=30), [], "the interrupted cell's task kept its process")
        outputs = self.run_ok_in_cell("await stoppable.apply((x: number) => x + 1, [41])", cell_id="after-interrupt")
        self.assertEqual([m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"], ["42"])

    def test_rerunning_a_process_pool_cell_fifty_times_leaves_one_runs_workers(self):
        pid = self.kernel_pid()
        code = ('import { ProcessPool } from "parlab";\n'
                "const rerun = new ProcessPool({ maxWorkers: 2 });\n"
                "await rerun.map((x: number) => x * 2, [1, 2, 3, 4]);")
        earlier = set(self.worker_processes(pid))  # other tests' idle pools share this kernel
        self.run_ok_in_cell(code, cell_id="process-pool")
        after_one = {p: cmd for p, cmd in self.worker_processes(pid).items() if p not in earlier}
        self.assertEqual(len(after_one), 2, f"one run should leave its 2 workers: {children(pid)}")
        for _ in range(49):
            self.run_ok_in_cell(code, cell_id="process-pool")
        after_fifty = {p: cmd for p, cmd in self.worker_processes(pid).items() if p not in earlier}
        self.assertLessEqual(len(after_fifty), 2, f"workers piled up: {after_fifty}")
        self.assertEqual(still_alive(list(after_one)), [], "the first run's workers outlived its pool")

    def test_rerunning_a_thread_pool_cell_fifty_times_leaves_one_runs_threads(self):
        pid = self.kernel_pid()
        code = ('import { ThreadPool } from "parlab";\n'
                "const threads = new ThreadPool({ maxWorkers: 2 });\n"
                "await threads.map((x: number) => x * 2, [1, 2, 3, 4]);")
        self.run_ok_in_cell(code, cell_id="thread-pool")
        after_one = threads_of(pid)
        for _ in range(49):
            self.run_ok_in_cell(code, cell_id="thread-pool")
        # Each leaked pool would hold two more threads; a few spare allow for libuv's own.
        self.assertLessEqual(threads_of(pid), after_one + 4)

    def test_a_pool_replaced_by_a_rerun_says_so_when_used(self):
        self.run_ok_in_cell('import { ThreadPool } from "parlab";\nconst first = new ThreadPool();\n'
                            "(globalThis as any).kept = first;", cell_id="replaced")
        self.run_ok_in_cell('import { ThreadPool } from "parlab";\nconst first = new ThreadPool();', cell_id="replaced")
        reply, outputs = self.run_in_cell("(globalThis as any).kept.submit(() => 1);")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("the cell that made it ran again", reply["content"]["evalue"])

    def test_without_a_cell_id_the_same_code_is_the_same_cell(self):
        # jupyter_client 7 (nbclient, jupyter console) sends no cell id.
        pid = self.kernel_pid()
        earlier = set(self.worker_processes(pid))
        code = ('import { ProcessPool } from "parlab";\nconst anonymous = new ProcessPool({ maxWorkers: 1 });\n'
                "await anonymous.apply(() => 1, []);")
        for _ in range(5):
            self.run_ok_in_cell(code)
        self.assertLessEqual(len(set(self.worker_processes(pid)) - earlier), 1, children(pid))

    def test_a_crashed_child_is_an_error_in_its_cell_and_the_pool_goes_on(self):
        self.run_ok_in_cell('import { ProcessPool, ThreadPool } from "parlab";\n'
                            "const fragile = new ProcessPool({ maxWorkers: 1 });\nconst fragileThreads = new ThreadPool({ maxWorkers: 1 });",
                            cell_id="fragile")
        reply, _ = self.run_in_cell("await fragile.apply(() => process.exit(3), []);")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "WorkerCrashError", reply["content"])
        self.assertRegex(reply["content"]["evalue"], r"^the process running the function #\d+ exited with code 3$")
        reply, _ = self.run_in_cell('await fragileThreads.apply(() => { throw new RangeError("bad n"); }, []);')
        self.assertEqual((reply["content"]["ename"], reply["content"]["evalue"]), ("RangeError", "bad n"))
        self.assertTrue(any("shipped.js:1:" in line for line in reply["content"]["traceback"]), reply["content"]["traceback"])
        self.assertTrue(any("in thread" in line for line in reply["content"]["traceback"]), reply["content"]["traceback"])
        outputs = self.run_ok_in_cell("console.log(await fragile.apply((x: number) => x + 1, [41]), await fragileThreads.apply(() => 7, []));")
        self.assertEqual(text_of(outputs), "42 7\n")

    def test_a_childs_uncaught_error_is_its_tasks_error_in_its_cell_and_printed_in_none(self):
        # The child's Node used to print it on the child's stderr, which tinypool pipes into the
        # kernel's: it showed in the cell that happened to start the child, and the task's error
        # said only "Worker exited unexpectedly".
        self.run_ok_in_cell('import { ProcessPool } from "parlab";\nconst thrower = new ProcessPool({ maxWorkers: 1 });\n'
                            "await thrower.apply(() => 1, []);", cell_id="make-thrower")
        streams = []
        reply = self.run_collecting_streams(
            "await thrower.apply(function leavesAThrow() { console.log('before the throw'); "
            "setTimeout(() => { throw new RangeError('async boom'); }); return new Promise(() => {}); }, []);", "use-thrower", streams)
        self.assertEqual((reply["content"]["ename"], reply["content"]["status"]), ("WorkerCrashError", "error"), reply["content"])
        self.assertRegex(reply["content"]["evalue"], r"^the process running leavesAThrow #\d+ threw RangeError: async boom \(uncaught: the process ended\)$")
        self.assertTrue(any("leavesAThrow.shipped.js:" in line for line in reply["content"]["traceback"]), reply["content"]["traceback"])
        # A later cell on a fresh child; anything the dead child printed late would be shown by now.
        self.assertEqual(self.run_collecting_streams("console.log(await thrower.apply(() => 'fresh', []));", "after-thrower", streams)["content"]["status"], "ok")
        self.assertEqual([(cell, text) for cell, text in streams if "boom" in text or "before" in text or "fresh" in text],
                         [("use-thrower", "before the throw\n"), ("after-thrower", "fresh\n")], streams)

    def run_collecting_streams(self, code, cell_id, streams):
        """Runs a cell; every stream message seen until it is idle, whichever cell it is for, goes into `streams` as (cell, text)."""
        content = {"code": code, "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}
        msg = self.kc.session.msg("execute_request", content, metadata={"cellId": cell_id})
        self.kc.shell_channel.send(msg)
        self.cells_by_msg_id = getattr(self, "cells_by_msg_id", {})
        self.cells_by_msg_id[msg["header"]["msg_id"]] = cell_id
        reply = wait_reply(self.kc, msg["header"]["msg_id"], TIMEOUT)
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            parent = message["parent_header"].get("msg_id")
            if message["msg_type"] == "stream":
                streams.append((self.cells_by_msg_id.get(parent, parent), message["content"]["text"]))
            if parent == msg["header"]["msg_id"] and message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                return reply

    def test_tasks_queued_behind_a_crashed_worker_run_on_a_fresh_one(self):
        # tinypool replaces a dead worker only up to minThreads (0, so that idle pools hold
        # nothing): the tasks queued behind a crash used to wait forever.
        self.run_ok_in_cell('import { ProcessPool, ThreadPool, sleep } from "parlab";\n'
                            "const lone = new ThreadPool({ maxWorkers: 1 });\nconst loneChild = new ProcessPool({ maxWorkers: 1 });",
                            cell_id="lone")
        outputs = self.run_ok_in_cell(
            "const outcomes = async (...futures: PromiseLike<unknown>[]) =>\n"
            "  (await Promise.allSettled(futures)).map((o) => o.status === 'fulfilled' ? o.value : (o.reason as Error).name);\n"
            "console.log(JSON.stringify(await outcomes(\n"
            "  lone.submit(() => { Promise.reject(new Error('x')); return new Promise((r) => setTimeout(r, 100)); }),\n"
            "  lone.submit((x: number) => x, 2))));\n"
            "console.log(JSON.stringify(await outcomes(loneChild.submit(() => process.exit(1)), loneChild.submit((x: number) => x, 3))));\n"
            "console.log(await lone.submit(() => { setTimeout(() => process.exit(4), 10); return 1; }));\n"
            "await sleep(300);\n"
            "console.log(JSON.stringify(await lone.map((n: number) => n + 1, [1, 2])));", cell_id="crash-with-a-queue")
        self.assertEqual(text_of(outputs).splitlines(), ['["WorkerCrashError",2]', '["WorkerCrashError",3]', "1", "[2,3]"])
        self.assertIn("process.exit(4) was called in thread", text_of(outputs, "stderr"), "a thread that died between tasks is reported")

    def test_what_cannot_be_sent_is_a_task_error_naming_it_and_the_pool_goes_on(self):
        # Like Python's PicklingError: no worker died, so no WorkerCrashError, no tinypool stack in
        # the cell, and a map's other chunks are not left waiting.
        self.make_thread_and_process_pool("senders", max_workers=2)
        outputs = self.run_ok_in_cell(
            "for (const pool of senders) {\n"
            "  const failures = await Promise.allSettled([\n"
            "    pool.submit(function shape() { return { side: 2, area() { return 4; } }; }),\n"
            "    pool.map((n: number) => n === 7 ? Symbol('seven') : n, Array.from({ length: 20 }, (_, i) => i), { chunksize: 3 }),\n"
            "    pool.submit((a: number, b: unknown) => a, 1, { callback: () => 1 })]);\n"
            "  for (const failure of failures) console.log(failure.status === 'rejected' ? `${(failure.reason as Error).name}: ${(failure.reason as Error).message.split(';')[0]}` : 'sent');\n"
            "  console.log(await pool.map((n: number) => n * 2, [1, 2, 3]));\n"
            "}", cell_id="unsendable")
        lines = text_of(outputs).splitlines()
        for kind, at in (("thread", 0), ("process", 4)):
            self.assertRegex(lines[at], r"^DataCloneError: the return value of shape #\d+ cannot be sent back from (thread|process) \d+: its \.area is a function$")
            self.assertRegex(lines[at + 1], r"^DataCloneError: the return value of the function #\d+ cannot be sent back from .*: it is a symbol$")
            self.assertRegex(lines[at + 2], rf"^DataCloneError: argument 2 of the function #\d+ cannot be sent to a {kind}: its \.callback is a function$")
            self.assertEqual(lines[at + 3], "[ 2, 4, 6 ]")
        self.assertEqual(text_of(outputs, "stderr"), "", "nothing of tinypool's in the cell")

    def test_parlabs_own_exports_can_be_used_in_a_shipped_function(self):
        # The README's own example: the worker rebuilds what the cell imported from parlab, by
        # value (a renamed import, the whole module), and require("parlab") is parlab itself,
        # though the notebook's folder has no node_modules. Other cell variables are still refused.
        outputs = self.run_ok_in_cell(
            'import { Thread, ProcessPool, blockingSleep, blockingSleep as nap } from "parlab";\n'
            'import * as helpers from "parlab";\n'
            "const worker = new Thread((ms: number) => blockingSleep(ms), [100]).start(); await worker.join();\n"
            "const exporters = new ProcessPool({ maxWorkers: 1 });\n"
            "console.log(await exporters.apply((ms: number) => { nap(ms); helpers.blockingSleep(ms); return typeof require('parlab').ThreadPool; }, [10]));",
            cell_id="parlab-in-workers")
        self.assertEqual(text_of(outputs), "function\n")
        reply, _ = self.run_in_cell("const rate = 3;\nawait exporters.apply((x: number) => nap(x * rate), [1]);")
        self.assertEqual(reply["content"]["ename"], "UnshippableFunctionError")
        self.assertIn("uses 'rate' from around it", reply["content"]["evalue"])

    def test_import_and_import_meta_in_a_shipped_function_resolve_from_the_notebooks_folder(self):
        # The kernel rewrites import(x) and import.meta in a cell to __parlab.import(x) and
        # __parlab.importMeta; a worker provides them, resolving as the kernel does.
        import os
        package = os.path.join(self.workdir, "node_modules", "esm-only-answer")
        os.makedirs(package, exist_ok=True)
        with open(os.path.join(package, "package.json"), "w") as f:
            json.dump({"name": "esm-only-answer", "type": "module", "exports": {"import": "./index.js"}}, f)
        with open(os.path.join(package, "index.js"), "w") as f:
            f.write("export const answer = 42;\n")
        outputs = self.run_ok_in_cell(
            'import { ProcessPool, ThreadPool } from "parlab";\n'
            "for (const importer of [new ThreadPool({ maxWorkers: 1 }), new ProcessPool({ maxWorkers: 1 })]) {\n"
            "  console.log(await importer.apply(async (name: string) => {\n"
            "    const { answer } = await import(name);\n"
            "    const { ThreadPool } = await import('parlab');\n"
            "    return [answer, typeof ThreadPool, import.meta.dirname];\n"
            "  }, ['esm-only-answer']));\n"
            "  await importer.close();\n"
            "}", cell_id="import-in-workers")
        workdir = os.path.realpath(self.workdir)
        self.assertEqual(text_of(outputs), f"[ 42, 'function', '{workdir}' ]\n" * 2)

    def test_task_errors_say_what_happened(self):
        # A thrown object shows as itself, an error keeps its code and cause, a closed pool says
        # so (not "died: Terminating worker thread"), a map's bad argument is named, and a map
        # rejected by close() and awaited in a later cell is no "unhandled rejection" meanwhile.
        self.make_thread_and_process_pool("tellers", max_workers=1)
        outputs = self.run_ok_in_cell(
            "const describe = (e: any) => `${e.name}: ${e.message.replace(/#\\d+/, '#n')}` + (e.code ? ` code=${e.code}` : '') + (e.cause ? ` cause=${e.cause.message}` : '');\n"
            "(globalThis as any).pending = [];\n"
            "for (const pool of tellers) {\n"
            "  for (const work of [() => { throw { code: 42 }; }, () => { throw new Error('bad', { cause: new RangeError('root') }); },\n"
            "                      () => { throw Object.assign(new Error('no file'), { code: 'ENOENT' }); }])\n"
            "    await pool.apply(work, []).catch((e) => console.log(describe(e)));\n"
            "  try { pool.map((x: number) => x, 5 as any); } catch (e) { console.log(describe(e)); }\n"
            "  const running = pool.submit(() => new Promise((r) => setTimeout(r, 10_000)));\n"
            "  (globalThis as any).pending.push(running.result(), pool.map((x: number) => x, [1, 2]));\n"
            "}\n"
            "await new Promise((r) => setTimeout(r, 300));\n", cell_id="telling")
        # Re-running the cell that made them closes both pools while a task runs and a map waits.
        self.make_thread_and_process_pool("tellers", max_workers=1)
        later = self.run_ok_in_cell("await new Promise((r) => setTimeout(r, 300));\n"
                                    "for (const p of (globalThis as any).pending) await p.catch((e: any) => console.log(describe(e)));")
        lines = text_of(outputs).splitlines()
        for at in (0, 4):
            self.assertEqual(lines[at:at + 4], ["Error: { code: 42 } code=42", "Error: bad cause=root", "Error: no file code=ENOENT",
                                                "TypeError: map(): items must be iterable (an array, a Set, a generator...), got 5"])
        closed = text_of(later).splitlines()
        self.assertEqual(len(closed), 4, closed)
        for line, kind in zip(closed, ("thread", "thread", "process", "process")):
            self.assertRegex(line, rf"^AbortError: .* did not finish: its {kind} pool was closed \(the cell that made it ran again\)( code=ABORT_ERR)?$")
        self.assertNotIn("nhandled", text_of(later, "stderr") + text_of(outputs, "stderr"))

    def test_a_process_pool_in_the_kernel_keeps_its_options(self):
        # tinypool forks with fork(file, undefined, options); the kernel's child-process capture
        # once dropped those options, and with them the structured clone of Maps and typed arrays.
        outputs = self.run_ok_in_cell(
            'import { ProcessPool } from "parlab";\nconst typed = new ProcessPool({ maxWorkers: 1 });\n'
            "const kinds = await typed.apply((a: unknown, b: unknown, c: unknown) => [a, b, c].map((x) => Object.prototype.toString.call(x)),\n"
            "  [new Float64Array(2), new Map([[1, 2]]), new Date(0)]);\nconsole.log(kinds.join(' '));")
        self.assertEqual(text_of(outputs), "[object Float64Array] [object Map] [object Date]\n")

    def test_spans_of_pool_tasks_reach_the_cells_recorder(self):
        outputs = self.run_ok_in_cell(
            'import { ThreadPool, SpanRecorder, withRecorder } from "parlab";\n'
            "const spanned = new ThreadPool({ maxWorkers: 2 });\nconst recorder = new SpanRecorder();\n"
            "await withRecorder(recorder, () => spanned.map((x: number) => x, [1, 2, 3]));\n"
            "console.log(JSON.stringify(recorder.spans.map((s) => s.laneKind)));")
        self.assertEqual(json.loads(text_of(outputs)), ["thread"] * 3)


class AsyncHelpersInTheKernel(CellsTestCase):
    def test_gather_runs_requests_concurrently_on_the_main_loop(self):
        outputs = self.run_ok_in_cell(
            'import { gather, fetchText, startSlowServer, SpanRecorder, withRecorder } from "parlab";\n'
            "const server = await startSlowServer({ latencyMs: 200, bytes: 1000 });\nconst spans = new SpanRecorder();\n"
            "const pages = await withRecorder(spans, () => gather(...[1, 2, 3, 4, 5].map((i) => () => fetchText(server.url(`/${i}`)))));\n"
            "console.log(JSON.stringify({ sizes: pages.map((p) => p.length), peak: server.peakInFlight, port: server.port,\n"
            "  lanes: [...new Set(spans.spans.map((s) => s.lane))], tasks: spans.spans.length }));", cell_id="slow-server")
        first = json.loads(text_of(outputs))
        self.assertEqual(first["sizes"], [1000] * 5)
        self.assertEqual(first["peak"], 5, "all five requests should be in flight at once")
        self.assertEqual(first["lanes"], ["main loop"])
        self.assertEqual(first["tasks"], 5)
        # The re-run starts a new server and closes the old one: its port no longer answers.
        self.run_ok_in_cell('import { startSlowServer } from "parlab";\nconst server = await startSlowServer({ latencyMs: 1, bytes: 1 });',
                            cell_id="slow-server")
        reply, _ = self.run_in_cell(f'await fetch("http://127.0.0.1:{first["port"]}/");')
        self.assertEqual(reply["content"]["status"], "error", "the replaced server still answers")

    def test_blocking_sleep_blocks_the_cell_and_sleep_does_not(self):
        outputs = self.run_ok_in_cell(
            'import { blockingSleep, sleep, gather } from "parlab";\n'
            "let ticks = 0; const timer = setInterval(() => ticks++, 10);\n"
            "blockingSleep(200); const blocked = ticks;\n"
            "await gather(() => sleep(200), () => sleep(200)); const free = ticks - blocked;\n"
            "clearInterval(timer); console.log(blocked, free > 0);")
        self.assertEqual(text_of(outputs), "0 true\n")


class PoolsAndRestart(KernelTestCase):
    def test_a_restart_ends_every_pool_worker(self):
        _, outputs = self.run_ok('import { ProcessPool, ThreadPool } from "parlab";\n'
                                 "const left = new ProcessPool({ maxWorkers: 2, idleTimeoutMs: 600_000 });\n"
                                 "const pids = await left.map(() => process.pid, [1, 2, 3, 4]);\n"
                                 "console.log(JSON.stringify([...new Set(pids)]));")
        pids = json.loads(text_of(outputs))
        self.assertTrue(pids)
        self.km.restart_kernel(now=False)
        self.assertEqual(still_alive(pids), [], "pool workers outlived the restart")
        self.kc.wait_for_ready(timeout=TIMEOUT)


if __name__ == "__main__":
    unittest.main()
