#!/usr/bin/env node
// The `parlab` command: starts the kernel for Jupyter, installs or removes its kernelspec, and runs
// notebooks headless.
import { Command, InvalidArgumentError, Option } from "commander";
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
    const { launchTransportThread } = await import("./transport/launch.cjs");
    const transportThread = launchTransportThread(connectionFile);
    const { startKernel } = await import("./main.js");
    const { ConnectionFileError } = await import("./wire/connection.js");
    try {
      await startKernel(transportThread);
    } catch (error) {
      if (!(error instanceof ConnectionFileError)) throw error;
      process.stderr.write(`parlab kernel: ${error.message}\n`);
      process.exit(1);
    }
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

const seconds = (flag: string) => (value: string) => {
  const number = Number(value);
  if (!(number > 0)) throw new InvalidArgumentError(`${flag} takes a number of seconds above 0, not "${value}"`);
  return number;
};

program
  .command("run")
  .description("execute notebooks headless with a fresh kernel each; write executed .ipynb and offline .html files")
  .argument("[notebooks...]", "notebook files or folders (searched for .ipynb)", [])
  .option("-o, --out <dir>", "where executed notebooks, their .html and index.html go", "out")
  .option("--timeout <seconds>", "interrupt a cell that runs longer, and stop its notebook", seconds("--timeout"))
  .option("--notebook-timeout <seconds>", "interrupt a notebook that runs longer in total", seconds("--notebook-timeout"))
  .option("--allow-errors", "keep running a notebook after a cell fails (its error stays in the output)", false)
  .option("--kernel <name>", "a kernelspec installed for Jupyter (default: this package's parlab kernel, nothing installed needed)")
  .option("--cwd <dir>", "the kernels' working folder (default: each notebook's own folder)")
  .option("-p, --parameter <name=value>", "set a variable after the cell tagged \"parameters\"; JSON values (42, true, [1,2]) keep their type, other text is a string; repeatable",
    (value: string, previous: string[]) => [...previous, value], [] as string[])
  .option("--server <url>", "run on this Jupyter Server instead of starting kernels here (with --token)")
  .option("--token <token>", "the Jupyter Server's token (or set JUPYTER_TOKEN)", process.env.JUPYTER_TOKEN)
  .action(async (notebooks: string[], options: { out: string; timeout?: number; notebookTimeout?: number; allowErrors: boolean; kernel?: string; cwd?: string; parameter: string[]; server?: string; token?: string }) => {
    const { runCommand } = await import("../src/runner/run-command.js");
    try {
      process.exitCode = await runCommand(notebooks, { ...options, parameters: options.parameter });
    } catch (error) {
      process.stderr.write(`parlab run: ${(error as Error).message}\n`);
      process.exitCode = 2;
    }
  });

await program.parseAsync(process.argv);
