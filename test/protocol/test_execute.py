"""execute_request semantics (silent, store_history, user_expressions, allow_stdin,
stop_on_error), errors with cell positions, and type checking across cells."""
import re
import unittest

from harness import KernelTestCase, drain_iopub, execute, iopub_until_idle, result_of, text_of, wait_reply


class ExecuteSemantics(KernelTestCase):
    def test_busy_execute_input_idle(self):
        msg_id = self.kc.execute("1 + 1")
        wait_reply(self.kc, msg_id)
        seen = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=30)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            seen.append(msg["msg_type"] if msg["msg_type"] != "status" else msg["content"]["execution_state"])
            if seen[-1] == "idle":
                break
        self.assertEqual(seen, ["busy", "execute_input", "execute_result", "idle"])

    def test_execution_count_counts_stored_executions_only(self):
        first, _ = self.run_ok("1")
        count = first["content"]["execution_count"]
        silent, outputs = self.run_ok("console.log('quiet'); 2", silent=True)
        self.assertEqual(silent["content"]["execution_count"], count)
        self.assertNotIn("execute_input", [m["msg_type"] for m in outputs])
        self.assertNotIn("execute_result", [m["msg_type"] for m in outputs])
        self.assertEqual(text_of(outputs), "quiet\n")  # silent hides results, not streams
        unstored, outputs = self.run_ok("3", store_history=False)
        self.assertEqual(unstored["content"]["execution_count"], count)
        self.assertEqual(result_of(outputs), "3")
        stored, _ = self.run_ok("4")
        self.assertEqual(stored["content"]["execution_count"], count + 1)

    def test_user_expressions(self):
        self.run_ok("const base = 20;")
        reply, _ = self.run_ok("1", user_expressions={"double": "base * 2", "broken": "nope.nope"})
        expressions = reply["content"]["user_expressions"]
        self.assertEqual(expressions["double"]["status"], "ok")
        self.assertEqual(expressions["double"]["data"]["text/plain"], "40")
        self.assertEqual(expressions["broken"]["status"], "error")
        self.assertEqual(expressions["broken"]["ename"], "ReferenceError")

    def test_malformed_fields_get_errors_that_name_them(self):
        # user_expressions as a string was taken apart letter by letter, a non-string expression
        # failed the request with the checker's stack; a history field of the wrong type failed
        # deep in the query.
        for expressions in ("base * 2", {"double": 5}):
            # Sent as built, past jupyter_client's own check of user_expressions.
            request = self.kc.session.msg("execute_request", {"code": "1", "silent": False, "user_expressions": expressions})
            self.kc.shell_channel.send(request)
            reply = wait_reply(self.kc, request["header"]["msg_id"])
            self.assertEqual((reply["content"]["status"], reply["content"]["ename"]), ("error", "BadRequest"))
            self.assertIn("user_expressions must map names to code strings", reply["content"]["evalue"])
        for fields, message in (({"n": "x"}, "content.n must be a non-negative integer"), ({"pattern": 5}, "content.pattern must be a string")):
            reply = wait_reply(self.kc, self.kc.history(hist_access_type="search" if "pattern" in fields else "tail", **fields))
            self.assertEqual((reply["content"]["status"], reply["content"]["ename"]), ("error", "HistoryError"))
            self.assertIn(message, reply["content"]["evalue"])
        # None is "not given", as jupyter_client sends it.
        reply = wait_reply(self.kc, self.kc.history(hist_access_type="range", session=None, start=None, stop=None))
        self.assertEqual(reply["content"]["status"], "ok")
        drain_iopub(self.kc)

    def test_input_without_stdin_is_a_clear_error(self):
        reply, outputs = execute(self.kc, 'await input("name? ")', allow_stdin=False)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("allow_stdin", reply["content"]["evalue"])

    def send_three(self, **options):
        # The failure waits a little, so the two behind it are surely queued when it comes: a
        # request that arrives after a failure was answered is not behind it.
        failing = self.kc.execute("await new Promise((r) => setTimeout(r, 300)); throw new Error('first fails')", **options)
        second = self.kc.execute("'second ran'")
        third = self.kc.execute("'third ran'")
        return [wait_reply(self.kc, m)["content"]["status"] for m in (failing, second, third)]

    def test_stop_on_error_aborts_the_queue(self):
        self.assertEqual(self.send_three(stop_on_error=True), ["error", "aborted", "aborted"])

    def test_an_aborted_cell_gets_no_execution_count(self):
        # JupyterLab shows the reply's execution_count as the cell's prompt: an aborted cell that
        # got the failed cell's count looked as if it had run. ipykernel's reply has none.
        failing = self.kc.execute("throw new Error('fails');")
        behind = self.kc.execute("'never ran'")
        self.assertEqual(wait_reply(self.kc, failing)["content"]["status"], "error")
        self.assertEqual(wait_reply(self.kc, behind)["content"], {"status": "aborted"})

    def test_a_failure_aborts_everything_received_while_it_ran(self):
        # A cell that blocks its thread and then fails: the requests sent meanwhile wait in the
        # socket thread's port, not yet in the queue, and must be aborted all the same.
        for _ in range(3):
            failing = self.kc.execute("const until = Date.now() + 300; while (Date.now() < until) {}\nthrow new Error('fails');")
            behind = [self.kc.execute(f"console.log('ran {n}')") for n in range(20)]
            statuses = [wait_reply(self.kc, m)["content"]["status"] for m in (failing, *behind)]
            self.assertEqual(statuses, ["error"] + ["aborted"] * 20)

    def test_without_stop_on_error_the_queue_runs(self):
        self.assertEqual(self.send_three(stop_on_error=False), ["error", "ok", "ok"])

    def test_a_failing_silent_request_aborts_nothing(self):
        # As in ipykernel: a silent request is a frontend's own query, not a cell the queue follows.
        self.assertEqual(self.send_three(stop_on_error=True, silent=True), ["error", "ok", "ok"])

    def test_requests_after_an_error_are_not_aborted(self):
        execute(self.kc, "throw new Error('x')")
        reply, outputs = execute(self.kc, "'fine'")
        self.assertEqual(reply["content"]["status"], "ok")

    def test_a_request_sent_once_the_error_is_answered_always_runs(self):
        # The abort covers what was sent before the failure was answered, never what a client sent
        # after reading that answer; and the shell is read on after every abort (no hang).
        for n in range(100):
            failing = wait_reply(self.kc, self.kc.execute("throw new Error('x')"), timeout=10)
            self.assertEqual(failing["content"]["status"], "error")
            after = wait_reply(self.kc, self.kc.execute(f"{n}"), timeout=10)
            self.assertEqual(after["content"]["status"], "ok", f"the request after failure {n}")
        drain_iopub(self.kc)


