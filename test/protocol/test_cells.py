"""What a cell can import and use: Node built-ins, CommonJS and ESM-only packages and local .ts
files resolved from the notebook's folder, with Node's types found wherever the notebook lives."""
import json
import os
import tempfile
import time
import unittest

from harness import KernelTestCase, execute, iopub_until_idle, result_of, text_of


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text)


class Imports(KernelTestCase):
    @classmethod
    def setUpClass(cls):
        # A notebook folder with no node_modules of its own but two packages, and local .ts files.
        cls.workdir_override = tempfile.mkdtemp(prefix="parlab-imports-")
        root = cls.workdir_override
        write(f"{root}/node_modules/cjs-pkg/package.json", json.dumps({"name": "cjs-pkg", "main": "index.js"}))
        write(f"{root}/node_modules/cjs-pkg/index.js", "exports.twice = (n) => n * 2;\nexports.kind = 'commonjs';\n")
        write(f"{root}/node_modules/esm-only/package.json", json.dumps({"name": "esm-only", "type": "module", "exports": {"import": "./index.js"}}))
        write(f"{root}/node_modules/esm-only/index.js", "export const kind = 'esm';\nexport default function greet(name) { return `hi ${name}`; }\n")
        write(f"{root}/lib/shapes.ts", "import { unit } from './units';\nexport interface Square { side: number }\nexport function area(s: Square): string { return `${s.side * s.side} ${unit}`; }\n")
        write(f"{root}/lib/units.ts", "export const unit: string = 'm2';\n")
        from harness import start_kernel
        cls.workdir = root
        cls.km, cls.kc = start_kernel(cls.kernel_name, cwd=root)

    def test_node_builtins_with_types(self):
        reply, outputs = self.run_ok('import { join } from "node:path";\nimport os from "os";\njoin("a", "b") + typeof os.cpus().length')
        self.assertEqual(result_of(outputs), "'a/bnumber'")

    def test_node_globals_are_typed_outside_any_node_modules(self):
        reply, outputs = self.run_ok("const t: NodeJS.Timeout = setTimeout(() => {}, 1); clearTimeout(t); typeof process.pid")
        self.assertEqual(result_of(outputs), "'number'")

    def test_commonjs_package(self):
        reply, outputs = self.run_ok('// @ts-nocheck (the test package ships no types)\nimport { twice, kind } from "cjs-pkg";\nimport cjs from "cjs-pkg";\n`${twice(21)} ${kind} ${cjs.kind}`')
        self.assertEqual(result_of(outputs), "'42 commonjs commonjs'")

    def test_esm_only_package(self):
        reply, outputs = self.run_ok('// @ts-nocheck\nimport greet, { kind } from "esm-only";\ngreet(kind)')
        self.assertEqual(result_of(outputs), "'hi esm'")

    def test_untyped_package_is_a_type_error_naming_it(self):
        reply, outputs = execute(self.kc, 'import { twice } from "cjs-pkg";')
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("cjs-pkg", reply["content"]["evalue"])

    def test_local_typescript_files_are_checked_and_run(self):
        reply, outputs = self.run_ok('import { area, type Square } from "./lib/shapes.ts";\nconst sq: Square = { side: 3 };\narea(sq)')
        self.assertEqual(result_of(outputs), "'9 m2'")
        reply, outputs = execute(self.kc, 'import { area } from "./lib/shapes.ts";\narea({ side: "3" })')
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "TypeScriptError")

    def test_json_files_import_without_an_import_attribute(self):
        write(f"{self.workdir}/data/settings.json", json.dumps({"size": 3, "label": "small"}))
        reply, outputs = self.run_ok('import settings from "./data/settings.json";\nconst size: number = settings.size;\n`${size} ${settings.label}`')
        self.assertEqual(result_of(outputs), "'3 small'")

    def test_an_edited_local_file_is_imported_as_it_is_now(self):
        # live.ts imports live-unit.ts: editing only the file it imports counts too, for the run
        # and for the type checker.
        write(f"{self.workdir}/lib/live-unit.ts", "export const unit: string = 'cm';\n")
        write(f"{self.workdir}/lib/live.ts", "import { unit } from './live-unit';\nlet calls = 0;\nexport function measure(n: number) { calls++; return `${n} ${unit}`; }\nexport const callCount = () => calls;\n")
        reply, outputs = self.run_ok('import { measure, callCount } from "./lib/live.ts";\n[measure(1), callCount()]')
        self.assertEqual(result_of(outputs), "[ '1 cm', 1 ]")
        # Nothing changed: the same module, with its state.
        reply, outputs = self.run_ok('import { measure as again, callCount as count } from "./lib/live.ts";\n[again(2), count()]')
        self.assertEqual(result_of(outputs), "[ '2 cm', 2 ]")
        write(f"{self.workdir}/lib/live-unit.ts", "export const unit: number = 42;\n")
        reply, outputs = self.run_ok('import { measure as edited, callCount as fresh } from "./lib/live.ts";\nimport { unit } from "./lib/live-unit.ts";\nconst checked: number = unit;\n[edited(3), fresh(), checked]')
        self.assertEqual(result_of(outputs), "[ '3 42', 1, 42 ]")
        # A name imported before the edit keeps the code it was imported with, as in Python.
        self.assertEqual(result_of(self.run_ok("measure(4)")[1]), "'4 cm'")
        # The same cell run again after an edit is checked again, not answered from before.
        code = 'import { unit as u } from "./lib/live-unit.ts";\nconst n: number = u;\nn'
        self.assertEqual(result_of(self.run_ok(code)[1]), "42")
        write(f"{self.workdir}/lib/live-unit.ts", "export const unit: string = 'mm';\n")
        reply, outputs = execute(self.kc, code)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("TS2322", reply["content"]["evalue"])

    def test_a_local_file_error_names_the_file_without_its_version(self):
        write(f"{self.workdir}/lib/faulty.ts", "export function fail(): never { throw new Error('first'); }\n")
        execute(self.kc, 'import { fail } from "./lib/faulty.ts";')
        write(f"{self.workdir}/lib/faulty.ts", "// edited\nexport function fail(): never { throw new Error('second'); }\n")
        reply, outputs = execute(self.kc, 'import { fail as f } from "./lib/faulty.ts";\nf()')
        self.assertEqual(reply["content"]["evalue"], "second")
        frames = "\n".join(reply["content"]["traceback"])
        self.assertIn("lib/faulty.ts:2:", frames)
        self.assertNotIn("parlab-version", frames)

    def test_dynamic_import_and_require(self):
        reply, outputs = self.run_ok('// @ts-nocheck\nconst m = await import("esm-only");\nconst c = require("cjs-pkg");\n`${m.kind}/${c.kind}`')
        self.assertEqual(result_of(outputs), "'esm/commonjs'")

    def test_missing_module_names_it_and_the_folder(self):
        reply, outputs = execute(self.kc, '// @ts-nocheck\nimport x from "no-such-package";')
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("no-such-package", reply["content"]["evalue"])


