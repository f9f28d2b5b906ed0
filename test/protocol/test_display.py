"""Rich output: display(), updateDisplay(), clearOutput(), binary data, Deno's
Symbol.for("Jupyter.display") convention, tslab's API and `import { display } from "parlab"`,
as IOPUB messages a frontend receives."""
import base64
import unittest

from harness import KernelTestCase, execute, text_of

PNG = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]


def b64(data):
    return base64.b64encode(bytes(data)).decode("ascii")


class Display(KernelTestCase):
    def rich(self, code):
        """Runs code; returns its display_data/update_display_data/clear_output/execute_result
        messages as (msg_type, content)."""
        reply, outputs = execute(self.kc, code)
        errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
        self.assertEqual(reply["content"]["status"], "ok", f"{code!r} failed: {errors}")
        kinds = ("display_data", "update_display_data", "clear_output", "execute_result")
        return [(m["msg_type"], m["content"]) for m in outputs if m["msg_type"] in kinds]

    def test_plain_value_is_text_plain(self):
        [(kind, content)] = self.rich("display([1, 2, 3])")
        self.assertEqual(kind, "display_data")
        self.assertEqual(content["data"], {"text/plain": "[ 1, 2, 3 ]"})
        self.assertIsInstance(content["metadata"], dict)

    def test_a_promise_shows_as_in_node_not_with_the_kernels_bookkeeping(self):
        # The forgotten `await`: it showed async ids and the cell's request, source and all.
        [(_, pending)] = self.rich("async function later() { await new Promise(() => {}); }\nlater()")
        self.assertEqual(pending["data"]["text/plain"], "Promise { <pending> }")
        [(_, settled)] = self.rich("async function one() { return 1; }\none()")
        self.assertEqual(settled["data"]["text/plain"], "Promise { 1 }")
        reply, outputs = execute(self.kc, "console.log([Promise.resolve(3)])")
        self.assertEqual(text_of(outputs), "[ Promise { 3 } ]\n")
        # Anything else that carries the cell's context names the cell, not its request.
        [(_, resource)] = self.rich('import { AsyncResource } from "node:async_hooks";\nnew AsyncResource("probe")')
        self.assertIn("[cell In[", resource["data"]["text/plain"])
        self.assertNotIn("msg_id", resource["data"]["text/plain"])

    def test_mime_bundle_is_sent_as_is(self):
        [(kind, content)] = self.rich('display({ "text/html": "<b>bold</b>", "text/plain": "bold" }, { metadata: { note: 1 } })')
        self.assertEqual(kind, "display_data")
        self.assertEqual(content["data"], {"text/html": "<b>bold</b>", "text/plain": "bold"})
        self.assertEqual(content["metadata"], {"note": 1})

    def test_update_display_by_id(self):
        [(kind, shown)] = self.rich('display({ "text/plain": "one" }, { displayId: "d1" })')
        self.assertEqual((kind, shown["transient"]), ("display_data", {"display_id": "d1"}))
        # Updated from a later cell, as a progress display would be.
        [(kind, updated)] = self.rich('updateDisplay("d1", { "text/plain": "two" })')
        self.assertEqual(kind, "update_display_data")
        self.assertEqual(updated["transient"], {"display_id": "d1"})
        self.assertEqual(updated["data"], {"text/plain": "two"})

    def test_clear_output(self):
        self.assertEqual(self.rich("clearOutput({ wait: true })"), [("clear_output", {"wait": True})])
        self.assertEqual(self.rich("clearOutput()"), [("clear_output", {"wait": False})])

    def test_what_the_notebook_format_refuses_is_the_cells_error(self):
        cases = {
            'display({ "text/html": 5 } as any)': '"text/html" must be a string or bytes, not a number',
            'display({ "text/plain": "shown" }, { displayId: 5 as any })': "displayId must be a non-empty string, not 5",
            '({ [Symbol.for("Jupyter.display")]() { return { "text/html": { tag: "b" } } } })': '"text/html" must be a string or bytes, not an object',
            # Found out only when the message was written, these failed far from the cell's line.
            'const loop: any = {};\nloop.self = loop;\ndisplay({ "application/json": loop })': '"application/json" cannot be sent as JSON: Converting circular structure',
            'display({ "application/json": { big: 10n } })': '"application/json" cannot be sent as JSON: Do not know how to serialize a BigInt',
            'display("x", { metadata: { big: 10n } })': "options.metadata cannot be sent as JSON",
            "display(1, null as any)": "options must be an object",
        }
        for code, message in cases.items():
            with self.subTest(code=code):
                reply, outputs = execute(self.kc, code)
                self.assertEqual((reply["content"]["status"], reply["content"]["ename"]), ("error", "TypeError"))
                self.assertIn(message, reply["content"]["evalue"])
                self.assertEqual([m for m in outputs if m["msg_type"] in ("display_data", "execute_result")], [])
        # JSON types take any JSON; the notebook format's list of lines is joined as nbformat reads it.
        [(_, content)] = self.rich('display({ "application/vnd.custom+json": { n: [1] }, "text/plain": ["a\\n", "b"] } as any)')
        self.assertEqual(content["data"], {"application/vnd.custom+json": {"n": [1]}, "text/plain": "a\nb"})

    def test_binary_data_is_base64(self):
        [(_, content)] = self.rich(f'display({{ "image/png": new Uint8Array({PNG}) }})')
        self.assertEqual(content["data"]["image/png"], b64(PNG))
        # A Buffer is a view into a shared pool, and a subarray starts at an offset: only the
        # viewed bytes count.
        [(_, pooled)] = self.rich(f'display({{ "image/png": Buffer.from({PNG}) }})')
        self.assertEqual(pooled["data"]["image/png"], b64(PNG))
        [(_, view)] = self.rich(f'display({{ "image/png": new Uint8Array([9, 9, ...{PNG}, 9]).subarray(2, {2 + len(PNG)}) }})')
        self.assertEqual(view["data"]["image/png"], b64(PNG))

    def test_jupyter_display_symbol(self):
        define = """class Shape {
  constructor(readonly name: string) {}
  [Symbol.for("Jupyter.display")]() { return { "text/html": `<i>${this.name}</i>`, "text/plain": this.name }; }
}"""
        self.rich(define)
        [(kind, content)] = self.rich('display(new Shape("circle"))')
        self.assertEqual((kind, content["data"]), ("display_data", {"text/html": "<i>circle</i>", "text/plain": "circle"}))
        # As a cell's value, too.
        [(kind, content)] = self.rich('new Shape("square")')
        self.assertEqual((kind, content["data"]), ("execute_result", {"text/html": "<i>square</i>", "text/plain": "square"}))
        # And on an object literal (its only key is a symbol, so it is no mime bundle itself).
        [(_, content)] = self.rich('display({ [Symbol.for("Jupyter.display")]: () => ({ "text/markdown": "*lit*" }) })')
        self.assertEqual(content["data"], {"text/markdown": "*lit*"})

    def test_tslab_display(self):
        [(kind, content)] = self.rich('import * as tslab from "tslab";\ntslab.display.html("<i>x</i>")')
        self.assertEqual((kind, content["data"]), ("display_data", {"text/html": "<i>x</i>"}))
        [(_, png)] = self.rich(f"tslab.display.png(new Uint8Array({PNG}))")
        self.assertEqual(png["data"], {"image/png": b64(PNG)})

    def test_tslab_new_display_updates_itself(self):
        outputs = self.rich('import * as tslab from "tslab";\nconst d = tslab.newDisplay();\nd.text("1");\nd.text("2");')
        self.assertEqual([kind for kind, _ in outputs], ["display_data", "update_display_data"])
        (_, first), (_, second) = outputs
        self.assertEqual((first["data"], second["data"]), ({"text/plain": "1"}, {"text/plain": "2"}))
        self.assertTrue(first["transient"].get("display_id"), first)
        self.assertEqual(second["transient"], first["transient"])

    def test_import_display_from_parlab(self):
        # The import shadows the global display() in later cells; both are the same API.
        [(kind, content)] = self.rich('import { display } from "parlab";\ndisplay({ "text/markdown": "**parlab**" })')
        self.assertEqual((kind, content["data"]), ("display_data", {"text/markdown": "**parlab**"}))


if __name__ == "__main__":
    unittest.main()
