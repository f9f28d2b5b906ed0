#!/usr/bin/env node
// The `parlab` command: starts the kernel for Jupyter, and installs or removes its kernelspec.
import { Command, Option } from "commander";
import { readFileSync } from "node:fs";

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

const program = new Command("parlab")
  .description("A TypeScript Jupyter kernel and notebook runtime")
  .version(version)
  .showHelpAfterError();

program
  .command("kernel")
  .description("run the kernel (Jupyter starts this from the kernelspec)")
  .argument("<connection-file>", "the JSON connection file Jupyter wrote for this kernel")
  .action(async (connectionFile: string) => {
    const { startKernel } = await import("./main.js");
    await startKernel(connectionFile);
  });

program
  .command("install")
  .description("register the parlab kernel with Jupyter (writes a kernelspec; no Python needed)")
  .addOption(new Option("--user", "install for the current user (the default)"))
  .addOption(new Option("--sys-prefix", "install into the Python environment's prefix (sys.prefix)"))
  .addOption(new Option("--prefix <dir>", "install into <dir>/share/jupyter/kernels"))
  .option("--name <name>", "kernelspec name", "parlab")
  .option("--display-name <text>", "name shown in Jupyter's launcher", "TypeScript (parlab)")
  .addOption(new Option("--interrupt-mode <mode>", "how Jupyter interrupts the kernel").choices(["message", "signal"]).default("message"))
  .action(async (options) => {
    const { installCommand } = await import("./install/command.js");
    await installCommand(options);
  });

program
  .command("uninstall")
  .description("remove the parlab kernelspec")
  .addOption(new Option("--user", "remove the current user's kernelspec (the default)"))
  .addOption(new Option("--sys-prefix", "remove from the Python environment's prefix"))
  .addOption(new Option("--prefix <dir>", "remove from <dir>/share/jupyter/kernels"))
  .option("--name <name>", "kernelspec name", "parlab")
  .action(async (options) => {
    const { uninstallCommand } = await import("./install/command.js");
    await uninstallCommand(options);
  });

await program.parseAsync(process.argv);
