"""The official Jupyter kernel conformance suite (jupyter_kernel_test), run against parlab.

Run by test/conformance.test.ts with the parlab kernelspec installed in a temporary Jupyter
data dir; the samples below are TypeScript.
"""
import unittest

import jupyter_kernel_test


class ParlabKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "parlab"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("oops")'

    completion_samples = [
        {"text": "Math.fl", "matches": {"floor"}},
        {"text": "const someLongName = 1; someLo", "matches": {"someLongName"}},
    ]

    complete_code_samples = ["1 + 1", "const x = 1;", "function f() {\n  return 1;\n}", "for (const i of [1]) {}"]
    incomplete_code_samples = ["function f() {", "const xs = [1,", "if (true) {\n  console.log(1);", "const t = `abc"]
    invalid_code_samples = ["const = 1;", "1 +* 2;", "let x = );"]

    code_generate_error = 'throw new Error("planned failure")'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"a" + "b"', "result": "'ab'"},
        {"code": "[1, 2, 3].map((n) => n * 2)", "result": "[ 2, 4, 6 ]"},
    ]

    code_display_data = [
        {"code": 'display({ "text/html": "<b>bold</b>" })', "mime": "text/html"},
        {"code": 'display({ "image/svg+xml": "<svg xmlns=\\"http://www.w3.org/2000/svg\\"/>" })', "mime": "image/svg+xml"},
        {"code": 'import * as tslab from "tslab"; tslab.display.markdown("**tslab**")', "mime": "text/markdown"},
    ]

    code_history_pattern = "6 * 7"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.max"

    code_clear_output = "clearOutput()"

    code_page_something = "?Math.max"


if __name__ == "__main__":
    unittest.main()