class Errors(KernelTestCase):
    def test_runtime_error_points_at_the_cell_line_and_column(self):
        code = "const a: number = 1;\ninterface Unused { x: string }\nfunction fail(): never {\n  throw new RangeError('bad value');\n}\nfail();"
        reply, outputs = execute(self.kc, code)
        content = reply["content"]
        self.assertEqual(content["status"], "error")
        self.assertEqual(content["ename"], "RangeError")
        self.assertEqual(content["evalue"], "bad value")
        errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
        self.assertEqual(len(errors), 1)
        traceback = "\n".join(errors[0]["traceback"])
        # Line 4 column 9 of the TypeScript cell (the compiled JavaScript has no interface line).
        self.assertIn(f"Cell In[{content['execution_count']}]:4:9", traceback)
        self.assertIn(f"Cell In[{content['execution_count']}]:6:1", traceback)
        self.assertNotIn("dist/kernel", traceback)

    def test_type_error_names_line_and_column_and_the_cell_does_not_run(self):
        reply, outputs = execute(self.kc, "console.log('side effect');\nconst n: number = 'text';")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "TypeScriptError")
        self.assertIn("line 2:7", reply["content"]["evalue"])
        self.assertIn("TS2322", reply["content"]["evalue"])
        self.assertEqual(text_of(outputs), "")

    def test_marks_under_a_tab_indented_line_keep_its_tabs(self):
        # A tab is shown wider than one space: the mark's blank keeps the line's tabs to line up.
        for code, line, mark in [
            ("if (true) {\n\tconst s: string = 1;\n}", "   2 | \tconst s: string = 1;", "     | \t      ~"),
            ("if (true) {\n\tthrow new Error('tab');\n}", "---->   2 \tthrow new Error('tab');", "          \t      ^"),
        ]:
            reply, outputs = execute(self.kc, code)
            self.assertEqual(reply["content"]["status"], "error")
            error = next(m for m in outputs if m["msg_type"] == "error")["content"]
            lines = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error["traceback"])).split("\n")
            self.assertEqual(lines[lines.index(line) + 1], mark, lines)

    def test_an_error_printed_or_shown_reads_as_the_cells(self):
        # `console.log(error)` in a catch, or an error as the cell's value: its stack showed the
        # script's name (parlab-cell-N.js), the kernel's frames and its files' paths.
        reply, outputs = self.run_ok("function make() { return new Error('kept'); }\ntry { throw make(); } catch (e) { console.log(e); }\nmake()")
        count = reply["content"]["execution_count"]
        for text in [text_of(outputs), result_of(outputs)]:
            self.assertIn(f"at make (Cell In[{count}]:1:26)", text)
            self.assertNotIn("parlab-cell", text)
            self.assertNotIn("dist/kernel", text)
            self.assertNotIn("node:vm", text)

    def test_ts_nocheck_opts_a_cell_out(self):
        reply, outputs = self.run_ok("// @ts-nocheck\nconst loose: number = 'text'; loose")
        self.assertEqual(result_of(outputs), "'text'")

    def test_thrown_non_errors(self):
        reply, _ = execute(self.kc, "throw 'just a string'")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("just a string", reply["content"]["evalue"])

    def test_a_value_whose_display_code_throws_fails_its_cell(self):
        # As a failing __repr__ in IPython: the cell's error, pointing at the display code's line.
        code = 'const shy = { [Symbol.for("nodejs.util.inspect.custom")]() {\n  console.log("formatting");\n  throw new TypeError("cannot show");\n} };\nshy'
        reply, outputs = execute(self.kc, code)
        content = reply["content"]
        self.assertEqual((content["status"], content["ename"], content["evalue"]), ("error", "TypeError", "cannot show"))
        errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
        self.assertEqual(len(errors), 1, outputs)
        self.assertIn(f"Cell In[{content['execution_count']}]:3:9", "\n".join(errors[0]["traceback"]))
        self.assertEqual(text_of(outputs), "formatting\n")
        self.assertEqual(result_of(outputs), None)
        # The same in user_expressions, for that expression alone; and Deno's display convention.
        reply, outputs = self.run_ok("'fine'", user_expressions={"shown": "shy", "plain": "1 + 1"})
        expressions = reply["content"]["user_expressions"]
        self.assertEqual((expressions["shown"]["status"], expressions["shown"]["ename"]), ("error", "TypeError"))
        self.assertEqual(expressions["plain"], {"status": "ok", "data": {"text/plain": "2"}, "metadata": {}})
        reply, _ = execute(self.kc, '({ [Symbol.for("Jupyter.display")]() { throw new RangeError("no bundle") } })')
        self.assertEqual((reply["content"]["status"], reply["content"]["ename"]), ("error", "RangeError"))

    def test_thrown_values_that_resist_formatting_are_still_the_cells_error(self):
        # Formatting runs after the cell, outside it: the value's own code must not fail or stall it.
        cases = {
            'class Odd extends Error { get name(): string { throw new Error("no name") } }\nthrow new Odd("odd")': ("Odd", "odd"),
            'const e = new Error("no stack"); Object.defineProperty(e, "stack", { get() { throw e } }); throw e': ("Error", "no stack"),
            'throw { [Symbol.for("nodejs.util.inspect.custom")]() { throw new Error("inspect") } }': ("Uncaught", None),
            'throw { [Symbol.for("nodejs.util.inspect.custom")]() { while (true) {} } }': ("Uncaught", None),
            'throw new Proxy({}, { has() { throw new Error("has") }, get() { throw new Error("get") } })': ("Uncaught", None),
        }
        for code, (ename, evalue) in cases.items():
            with self.subTest(code=code):
                reply, outputs = execute(self.kc, code)
                self.assertEqual((reply["content"]["status"], reply["content"]["ename"]), ("error", ename))
                if evalue is not None:
                    self.assertEqual(reply["content"]["evalue"], evalue)
                self.assertEqual([m["content"]["ename"] for m in outputs if m["msg_type"] == "error"], [ename])
        # Thrown from a timer, such a value used to end the kernel from its uncaughtException handler.
        reply, outputs = self.run_ok('setTimeout(() => { throw { [Symbol.for("nodejs.util.inspect.custom")]() { throw new Error("late") } } }, 10);\nawait new Promise((r) => setTimeout(r, 200)); "alive"')
        self.assertEqual(result_of(outputs), "'alive'")
        self.assertIn("Uncaught", text_of(outputs, "stderr"))

    def test_process_exit_fails_the_cell_and_the_kernel_goes_on(self):
        # As sys.exit() in IPython; it used to end the kernel (with a native abort, even).
        self.run_ok("let beforeExit = 41;")
        reply, outputs = execute(self.kc, "console.log('done');\nprocess.exit(3);")
        content = reply["content"]
        self.assertEqual((content["status"], content["ename"]), ("error", "ProcessExit"))
        self.assertIn("process.exit(3)", content["evalue"])
        self.assertIn(f"Cell In[{content['execution_count']}]:2:9", "\n".join(next(m for m in outputs if m["msg_type"] == "error")["content"]["traceback"]))
        reply, outputs = self.run_ok("setTimeout(() => process.exit(), 10);\nawait new Promise((r) => setTimeout(r, 200));\nbeforeExit + 1")
        self.assertEqual(result_of(outputs), "42")
        self.assertIn("ProcessExit", text_of(outputs, "stderr"))

    def test_syntax_error_is_reported_not_fatal(self):
        reply, _ = execute(self.kc, "const = ;")
        self.assertEqual(reply["content"]["status"], "error")
        reply, outputs = self.run_ok("'still alive'")

    def test_background_errors_do_not_kill_the_kernel(self):
        self.run_ok("setTimeout(() => { throw new Error('from a timer') }, 10); Promise.reject(new Error('unhandled'));")
        reply, outputs = self.run_ok("await new Promise((r) => setTimeout(r, 100)); 'alive'")
        self.assertEqual(result_of(outputs), "'alive'")


