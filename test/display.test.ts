import { test } from "node:test";
import { runPythonTests } from "./helpers/unittest.js";

test("display, updateDisplay, clearOutput and tslab's API", (t) => runPythonTests(t, "test_display"));
