import { test } from "node:test";
import { runPythonTests } from "./helpers/unittest.js";

test("shutdown and restart: reply, prompt exit, nothing left running", (t) => runPythonTests(t, "test_shutdown"));