class ReplacedBuiltIns(KernelTestCase):
    def test_a_cell_that_replaces_a_built_in_the_kernel_uses_fails_nothing_else(self):
        # The kernel's code shares the cells' realm: replacing Array.prototype.map or
        # JSON.stringify made it fall silent for good, and replacing Promise failed every later
        # cell, the one putting it back included.
        self.run_ok("const originals = { map: Array.prototype.map, stringify: JSON.stringify, Promise };")
        for broken, name in [("(Array.prototype as any).map = () => { throw new Error('no map'); };", "map"),
                             ("JSON.stringify = () => { throw new Error('no stringify'); };", "stringify"),
                             ("(globalThis as any).Promise = function () { throw new Error('no promises'); };", "Promise")]:
            with self.subTest(name):
                self.run_ok(broken)
                reply, outputs = execute(self.kc, "40 + 2", timeout=30)
                self.assertEqual((reply["content"]["status"], result_of(outputs)), ("ok", "42"))
                self.run_ok("Object.assign(globalThis, { Promise: originals.Promise }); Array.prototype.map = originals.map; JSON.stringify = originals.stringify;")
        self.assertEqual(result_of(self.run_ok("await new Promise((r) => setTimeout(r, 1)); [1, 2].map((n) => n * 2)")[1]), "[ 2, 4 ]")


