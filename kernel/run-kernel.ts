#!/usr/bin/env node
// What a kernelspec starts: the kernel alone. Skipping the CLI's argument parser saves ~20 ms of
// every kernel start; `parlab kernel <file>` does the same thing for people.
import { startKernel } from "./main.js";

const [connectionFile, ...extra] = process.argv.slice(2);
if (!connectionFile || extra.length > 0) {
  process.stderr.write("usage: run-kernel.js <connection-file>\n");
  process.exit(2);
}
await startKernel(connectionFile);