class Introspection(KernelTestCase):
    def test_completion_offers_members_of_an_earlier_cells_object(self):
        self.run_ok("const account = { owner: 'ada', balance: 10, deposit(n: number) { return n; } };")
        reply = self.kc.complete("account.", 8, reply=True, timeout=30)["content"]
        self.assertEqual(reply["status"], "ok")
        self.assertTrue({"owner", "balance", "deposit"} <= set(reply["matches"]), reply["matches"])
        self.assertEqual((reply["cursor_start"], reply["cursor_end"]), (8, 8))
        reply = self.kc.complete("account.ba", 10, reply=True, timeout=30)["content"]
        self.assertEqual(reply["matches"], ["balance"])
        self.assertEqual(reply["cursor_start"], 8)

    def test_completion_after_a_trailing_dot_on_a_later_line(self):
        # The checker appends the cell's imports after its code: an unfinished `point.` must not
        # run on into them (JupyterLab's Tab after a dot sends exactly this).
        self.run_ok('const point = { alpha: 1, beta: "two", gamma(): number { return 3; } };')
        code = "const unrelated = 1;\npoint."
        reply = self.kc.complete(code, len(code), reply=True, timeout=30)["content"]
        self.assertTrue({"alpha", "beta", "gamma"} <= set(reply["matches"]), reply["matches"])

    def test_completion_cursor_counts_code_points(self):
        self.run_ok("const emojiKey = '😀';")
        code = "'😀'; emojiK"
        reply = self.kc.complete(code, len(code), reply=True, timeout=30)["content"]
        self.assertIn("emojiKey", reply["matches"])
        self.assertEqual(reply["cursor_start"], len(code) - len("emojiK"))

    def test_completions_that_replace_the_dot_and_those_that_follow_it_both_insert_correctly(self):
        # The reply has one span for all matches: `["a-b"]` replaces the dot, so `alpha` must too.
        self.run_ok("const o2 = { alpha: 1, 'a-b': 2 };")
        for code in ["o2.", "o2.a"]:
            reply = self.kc.complete(code, len(code), reply=True, timeout=30)["content"]
            start, end = reply["cursor_start"], reply["cursor_end"]
            inserted = {code[:start] + match + code[end:] for match in reply["matches"]}
            self.assertEqual(inserted, {'o2["a-b"]', "o2.alpha"}, code)
            types = reply["metadata"]["_jupyter_types_experimental"]
            self.assertEqual([(t["start"], t["end"], t["text"]) for t in types], [(start, end, m) for m in reply["matches"]])

    def test_completion_of_a_module_specifier_being_typed(self):
        # After `"node:f` the name typed is `f`: the specifiers (which replace all of `node:f`) were
        # filtered out by it, so Tab offered nothing once a letter followed `node:`.
        for code, wanted in [('import fs from "node:f', "node:fs"), ('const { join } = await import("node:pa', "node:path")]:
            reply = self.kc.complete(code, len(code), reply=True, timeout=30)["content"]
            start, end = reply["cursor_start"], reply["cursor_end"]
            inserted = {code[:start] + match + code[end:] for match in reply["matches"]}
            self.assertIn(code[: code.index('"') + 1] + wanted, inserted, reply)

    def test_members_of_an_iterable_need_no_dot(self):
        # A Map's `[Symbol.iterator]` would replace the dot, and so put one before every member.
        self.run_ok("const tally = new Map<string, number>();")
        reply = self.kc.complete("tally.", 6, reply=True, timeout=30)["content"]
        self.assertEqual((reply["cursor_start"], reply["cursor_end"]), (6, 6))
        self.assertIn("get", reply["matches"])
        self.assertFalse([match for match in reply["matches"] if not match[0].isalpha()], reply["matches"])

    def test_completion_prefix_of_astral_letters(self):
        self.run_ok("const 𝒳𝒳 = 1;")
        reply = self.kc.complete("𝒳", 1, reply=True, timeout=30)["content"]
        self.assertEqual(reply["matches"], ["𝒳𝒳"])
        self.assertEqual((reply["cursor_start"], reply["cursor_end"]), (0, 1))

    def test_inspect_shows_the_type_of_an_earlier_cells_value(self):
        self.run_ok("/** Money in the bank. */\nconst savings: { amount: number; currency: string } = { amount: 5, currency: 'EUR' };")
        reply = self.kc.inspect("savings", 3, reply=True, timeout=30)["content"]
        self.assertTrue(reply["found"])
        text = reply["data"]["text/plain"]
        self.assertIn("amount: number", text)
        self.assertIn("Money in the bank", text)
        self.assertNotIn("alias", text)

    def test_inspect_shows_the_docs_of_lib_and_node_declarations(self):
        # The checker parses lib and @types/node without their doc comments; inspect must still show them.
        for code, signature, doc in [
            ("Math.max", "max(...values: number[]): number", "Returns the larger of a set of supplied numeric expressions."),
            ("process.cwd", "cwd(): string", "current working directory"),
            ("/** Halves.\n * @param n what to halve */\nfunction half(n: number) { return n / 2; }\nhalf", "half(n: number): number", "Halves.\n\n@param n what to halve"),
        ]:
            reply = self.kc.inspect(code, len(code), reply=True, timeout=30)["content"]
            self.assertTrue(reply["found"], code)
            text = reply["data"]["text/plain"]
            self.assertIn(signature, text)
            self.assertIn(doc, text)

    def test_inspect_shows_link_tags_as_their_words(self):
        # Node's docs are full of `{@link readFile}`: the tooltip showed the tags as written.
        code = ("/** Twice {@link halve}; see {@link https://example.com/docs the docs}, {@linkcode Math.max | max}.\n"
                " * @param n {@link halve} of it */\nfunction twice(n: number) { return 2 * n; }\nfunction halve(n: number) { return n / 2; }\ntwice")
        reply = self.kc.inspect(code, len(code), reply=True, timeout=30)["content"]
        self.assertIn("Twice halve; see the docs (https://example.com/docs), max.\n\n@param n halve of it", reply["data"]["text/plain"])
        code = 'import fs from "node:fs";\nfs.readFileSync'
        reply = self.kc.inspect(code, len(code), reply=True, timeout=30)["content"]
        self.assertIn("asynchronous version of\nthis API: readFile.", reply["data"]["text/plain"])
        self.assertNotIn("{@link", reply["data"]["text/markdown"])

    def test_inspect_among_a_calls_arguments_shows_the_function(self):
        # Shift-Tab after `scale(2, ` (IPython shows the function called there too).
        self.run_ok("/** Scales a value. */\nfunction scale(by: number, value: number) { return by * value; }")
        for code in ["scale(2, ", "scale(2, 3", "Math.max(1, "]:
            reply = self.kc.inspect(code, len(code), reply=True, timeout=30)["content"]
            self.assertTrue(reply["found"], code)
            self.assertIn("scale(by: number, value: number): number" if code.startswith("scale") else "Math.max(", reply["data"]["text/plain"])

    def test_inspect_of_nothing(self):
        reply = self.kc.inspect("   ", 1, reply=True, timeout=30)["content"]
        self.assertEqual(reply["status"], "ok")
        self.assertFalse(reply["found"])

    def test_an_undeclared_name_is_not_found(self):
        # TypeScript types an unresolved name as `any`; that is no answer about the name.
        reply = self.kc.inspect("nothingHere", 11, reply=True, timeout=30)["content"]
        self.assertEqual(reply["status"], "ok")
        self.assertFalse(reply["found"], reply["data"])
        reply, outputs = self.run_ok("?nothingHere")
        self.assertEqual(reply["content"]["payload"], [])
        self.assertEqual(text_of(outputs), "Object `nothingHere` not found.\n")

    def test_is_complete(self):
        for code, status in [
            ("1 + 1", "complete"), ("function f() {", "incomplete"), ("let x = ;", "invalid"), ("const t = `a", "incomplete"),
            # A newline ends a quoted string unless a backslash escapes it.
            ("'abc", "invalid"), ('const s = "abc', "invalid"), ("const s = 'abc\\", "incomplete"),
            # Help, as execute runs it.
            ("?Math.max", "complete"), ("Math.max?", "complete"),
        ]:
            msg_id = self.kc.is_complete(code)
            reply = self.kc.get_shell_msg(timeout=30)
            self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
            self.assertEqual(reply["content"]["status"], status, code)
            if status == "incomplete":
                self.assertIn("indent", reply["content"])

    def test_help_pager(self):
        reply, outputs = self.run_ok("Math.max?")
        payload = reply["content"]["payload"]
        self.assertEqual(payload[0]["source"], "page")
        self.assertIn("max(...values: number[]): number", payload[0]["data"]["text/plain"])


    def test_help_is_an_execution(self):
        # As in ipykernel, where `?name` runs as a cell: announced, counted and kept in history.
        before, _ = self.run_ok("1")
        reply, outputs = self.run_ok("Math.max?")
        count = reply["content"]["execution_count"]
        self.assertEqual(count, before["content"]["execution_count"] + 1)
        inputs = [m["content"] for m in outputs if m["msg_type"] == "execute_input"]
        self.assertEqual(inputs, [{"code": "Math.max?", "execution_count": count}])
        history = self.kc.history(hist_access_type="tail", n=1, reply=True, timeout=30)["content"]["history"]
        self.assertEqual([entry[1:] for entry in history], [[count, "Math.max?"]])