class ReRunning(KernelTestCase):
    DECLARATIONS = """const c1 = 1;
let l1 = 'a';
class K { v = 1 }
function f1() { return 1 }
interface I1 { a: number }
type T1 = { b: string };
enum E1 { A, B }
const obj: I1 = { a: 2 };
new K().v + f1() + obj.a"""

    def test_any_declaration_cell_runs_again_and_again(self):
        for _ in range(4):
            reply, outputs = self.run_ok(self.DECLARATIONS)
            self.assertEqual(result_of(outputs), "4")

    def test_a_later_cell_can_redeclare_with_another_type(self):
        self.run_ok("const shape = 1;")
        reply, outputs = self.run_ok("const shape = 'now a string'; shape.toUpperCase()")
        self.assertEqual(result_of(outputs), "'NOW A STRING'")
        reply, outputs = self.run_ok("shape.length")  # the type checker knows the newest type
        self.assertEqual(result_of(outputs), "12")

    def test_functions_see_the_current_binding(self):
        self.run_ok("let counter = 1;\nfunction getCounter() { return counter; }")
        self.run_ok("counter = 5;")
        self.assertEqual(result_of(self.run_ok("getCounter()")[1]), "5")
        self.run_ok("let counter = 7;")
        self.assertEqual(result_of(self.run_ok("getCounter()")[1]), "7")

    def test_types_flow_across_cells(self):
        self.run_ok("interface Point { x: number; y: number }\nconst origin: Point = { x: 0, y: 0 };")
        reply, _ = execute(self.kc, "const p: Point = { x: 1 };")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("TS2741", reply["content"]["evalue"])
        self.assertEqual(result_of(self.run_ok("origin.x + 1")[1]), "1")

    def test_a_type_redeclared_is_named_by_the_cells_that_declared_it(self):
        # TypeScript tells two types of one name apart by their files, which were the kernel's own:
        # 'import("/tmp/…/__parlab_cell_1__").Point'.
        first, _ = self.run_ok("interface Point { x: number }\nconst origin: Point = { x: 0 };")
        second, _ = self.run_ok("interface Point { x: number; z: number }")
        reply, outputs = execute(self.kc, "const moved: Point = origin;")
        self.assertEqual(reply["content"]["status"], "error")
        declared = [f"In[{r['content']['execution_count']}].Point" for r in (first, second)]
        self.assertIn(f"Property 'z' is missing in type '{declared[0]}' but required in type '{declared[1]}'", reply["content"]["evalue"])
        # A type of the failing cell itself is named by that cell.
        colors, _ = self.run_ok("enum Color { Red, Green }\nconst shade = Color.Green;")
        reply, outputs = execute(self.kc, "enum Color { Blue }\nshade === Color.Blue")
        own = reply["content"]["execution_count"]
        self.assertIn(f"'In[{colors['content']['execution_count']}].Color' and 'In[{own}].Color' have no overlap", reply["content"]["evalue"])
        traceback = "\n".join(next(m for m in outputs if m["msg_type"] == "error")["content"]["traceback"])
        self.assertNotIn("__parlab", traceback)

    def test_cells_run_as_scripts_and_in_repl_mode_share_one_scope(self):
        # Cells with no top-level await and no let/const/class run as classic scripts, the others
        # in V8's REPL mode: each sees and changes the other's names, again and again.
        self.run_ok("let level = 1;")
        reader = "function readLevel() { return level; }"
        for _ in range(3):
            self.run_ok(reader)
        self.assertEqual(result_of(self.run_ok("level = 2; readLevel()")[1]), "2")
        self.run_ok("let level = 3;")
        self.assertEqual(result_of(self.run_ok("readLevel()")[1]), "3")
        self.run_ok("var tally = 1;")
        self.assertEqual(result_of(self.run_ok("tally += 1; tally")[1]), "2")
        self.assertEqual(result_of(self.run_ok("var tally = 2; tally")[1]), "2")
        self.assertEqual(result_of(self.run_ok("const fromRepl = readLevel() + tally; fromRepl")[1]), "5")
        # An await inside a function leaves its cell a script; one at the top needs REPL mode.
        self.run_ok("async function later() { await null; return level * 2; }")
        self.assertEqual(result_of(self.run_ok("await (later())")[1]), "6")

    def test_cell_names_that_are_also_nodes_globals_stay_in_the_cells(self):
        # A cell's top-level names are global at run time. Named like one of Node's globals, they
        # used to replace it for the kernel and every library: with setTimeout imported from
        # timers/promises, the next background output ended the kernel.
        self.run_ok('import { setTimeout } from "node:timers/promises";\nawait setTimeout(10);')
        reply, outputs = self.run_ok('void setTimeout(50).then(() => console.log("later"));\nawait setTimeout(300);\n"waited"')
        self.assertEqual(text_of(outputs), "later\n")
        self.run_ok('import { sleep } from "parlab";\nawait sleep(20);')
        self.run_ok('import { spawn } from "node:child_process";\nconst process = spawn("echo", ["hi"]);')
        code = """class Event { constructor(readonly kind: string) {} static make() { return new Event("made"); } }
const early = fetch().kind;
function fetch(): Event { return Event.make(); }
[early, fetch.name, new Event("shown"), ({ process }).process.constructor.name, typeof globalThis.fetch]"""
        reply, outputs = self.run_ok(code)
        self.assertEqual(result_of(outputs), "[ 'made', 'fetch', Event { kind: 'shown' }, 'ChildProcess', 'function' ]")
        # Node's own process still serves everyone else: a command's environment, say.
        self.assertEqual(result_of(self.run_ok('import { execSync } from "node:child_process";\nString(execSync("echo $HOME")).trim() !== ""')[1]), "true")
        # Inner names and properties are no cell bindings; errors show the names as written.
        self.assertEqual(result_of(self.run_ok("function bump(process: number) { return process + 1; }\n[bump(1), { setTimeout: 2 }.setTimeout, process.pid !== undefined]")[1]), "[ 2, 2, true ]")
        reply, outputs = execute(self.kc, 'const setImmediate = () => { throw new Error("from the cell"); };\nsetImmediate()')
        traceback = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(next(m for m in outputs if m["msg_type"] == "error")["content"]["traceback"]))
        self.assertIn("at setImmediate (Cell In[", traceback)
        reply, _ = execute(self.kc, "// @ts-nocheck\nperformance.now();\nlet performance = 1;")
        self.assertRegex(reply["content"]["evalue"], r"^(Cannot access 'performance' before initialization|performance is not defined)$")
        # A function that takes its variable's name still shows that name.
        self.assertEqual(result_of(self.run_ok("const structuredClone = async () => 1;\nstructuredClone")[1]), "[AsyncFunction: structuredClone]")
        # The kernel's own global, which every cell's script calls, is kept the same way.
        self.run_ok("const __parlab = 1;")
        self.assertEqual(result_of(self.run_ok("__parlab + 1")[1]), "2")

    def test_errors_of_a_script_cell_point_at_its_lines(self):
        reply, outputs = execute(self.kc, "function boom(): never {\n  throw new RangeError('deep');\n}\nboom()")
        content = reply["content"]
        self.assertEqual((content["status"], content["ename"], content["evalue"]), ("error", "RangeError", "deep"))
        traceback = "\n".join(next(m for m in outputs if m["msg_type"] == "error")["content"]["traceback"])
        self.assertIn(f"Cell In[{content['execution_count']}]:2:9", traceback)
        self.assertIn(f"Cell In[{content['execution_count']}]:4:1", traceback)
        self.assertNotIn("node:vm", traceback)
        self.assertNotIn("dist/kernel", traceback)
        # Run again, the same code keeps its compiled script, and is labelled with the new run;
        # code that compiles to the same JavaScript from another source keeps its own positions.
        for code, column in [("(null as any).x", 15), ("(null as any).x", 15), ("(null as     any).x", 19)]:
            reply, outputs = execute(self.kc, code)
            traceback = "\n".join(next(m for m in outputs if m["msg_type"] == "error")["content"]["traceback"])
            self.assertIn(f"at Cell In[{reply['content']['execution_count']}]:1:{column}\n", traceback)
            self.assertIn(f"---->   1 {code}", re.sub(r"\x1b\[[0-9;]*m", "", traceback))
        # What V8 rejects and TypeScript let through is reported as any syntax error is.
        reply, outputs = execute(self.kc, "// @ts-nocheck\n({ __proto__: 1, __proto__: 2 })")
        self.assertEqual((reply["content"]["ename"], reply["content"]["evalue"]), ("SyntaxError", "Duplicate __proto__ fields are not allowed in object literals"))
        self.assertEqual(reply["content"]["traceback"], ["\x1b[1;31mSyntaxError\x1b[0m: Duplicate __proto__ fields are not allowed in object literals"])

    def test_an_unchanged_cell_is_checked_again_when_what_it_uses_changed(self):
        # A re-run of unchanged code may reuse its earlier check only while its names still come
        # from the same cells.
        self.run_ok("let width = 3;")
        user = "const area: number = width * 2; area"
        self.assertEqual(result_of(self.run_ok(user)[1]), "6")
        self.assertEqual(result_of(self.run_ok(user)[1]), "6")
        self.run_ok("let width = 'wide';")
        reply, _ = execute(self.kc, user)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("TS2362", reply["content"]["evalue"])  # string * number
        self.run_ok("let width = 4;")
        self.assertEqual(result_of(self.run_ok(user)[1]), "8")


