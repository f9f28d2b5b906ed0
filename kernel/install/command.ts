// `parlab install` and `parlab uninstall`: pick the kernelspec directory, then write or remove it.
import { existsSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { InstallError } from "./install-error.js";
import { kernelSearchPath, kernelSpecDir, type Location, type Machine } from "./jupyter-paths.js";
import { kernelEntryPath, kernelJson, kernelSpecName, removeKernelSpec, writeKernelSpec, type InterruptMode } from "./kernelspec.js";

interface LocationFlags {
  user?: boolean;
  sysPrefix?: boolean;
  prefix?: string;
}

export interface InstallOptions extends LocationFlags {
  name: string;
  displayName: string;
  interruptMode: InterruptMode;
}

export interface UninstallOptions extends LocationFlags {
  name: string;
}

export function chooseLocation(flags: LocationFlags): Location {
  const given = [
    flags.user ? "--user" : undefined,
    flags.sysPrefix ? "--sys-prefix" : undefined,
    flags.prefix !== undefined ? "--prefix" : undefined,
  ].filter((flag) => flag !== undefined);
  if (given.length > 1) {
    throw new InstallError(`Choose one of --user, --sys-prefix or --prefix, not ${given.join(" and ")}.`);
  }
  if (flags.prefix !== undefined) {
    if (flags.prefix === "") throw new InstallError("--prefix needs a directory.");
    return { kind: "prefix", prefix: flags.prefix };
  }
  return flags.sysPrefix ? { kind: "sys-prefix" } : { kind: "user" };
}

function thisMachine(): Machine {
  const home = homedir();
  let realHome = home;
  try {
    realHome = realpathSync(home); // jupyter_core resolves symlinks in the home directory too
  } catch {
    // A home directory that does not exist yet is still where Jupyter will look.
  }
  return { platform: process.platform, env: process.env, homedir: realHome, cwd: process.cwd() };
}

/** npx runs packages it had to download from a cache that npm may clear at any time. */
function warnIfRunningFromNpxCache(): void {
  if (kernelEntryPath.includes(`${path.sep}_npx${path.sep}`)) {
    console.error(
      `Warning: parlab is running from npx's temporary cache (${kernelEntryPath}); the kernel will stop ` +
        "starting once npm clears it. Install parlab (npm install parlab) and run its install again.",
    );
  }
}

/**
 * Says so when Jupyter will not start the kernelspec just installed: its folder is not one Jupyter
 * searches (jupyter_client warns of the same), or one searched before it holds a kernelspec of
 * the same name. Otherwise "Installed" would be all the user hears of a kernel they cannot use.
 */
function warnIfJupyterWillNotFind(machine: Machine, specDir: string, name: string): void {
  const kernelsDir = path.resolve(path.dirname(specDir));
  const searched = kernelSearchPath(machine).map((dir) => path.resolve(dir));
  const position = searched.indexOf(kernelsDir);
  if (position === -1) {
    const dataDir = path.dirname(kernelsDir);
    console.error(
      `Warning: Jupyter may not find this kernel: it looks in ${searched.join(", ")}, and in <sys.prefix>/share/jupyter/kernels ` +
        `of the Python that runs it. Unless that Python's sys.prefix is ${path.dirname(path.dirname(dataDir))}, add ${dataDir} to JUPYTER_PATH.`,
    );
    return;
  }
  const shadowing = searched.slice(0, position).find((dir) => existsSync(path.join(dir, name, "kernel.json")));
  if (shadowing !== undefined) {
    console.error(`Warning: Jupyter will start the kernelspec in ${path.join(shadowing, name)} instead, which it finds first.`);
  }
}

/** Reports mistakes the user can fix as one line and exit code 1; lets real bugs keep their stack. */
async function reportingUserErrors(command: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    // Filesystem failures (EACCES on a system prefix, say) are about the machine, not our code.
    const isSystemError = error instanceof Error && "code" in error && "syscall" in error;
    if (!(error instanceof InstallError) && !isSystemError) throw error;
    console.error(`parlab ${command}: ${error.message}`);
    process.exitCode = 1;
  }
}

export async function installCommand(options: InstallOptions): Promise<void> {
  await reportingUserErrors("install", async () => {
    const name = kernelSpecName(options.name);
    const machine = thisMachine();
    const specDir = kernelSpecDir(machine, chooseLocation(options), name);
    warnIfRunningFromNpxCache();
    await writeKernelSpec(specDir, kernelJson(options.displayName, options.interruptMode));
    console.log(`Installed kernelspec ${name} in ${specDir}`);
    warnIfJupyterWillNotFind(machine, specDir, name);
  });
}

export async function uninstallCommand(options: UninstallOptions): Promise<void> {
  await reportingUserErrors("uninstall", async () => {
    const name = kernelSpecName(options.name);
    const specDir = kernelSpecDir(thisMachine(), chooseLocation(options), name);
    await removeKernelSpec(specDir, name);
    console.log(`Removed kernelspec ${name} from ${specDir}`);
  });
}
