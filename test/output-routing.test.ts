import { test } from "node:test";
import { runPythonTests } from "./helpers/unittest.js";

test("output lands in the cell that produced it", (t) => runPythonTests(t, "test_output_routing"));