# Ends the kernel's type-checker thread from inside, through the inspector's worker domain, as a
# crash of the compiler would.
END_THE_CHECKER = """// @ts-nocheck
const { Session } = await import("node:inspector");
const session = new Session();
session.connect();
const post = (method, params = {}) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
const workers = [];
session.on("NodeWorker.attachedToWorker", (event) => workers.push(event.params));
await post("NodeWorker.enable", { waitForDebuggerOnStart: false });
for (let i = 0; i < 50 && !workers.some((w) => w.workerInfo.url.includes("checker-thread")); i++) await new Promise((r) => setTimeout(r, 20));
const checker = workers.find((w) => w.workerInfo.url.includes("checker-thread"));
await post("NodeWorker.sendMessageToWorker", { sessionId: checker.sessionId, message: JSON.stringify({ id: 1, method: "Runtime.evaluate", params: { expression: "process.exit(3)" } }) });
session.disconnect();
"ended"
"""


class CheckerRestart(KernelTestCase):
    def test_a_checker_that_died_starts_again_and_knows_the_earlier_cells(self):
        self.run_ok("interface Point { x: number; y: number }\nconst origin: Point = { x: 1, y: 2 };")
        self.run_ok("let scale = 10;")
        self.assertEqual(result_of(self.run_ok(END_THE_CHECKER)[1]), "'ended'")
        self.assertEqual(result_of(self.run_ok("const p: Point = origin; (p.x + p.y) * scale")[1]), "30")
        reply, _ = execute(self.kc, "const q: Point = { x: 1 };")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("TS2741", reply["content"]["evalue"])  # Point, as the cells before the restart declared it


