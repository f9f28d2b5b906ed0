import { test } from "node:test";
import { runPythonTests } from "./helpers/unittest.js";

test("execute: options, errors, re-running, types across cells", (t) => runPythonTests(t, "test_execute"));
