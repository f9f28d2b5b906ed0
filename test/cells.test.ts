import { test } from "node:test";
import { runPythonTests } from "./helpers/unittest.js";

test("cells: imports, introspection, input, comms, history", (t) => runPythonTests(t, "test_cells"));
