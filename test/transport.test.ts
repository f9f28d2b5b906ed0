import { test } from "node:test";
import { runPythonTests } from "./helpers/unittest.js";

test("transport: tcp and ipc, binding only what the connection file names; kernel_info on control while a cell is busy", (t) => runPythonTests(t, "test_transport"));
