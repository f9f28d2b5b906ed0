#!/usr/bin/env node
// What a kernelspec starts: the kernel alone. Skipping the CLI's argument parser saves ~20 ms of
// every kernel start; `parlab kernel <file>` does the same thing for people. CommonJS, so the
// transport thread starts before Node's ESM loader does, and boots beside it rather than after.
import { launchTransportThread } from "./transport/launch.cjs";

const [connectionFile, ...extra] = process.argv.slice(2);
if (!connectionFile || extra.length > 0) {
  process.stderr.write("usage: run-kernel.cjs <connection-file>\n");
  process.exit(2);
}
const transportThread = launchTransportThread(connectionFile);
import("./main.js")
  .then(({ startKernel }) => startKernel(transportThread))
  .catch((error: Error) => {
    // A bad connection file is said in one line; anything else is a bug, and keeps its stack.
    process.stderr.write(error.name === "ConnectionFileError" ? `parlab kernel: ${error.message}\n` : `${error.stack ?? error}\n`);
    process.exit(1);
  });
