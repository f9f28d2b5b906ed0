import { test } from "node:test";
import { runPythonTests } from "./helpers/unittest.js";

test("security: forged, unsigned and garbage messages", (t) => runPythonTests(t, "test_security"));