class StdinAndComms(KernelTestCase):
    def test_input_request_round_trip(self):
        msg_id = self.kc.execute('const name = await input("name? ");\n`hello ${name}`', allow_stdin=True)
        request = self.kc.get_stdin_msg(timeout=30)
        self.assertEqual(request["msg_type"], "input_request")
        self.assertEqual(request["content"]["prompt"], "name? ")
        self.assertFalse(request["content"]["password"])
        self.kc.input("Ada")
        from harness import wait_reply, iopub_until_idle
        self.assertEqual(wait_reply(self.kc, msg_id)["content"]["status"], "ok")
        self.assertEqual(result_of(iopub_until_idle(self.kc, msg_id)), "'hello Ada'")

    def test_password_input(self):
        msg_id = self.kc.execute('await input("secret: ", { password: true })', allow_stdin=True)
        request = self.kc.get_stdin_msg(timeout=30)
        self.assertTrue(request["content"]["password"])
        self.kc.input("hunter2")
        from harness import wait_reply
        self.assertEqual(wait_reply(self.kc, msg_id)["content"]["status"], "ok")

    def test_an_interrupted_input_is_forgotten(self):
        # jupyter_client's input() names no request: an interrupted one left open would take the
        # next answer, and the next input() would wait for good.
        from harness import wait_reply, iopub_until_idle
        msg_id = self.kc.execute('await input("first? ")', allow_stdin=True)
        self.assertEqual(self.kc.get_stdin_msg(timeout=30)["content"]["prompt"], "first? ")
        self.km.interrupt_kernel()
        reply = wait_reply(self.kc, msg_id)
        self.assertEqual((reply["content"]["status"], reply["content"]["ename"]), ("error", "InterruptError"))
        iopub_until_idle(self.kc, msg_id)
        msg_id = self.kc.execute('const second = await input("second? ");\n`got ${second}`', allow_stdin=True)
        self.assertEqual(self.kc.get_stdin_msg(timeout=30)["content"]["prompt"], "second? ")
        self.kc.input("Grace")
        self.assertEqual(wait_reply(self.kc, msg_id, timeout=10)["content"]["status"], "ok")
        self.assertEqual(result_of(iopub_until_idle(self.kc, msg_id)), "'got Grace'")

    def test_comms_registry(self):
        self.run_ok("""const received: unknown[] = [];
comms.registerTarget("echo", (comm, data) => {
  received.push(data);
  comm.onMsg((msg) => { received.push(msg); comm.send({ echoed: msg }); });
});""")
        self.kc.shell_channel.send(self.kc.session.msg("comm_open", {"comm_id": "c1", "target_name": "echo", "data": {"hello": 1}}))
        info = self.kc.comm_info(reply=True, timeout=30)["content"]
        self.assertEqual(info["comms"], {"c1": {"target_name": "echo"}})
        self.kc.shell_channel.send(self.kc.session.msg("comm_msg", {"comm_id": "c1", "data": {"n": 2}}))
        echoed = None
        for _ in range(50):
            msg = self.kc.get_iopub_msg(timeout=30)
            if msg["msg_type"] == "comm_msg":
                echoed = msg["content"]
                break
        self.assertEqual(echoed, {"comm_id": "c1", "data": {"echoed": {"n": 2}}})
        self.kc.shell_channel.send(self.kc.session.msg("comm_close", {"comm_id": "c1", "data": {}}))
        reply, outputs = self.run_ok("JSON.stringify(received)")
        self.assertEqual(result_of(outputs), '\'[{"hello":1},{"n":2}]\'')
        self.assertEqual(self.kc.comm_info(reply=True, timeout=30)["content"]["comms"], {})

    def test_comm_to_an_unknown_target_is_closed(self):
        self.run_ok("1 + 1")  # whose request the answer used to take as its parent
        request = self.kc.session.msg("comm_open", {"comm_id": "c2", "target_name": "nobody", "data": {}})
        self.kc.shell_channel.send(request)
        closed = [m["content"] for m in iopub_until_idle(self.kc, request["header"]["msg_id"]) if m["msg_type"] == "comm_close"]
        self.assertEqual([c["comm_id"] for c in closed], ["c2"])

    def test_a_comm_whose_target_throws_is_closed(self):
        # As in ipykernel: the frontend is told, and comm_info no longer lists it.
        self.run_ok('comms.registerTarget("throws", () => { throw new Error("cannot set up"); });')
        request = self.kc.session.msg("comm_open", {"comm_id": "c-throws", "target_name": "throws", "data": {}})
        self.kc.shell_channel.send(request)
        closed = [m["content"] for m in iopub_until_idle(self.kc, request["header"]["msg_id"]) if m["msg_type"] == "comm_close"]
        self.assertEqual([c["comm_id"] for c in closed], ["c-throws"])
        self.assertIn("cannot set up", closed[0]["data"]["error"])
        self.assertNotIn("c-throws", self.kc.comm_info(reply=True, timeout=30)["content"]["comms"])
        self.run_ok("1 + 1")

    def test_a_comm_whose_async_target_fails_later_is_closed_then(self):
        self.run_ok('comms.registerTarget("fails-later", async () => { await new Promise((r) => setTimeout(r, 50)); throw new Error("gave up"); });')
        request = self.kc.session.msg("comm_open", {"comm_id": "c-later", "target_name": "fails-later", "data": {}})
        self.kc.shell_channel.send(request)
        closed = []
        until = time.monotonic() + 30
        while not closed and time.monotonic() < until:
            message = self.kc.get_iopub_msg(timeout=30)
            if message["msg_type"] == "comm_close" and message["content"]["comm_id"] == "c-later":
                closed.append(message["content"])
        self.assertEqual(len(closed), 1)
        self.assertIn("gave up", closed[0]["data"]["error"])
        self.assertNotIn("c-later", self.kc.comm_info(reply=True, timeout=30)["content"]["comms"])
        self.run_ok("1 + 1")

    def test_a_comm_handler_that_throws_keeps_no_other_from_running(self):
        self.run_ok('const seen: unknown[] = [];\n'
                    'comms.registerTarget("two-handlers", (comm) => {\n'
                    '  comm.onMsg(() => { throw new Error("first fails"); });\n'
                    '  comm.onMsg((data) => { seen.push(data.n); });\n'
                    '  comm.onClose(() => { throw new Error("close fails"); });\n'
                    '  comm.onClose(() => { seen.push("closed"); });\n'
                    '});')
        for msg_type, content in [("comm_open", {"target_name": "two-handlers", "data": {}}), ("comm_msg", {"data": {"n": 7}}), ("comm_close", {"data": {}})]:
            request = self.kc.session.msg(msg_type, {"comm_id": "c-two", **content})
            self.kc.shell_channel.send(request)
            iopub_until_idle(self.kc, request["header"]["msg_id"])
        self.assertEqual(result_of(self.run_ok("seen")[1]), "[ 7, 'closed' ]")

    def test_comm_handlers_answer_the_request_they_handle(self):
        # As in ipykernel: output and messages of a comm's handlers, also from the promises they
        # start, have the comm_open or comm_msg as their parent, not the cell that ran last.
        self.run_ok("""comms.registerTarget("parented", (comm, data) => {
  console.log("opened", JSON.stringify(data));
  comm.onMsg((msg) => {
    console.log("msg", JSON.stringify(msg));
    comm.send({ got: msg });
    void Promise.resolve().then(() => console.log("then"));
  });
});""")
        self.run_ok("1 + 1")
        opening = self.kc.session.msg("comm_open", {"comm_id": "c3", "target_name": "parented", "data": {"a": 1}})
        self.kc.shell_channel.send(opening)
        self.addCleanup(lambda: self.kc.shell_channel.send(self.kc.session.msg("comm_close", {"comm_id": "c3", "data": {}})))
        opened = iopub_until_idle(self.kc, opening["header"]["msg_id"])
        message = self.kc.session.msg("comm_msg", {"comm_id": "c3", "data": {"z": 3}})
        self.kc.shell_channel.send(message)
        answered = iopub_until_idle(self.kc, message["header"]["msg_id"])
        self.assertEqual(text_of(opened), 'opened {"a":1}\n')
        self.assertEqual(text_of(answered), 'msg {"z":3}\nthen\n')
        self.assertEqual([m["content"] for m in answered if m["msg_type"] == "comm_msg"], [{"comm_id": "c3", "data": {"got": {"z": 3}}}])

    def test_kernel_opens_a_comm(self):
        reply, outputs = self.run_ok('const c = comms.open("from-kernel", { x: 1 }); c.id.length')
        opened = [m for m in outputs if m["msg_type"] == "comm_open"]
        self.assertEqual(opened[0]["content"]["target_name"], "from-kernel")
        self.assertEqual(opened[0]["content"]["data"], {"x": 1})


