import { test } from "node:test";
import { runPythonTests } from "./helpers/unittest.js";

test("interrupt: busy loop, loop after await, pending await × message and signal modes", (t) => runPythonTests(t, "test_interrupt"));
