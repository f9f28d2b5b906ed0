// Where Jupyter looks for kernelspecs, following jupyter_core.paths and
// jupyter_client.kernelspec. Everything here is a pure function of the machine description
// passed in, so the rules for every OS can be tested on any OS.
import path from "node:path";
import { InstallError } from "./install-error.js";

export interface Machine {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  /** The home directory with symlinks resolved, as jupyter_core's get_home_dir() returns it. */
  homedir: string;
  /** Where a relative --prefix is resolved from. */
  cwd: string;
}

/** Which of the three places a kernelspec can go; at most one flag may choose it. */
export type Location = { kind: "user" } | { kind: "sys-prefix" } | { kind: "prefix"; prefix: string };

/** Paths must use the target OS's separators, not the separators of the OS running the tests. */
function pathFor(machine: Machine): path.PlatformPath {
  return machine.platform === "win32" ? path.win32 : path.posix;
}

/** Python treats an empty environment variable as unset (`if env.get(...)`); so do we. */
function envValue(machine: Machine, name: string): string | undefined {
  const value = machine.env[name];
  return value ? value : undefined;
}

/** jupyter_core's envset(): set to anything but a "no"-like word. */
function envFlag(machine: Machine, name: string): boolean {
  const value = machine.env[name];
  return value !== undefined && !["no", "n", "false", "off", "0", "0.0"].includes(value.toLowerCase());
}

function configDir(machine: Machine): string {
  return envValue(machine, "JUPYTER_CONFIG_DIR") ?? pathFor(machine).join(machine.homedir, ".jupyter");
}

/**
 * jupyter_core 5 lets users opt in to platformdirs' locations ahead of making them the default
 * in v6; someone who set JUPYTER_PLATFORM_DIRS=1 has Jupyter reading from these instead.
 */
function platformDirsDataDir(machine: Machine): string {
  const p = pathFor(machine);
  switch (machine.platform) {
    case "darwin":
      return p.join(machine.homedir, "Library", "Application Support", "Jupyter");
    case "win32": {
      const localAppData = envValue(machine, "LOCALAPPDATA") ?? p.join(machine.homedir, "AppData", "Local");
      return p.join(localAppData, "Jupyter");
    }
    default: {
      // platformdirs, unlike jupyter_core, also treats a blank value as unset.
      const xdg = machine.env["XDG_DATA_HOME"];
      return p.join(xdg?.trim() ? xdg : p.join(machine.homedir, ".local", "share"), "jupyter");
    }
  }
}

/** jupyter_core.paths.jupyter_data_dir(): the per-user data directory. */
export function userDataDir(machine: Machine): string {
  const explicit = envValue(machine, "JUPYTER_DATA_DIR");
  if (explicit) return explicit;
  if (envFlag(machine, "JUPYTER_PLATFORM_DIRS")) return platformDirsDataDir(machine);

  const p = pathFor(machine);
  switch (machine.platform) {
    case "darwin":
      return p.join(machine.homedir, "Library", "Jupyter");
    case "win32": {
      const appData = envValue(machine, "APPDATA");
      // Python resolves this one to an absolute path; the fallback is left as it is.
      return appData ? p.resolve(machine.cwd, appData, "jupyter") : p.join(configDir(machine), "data");
    }
    default: {
      const xdg = envValue(machine, "XDG_DATA_HOME") ?? p.join(machine.homedir, ".local", "share");
      return p.join(xdg, "jupyter");
    }
  }
}

/**
 * Python's sys.prefix, which we cannot ask Python for. An activated environment announces itself:
 * a venv built on top of an active conda env is the inner, more specific one, so it wins.
 */
export function activePythonPrefix(machine: Machine): string | undefined {
  return envValue(machine, "VIRTUAL_ENV") ?? envValue(machine, "CONDA_PREFIX");
}

/** `<prefix>/share/jupyter`, as jupyter_client's --prefix and ENV_JUPYTER_PATH both build it. */
export function prefixDataDir(machine: Machine, prefix: string): string {
  const p = pathFor(machine);
  return p.join(p.resolve(machine.cwd, prefix), "share", "jupyter");
}

export function sysPrefixDataDir(machine: Machine): string {
  const prefix = activePythonPrefix(machine);
  if (prefix === undefined) {
    throw new InstallError(
      "--sys-prefix needs an active Python environment (VIRTUAL_ENV or CONDA_PREFIX is not set). " +
        "Activate the environment that runs Jupyter, or name its prefix with --prefix <dir>.",
    );
  }
  return prefixDataDir(machine, prefix);
}

export function dataDirFor(machine: Machine, location: Location): string {
  switch (location.kind) {
    case "user":
      return userDataDir(machine);
    case "sys-prefix":
      return sysPrefixDataDir(machine);
    case "prefix":
      return prefixDataDir(machine, location.prefix);
  }
}

/** `<data dir>/kernels/<name>`: the directory holding one kernelspec's kernel.json and logos. */
export function kernelSpecDir(machine: Machine, location: Location, name: string): string {
  return pathFor(machine).join(dataDirFor(machine, location), "kernels", name);
}

/** jupyter_core.paths.jupyter_path("kernels"): where kernelspecs are looked for, first match wins. */
export function kernelSearchPath(machine: Machine): string[] {
  const p = pathFor(machine);
  const fromEnv = (envValue(machine, "JUPYTER_PATH") ?? "").split(machine.platform === "win32" ? ";" : ":").filter(Boolean);
  const prefix = activePythonPrefix(machine);
  const system = machine.platform === "win32"
    ? [p.join(envValue(machine, "PROGRAMDATA") ?? "C:\\ProgramData", "jupyter")]
    : ["/usr/local/share/jupyter", "/usr/share/jupyter"];
  const dirs = [...fromEnv, userDataDir(machine), ...(prefix ? [prefixDataDir(machine, prefix)] : []), ...system];
  return [...new Set(dirs)].map((dir) => p.join(dir, "kernels"));
}
