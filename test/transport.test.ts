import { test } from "node:test";
import { runPythonTests } from "./helpers/unittest.js";

test("transport: tcp and ipc, binding only what the connection file names", (t) => runPythonTests(t, "test_transport"));
