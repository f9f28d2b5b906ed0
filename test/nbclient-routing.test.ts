import { test } from "node:test";
import { runPythonTests } from "./helpers/unittest.js";

test("nbclient: 40 awaiting cells x 20 runs, every output in its own cell", (t) => runPythonTests(t, "test_nbclient_routing"));