class HistoryAcrossRestarts(KernelTestCase):
    def test_history_survives_a_restart(self):
        marker = "'remember me across restarts'"
        self.run_ok(marker)
        self.km.restart_kernel(now=False)
        self.kc.wait_for_ready(timeout=60)
        reply = self.kc.history(hist_access_type="search", pattern="*remember me*", reply=True, timeout=30)["content"]
        self.assertEqual(reply["status"], "ok")
        self.assertIn(marker, [entry[2] for entry in reply["history"]])
        tail = self.kc.history(hist_access_type="tail", n=5, reply=True, timeout=30)["content"]["history"]
        self.assertIn(marker, [entry[2] for entry in tail])
        # The new session numbers its cells from 1 again, in a new session.
        self.run_ok("1")
        current = self.kc.history(hist_access_type="range", session=0, start=1, stop=2, reply=True, timeout=30)["content"]["history"]
        self.assertEqual([entry[2] for entry in current], ["1"])
        previous = self.kc.history(hist_access_type="range", session=-1, start=0, reply=True, timeout=30)["content"]["history"]
        self.assertIn(marker, [entry[2] for entry in previous])


    def test_n_0_asks_for_no_entries(self):
        # As in ipykernel; `-0` as a slice start is the whole list.
        self.run_ok("'in history'")
        for access in [{"hist_access_type": "tail"}, {"hist_access_type": "search", "pattern": "*"}]:
            reply = self.kc.history(n=0, reply=True, timeout=30, **access)["content"]
            self.assertEqual((reply["status"], reply["history"]), ("ok", []), access)

if __name__ == "__main__":
    unittest.main()
