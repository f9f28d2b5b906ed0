import { test } from "node:test";
import { runPythonTests } from "./helpers/unittest.js";

test("pools in the kernel: output, re-runs, crashes, restart", (t) => runPythonTests(t, "test_pools"));