class CheckerThatKeepsDying(KernelTestCase):
    def test_after_three_restarts_in_a_minute_it_says_to_restart_the_kernel(self):
        for _ in range(4):  # the first ends the first thread; each later one starts a new thread first
            self.assertEqual(result_of(self.run_ok(END_THE_CHECKER)[1]), "'ended'")
        reply, _ = execute(self.kc, "1 + 1")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "TypeCheckerError")
        self.assertIn("restart the kernel", reply["content"]["evalue"])
        # The kernel itself is alive and answers.
        self.assertEqual(self.kc.kernel_info(reply=True, timeout=10)["content"]["status"], "ok")


class NodeTypesFromTheFirstCell(unittest.TestCase):
    """Node's types load after the kernel starts: the very first cell must not notice."""

    def start(self):
        import tempfile
        from harness import start_kernel
        km, kc = start_kernel("parlab", cwd=tempfile.mkdtemp(prefix="parlab-first-"))
        self.addCleanup(km.shutdown_kernel, now=True)
        self.addCleanup(kc.stop_channels)
        return kc

    def test_a_first_cell_using_node_globals_checks_and_runs(self):
        kc = self.start()
        reply, outputs = execute(kc, "const id: number = process.pid; Buffer.from('ab').length + typeof id")
        self.assertEqual(reply["content"]["status"], "ok", outputs)
        self.assertEqual(result_of(outputs), "'2number'")

    def test_a_first_cell_misusing_node_types_is_a_type_error(self):
        kc = self.start()
        reply, _ = execute(kc, "const id: string = process.pid;")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("TS2322", reply["content"]["evalue"])
        self.assertIn("line 1:7", reply["content"]["evalue"])

    def test_the_idle_warm_up_leaves_nothing_in_scope(self):
        # Once idle, the checker checks a throw-away cell of its own (kernel/checker/warm-up-cell.ts).
        import time
        kc = self.start()
        self.assertEqual(execute(kc, "1 + 1")[0]["content"]["status"], "ok")
        time.sleep(3)
        reply, _ = execute(kc, "const t: Timeline | undefined = undefined;")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("Cannot find name 'Timeline'", reply["content"]["evalue"])
        reply, outputs = execute(kc, "const timeline = 'mine'; const label: number = 2; `${timeline} ${label}`")
        self.assertEqual(reply["content"]["status"], "ok", outputs)
        self.assertEqual(result_of(outputs), "'mine 2'")


if __name__ == "__main__":
    unittest.main()
