// The kernelspec installer: Jupyter's path rules on every OS, and real installs checked by the
// real `jupyter kernelspec list`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chooseLocation } from "../kernel/install/command.js";
import { InstallError } from "../kernel/install/install-error.js";
import { kernelSpecDir, sysPrefixDataDir, userDataDir, type Machine } from "../kernel/install/jupyter-paths.js";
import { kernelEntryPath, kernelJson, kernelSpecName, type KernelJson } from "../kernel/install/kernelspec.js";

const builtCli = fileURLToPath(new URL("../kernel/cli.js", import.meta.url));
const builtEntry = fileURLToPath(new URL("../kernel/run-kernel.cjs", import.meta.url));
/** Node sizes V8's background threads to the machine (see kernelArgv). */
const expectedArgv = [process.execPath, "--v8-pool-size=0", builtEntry, "{connection_file}"];

function linux(env: Machine["env"] = {}): Machine {
  return { platform: "linux", env, homedir: "/home/ada", cwd: "/work" };
}
function mac(env: Machine["env"] = {}): Machine {
  return { platform: "darwin", env, homedir: "/Users/ada", cwd: "/Users/ada/project" };
}
function windows(env: Machine["env"] = {}): Machine {
  return { platform: "win32", env, homedir: "C:\\Users\\ada", cwd: "C:\\work" };
}

// ---- where the user's kernelspecs go ----

test("linux: ~/.local/share/jupyter, or $XDG_DATA_HOME/jupyter", () => {
  assert.equal(userDataDir(linux()), "/home/ada/.local/share/jupyter");
  assert.equal(userDataDir(linux({ XDG_DATA_HOME: "/data" })), "/data/jupyter");
  assert.equal(userDataDir(linux({ XDG_DATA_HOME: "" })), "/home/ada/.local/share/jupyter", "empty means unset");
});

test("macOS: ~/Library/Jupyter, whatever XDG_DATA_HOME says", () => {
  assert.equal(userDataDir(mac()), "/Users/ada/Library/Jupyter");
  assert.equal(userDataDir(mac({ XDG_DATA_HOME: "/data" })), "/Users/ada/Library/Jupyter");
});

test("windows: %APPDATA%\\jupyter, else the config dir's data folder", () => {
  const appData = "C:\\Users\\ada\\AppData\\Roaming";
  assert.equal(userDataDir(windows({ APPDATA: appData })), "C:\\Users\\ada\\AppData\\Roaming\\jupyter");
  assert.equal(userDataDir(windows()), "C:\\Users\\ada\\.jupyter\\data");
  assert.equal(userDataDir(windows({ JUPYTER_CONFIG_DIR: "D:\\cfg" })), "D:\\cfg\\data");
});

test("JUPYTER_DATA_DIR wins on every OS", () => {
  assert.equal(userDataDir(linux({ JUPYTER_DATA_DIR: "/jd", XDG_DATA_HOME: "/data" })), "/jd");
  assert.equal(userDataDir(mac({ JUPYTER_DATA_DIR: "/jd" })), "/jd");
  assert.equal(userDataDir(windows({ JUPYTER_DATA_DIR: "D:\\jd", APPDATA: "C:\\a" })), "D:\\jd");
  assert.equal(userDataDir(linux({ JUPYTER_DATA_DIR: "" })), "/home/ada/.local/share/jupyter", "empty means unset");
});

test("JUPYTER_PLATFORM_DIRS=1 switches to platformdirs' locations", () => {
  assert.equal(userDataDir(mac({ JUPYTER_PLATFORM_DIRS: "1" })), "/Users/ada/Library/Application Support/Jupyter");
  assert.equal(
    userDataDir(windows({ JUPYTER_PLATFORM_DIRS: "1", LOCALAPPDATA: "C:\\Users\\ada\\AppData\\Local" })),
    "C:\\Users\\ada\\AppData\\Local\\Jupyter",
  );
  assert.equal(userDataDir(linux({ JUPYTER_PLATFORM_DIRS: "1" })), "/home/ada/.local/share/jupyter");
  assert.equal(userDataDir(mac({ JUPYTER_PLATFORM_DIRS: "no" })), "/Users/ada/Library/Jupyter");
});

// ---- --sys-prefix and --prefix ----

test("--sys-prefix uses the active venv or conda env", () => {
  assert.equal(sysPrefixDataDir(linux({ VIRTUAL_ENV: "/work/.venv" })), "/work/.venv/share/jupyter");
  assert.equal(sysPrefixDataDir(linux({ CONDA_PREFIX: "/opt/conda/envs/x" })), "/opt/conda/envs/x/share/jupyter");
  assert.equal(
    sysPrefixDataDir(linux({ VIRTUAL_ENV: "/work/.venv", CONDA_PREFIX: "/opt/conda" })),
    "/work/.venv/share/jupyter",
    "a venv on top of conda is the inner environment",
  );
  assert.equal(sysPrefixDataDir(windows({ CONDA_PREFIX: "C:\\conda" })), "C:\\conda\\share\\jupyter");
});

test("--sys-prefix without an active environment says what to do instead", () => {
  assert.throws(() => sysPrefixDataDir(linux()), (error: unknown) => {
    assert.ok(error instanceof InstallError);
    assert.match(error.message, /--sys-prefix needs an active Python environment/);
    assert.match(error.message, /--prefix/);
    return true;
  });
});

test("kernels go in <data dir>/kernels/<name>; a relative --prefix is resolved", () => {
  assert.equal(kernelSpecDir(linux(), { kind: "user" }, "parlab"), "/home/ada/.local/share/jupyter/kernels/parlab");
  assert.equal(kernelSpecDir(linux(), { kind: "prefix", prefix: "env" }, "parlab"), "/work/env/share/jupyter/kernels/parlab");
  assert.equal(
    kernelSpecDir(windows(), { kind: "prefix", prefix: "C:\\py" }, "parlab"),
    "C:\\py\\share\\jupyter\\kernels\\parlab",
  );
});

test("only one location flag at a time; --user is the default", () => {
  assert.deepEqual(chooseLocation({}), { kind: "user" });
  assert.deepEqual(chooseLocation({ sysPrefix: true }), { kind: "sys-prefix" });
  assert.deepEqual(chooseLocation({ prefix: "/p" }), { kind: "prefix", prefix: "/p" });
  assert.throws(() => chooseLocation({ user: true, prefix: "/p" }), /--user and --prefix/);
  assert.throws(() => chooseLocation({ user: true, sysPrefix: true, prefix: "/p" }), /--user and --sys-prefix and --prefix/);
});

// ---- kernel.json ----

test("kernelspec names follow Jupyter's rule and are stored lowercased", () => {
  assert.equal(kernelSpecName("parlab"), "parlab");
  assert.equal(kernelSpecName("ParLab-2.x_dev"), "parlab-2.x_dev");
  for (const bad of ["", "par lab", "par/lab", "pär", "..", "."]) {
    assert.throws(() => kernelSpecName(bad), InstallError, JSON.stringify(bad));
  }
});

test("kernel.json runs this node on the built kernel entry, with absolute paths", () => {
  const spec = kernelJson("TypeScript (parlab)", "message");
  assert.deepEqual(spec.argv, expectedArgv);
  assert.equal(kernelEntryPath, builtEntry);
  assert.ok(existsSync(builtEntry));
  assert.deepEqual(
    { ...spec, argv: [] },
    { argv: [], display_name: "TypeScript (parlab)", language: "typescript", interrupt_mode: "message", metadata: { debugger: false } },
  );
});

// ---- end to end: the built CLI, checked by the real Jupyter ----

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A sandbox whose HOME and Jupyter dirs are temporary, so no test can touch the real ones. */
function sandbox(): { root: string; env: NodeJS.ProcessEnv } {
  const root = mkdtempSync(path.join(tmpdir(), "parlab-kernelspec-"));
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(JUPYTER_|XDG_|VIRTUAL_ENV|CONDA_)/.test(key)) env[key] = value;
  }
  env["HOME"] = path.join(root, "home");
  env["JUPYTER_DATA_DIR"] = path.join(root, "user");
  env["JUPYTER_PATH"] = path.join(root, "prefix", "share", "jupyter");
  return { root, env };
}

function parlab(args: string[], env: NodeJS.ProcessEnv): Run {
  const { status, stdout, stderr } = spawnSync(process.execPath, [builtCli, ...args], { env, encoding: "utf8" });
  return { status, stdout, stderr };
}

const python = "/usr/bin/python3";
const jupyterMissing = spawnSync(python, ["-c", "import jupyter_client"]).status !== 0;
const needsJupyter = { skip: jupyterMissing ? `no jupyter_client for ${python}` : false };

/** What Jupyter itself finds, keyed by kernelspec name. */
function jupyterKernelspecs(env: NodeJS.ProcessEnv): Record<string, { resource_dir: string; spec: KernelJson }> {
  const result = spawnSync(python, ["-m", "jupyter", "kernelspec", "list", "--json"], { env, encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  return (JSON.parse(result.stdout) as { kernelspecs: Record<string, { resource_dir: string; spec: KernelJson }> }).kernelspecs;
}

function assertUserError(run: Run, message: RegExp): void {
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stderr, message);
  assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace for a user error");
  assert.equal(run.stdout, "");
}

test("install --prefix: Jupyter finds the spec, and uninstall removes it", needsJupyter, (t) => {
  const { root, env } = sandbox();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const prefix = path.join(root, "prefix");
  const specDir = path.join(prefix, "share", "jupyter", "kernels", "parlab");

  const install = parlab(["install", "--prefix", prefix], env);
  assert.equal(install.status, 0, install.stderr);
  assert.equal(install.stdout, `Installed kernelspec parlab in ${specDir}\n`);
  assert.deepEqual(readdirSync(specDir).sort(), ["kernel.json", "logo-32x32.png", "logo-64x64.png", "logo-svg.svg"]);

  const found = jupyterKernelspecs(env)["parlab"];
  assert.ok(found, "jupyter kernelspec list shows parlab");
  assert.equal(found.resource_dir, specDir);
  assert.deepEqual(found.spec.argv, expectedArgv);
  assert.equal(found.spec.interrupt_mode, "message");
  assert.equal(found.spec.language, "typescript");
  assert.equal(found.spec.display_name, "TypeScript (parlab)");

  const uninstall = parlab(["uninstall", "--prefix", prefix], env);
  assert.equal(uninstall.status, 0, uninstall.stderr);
  assert.equal(uninstall.stdout, `Removed kernelspec parlab from ${specDir}\n`);
  assert.equal(existsSync(specDir), false);
  assert.equal(jupyterKernelspecs(env)["parlab"], undefined);
});

test("install --user honours JUPYTER_DATA_DIR, --name, --display-name, --interrupt-mode", needsJupyter, (t) => {
  const { root, env } = sandbox();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const specDir = path.join(root, "user", "kernels", "parlab-dev");

  const install = parlab(
    ["install", "--user", "--name", "ParLab-Dev", "--display-name", "TS dev", "--interrupt-mode", "signal"],
    env,
  );
  assert.equal(install.status, 0, install.stderr);
  assert.equal(install.stdout, `Installed kernelspec parlab-dev in ${specDir}\n`);

  const found = jupyterKernelspecs(env)["parlab-dev"];
  assert.ok(found, "jupyter kernelspec list shows parlab-dev");
  assert.equal(found.resource_dir, specDir);
  assert.equal(found.spec.interrupt_mode, "signal");
  assert.equal(found.spec.display_name, "TS dev");
  assert.deepEqual(found.spec.argv, expectedArgv);

  // No location flag means --user, for uninstall as for install.
  const uninstall = parlab(["uninstall", "--name", "parlab-dev"], env);
  assert.equal(uninstall.status, 0, uninstall.stderr);
  assert.equal(jupyterKernelspecs(env)["parlab-dev"], undefined);
});

test("reinstalling replaces the old spec completely and leaves nothing beside it", (t) => {
  const { root, env } = sandbox();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const kernelsDir = path.join(root, "user", "kernels");

  assert.equal(parlab(["install", "--display-name", "first"], env).status, 0);
  writeFileSync(path.join(kernelsDir, "parlab", "stale.txt"), "from an older version");
  const again = parlab(["install", "--display-name", "second"], env);
  assert.equal(again.status, 0, again.stderr);

  assert.deepEqual(readdirSync(path.join(root, "user")), ["kernels"], "no staged or retired copies left");
  assert.deepEqual(readdirSync(kernelsDir), ["parlab"]);
  assert.equal(existsSync(path.join(kernelsDir, "parlab", "stale.txt")), false);
  const spec = JSON.parse(readFileSync(path.join(kernelsDir, "parlab", "kernel.json"), "utf8")) as KernelJson;
  assert.equal(spec.display_name, "second");
});

test("uninstalling a symlinked spec removes the link, not what it points to", (t) => {
  const { root, env } = sandbox();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const devSpec = path.join(root, "dev-spec");
  mkdirSync(devSpec);
  writeFileSync(path.join(devSpec, "kernel.json"), "{}");
  mkdirSync(path.join(root, "user", "kernels"), { recursive: true });
  symlinkSync(devSpec, path.join(root, "user", "kernels", "parlab"));

  assert.equal(parlab(["uninstall"], env).status, 0);
  assert.deepEqual(readdirSync(path.join(root, "user", "kernels")), []);
  assert.ok(existsSync(path.join(devSpec, "kernel.json")));
});

test("install --sys-prefix writes into the active environment, or explains why it cannot", (t) => {
  const { root, env } = sandbox();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const venv = path.join(root, "venv");

  assertUserError(parlab(["install", "--sys-prefix"], env), /--sys-prefix needs an active Python environment/);

  const install = parlab(["install", "--sys-prefix"], { ...env, VIRTUAL_ENV: venv });
  assert.equal(install.status, 0, install.stderr);
  assert.ok(existsSync(path.join(venv, "share", "jupyter", "kernels", "parlab", "kernel.json")));
});

test("install says when Jupyter will not start what it installed: a folder it does not search, or a same-named spec it finds first", (t) => {
  const { root, env } = sandbox();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const elsewhere = path.join(root, "elsewhere");
  const unsearched = parlab(["install", "--prefix", elsewhere], env);
  assert.equal(unsearched.status, 0, unsearched.stderr);
  assert.ok(existsSync(path.join(elsewhere, "share", "jupyter", "kernels", "parlab", "kernel.json")), "installed all the same, as by jupyter_client");
  assert.match(unsearched.stderr, /^Warning: Jupyter may not find this kernel: .* add \S+ to JUPYTER_PATH\.$/m);
  assert.ok(unsearched.stderr.includes(path.join(elsewhere, "share", "jupyter")), unsearched.stderr);

  // JUPYTER_PATH is searched before the user's data dir.
  assert.equal(parlab(["install", "--prefix", path.join(root, "prefix")], env).stderr, "");
  const shadowed = parlab(["install", "--user"], env);
  assert.equal(shadowed.status, 0, shadowed.stderr);
  assert.equal(shadowed.stderr, `Warning: Jupyter will start the kernelspec in ${path.join(root, "prefix", "share", "jupyter", "kernels", "parlab")} instead, which it finds first.\n`);
});

test("user errors exit 1 with one line naming the problem", (t) => {
  const { root, env } = sandbox();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const prefix = path.join(root, "prefix");

  assertUserError(parlab(["install", "--user", "--prefix", prefix], env), /--user and --prefix/);
  assertUserError(parlab(["uninstall", "--sys-prefix", "--prefix", prefix], env), /--sys-prefix and --prefix/);
  assertUserError(parlab(["install", "--name", "par lab"], env), /Invalid kernelspec name "par lab"/);
  assertUserError(parlab(["install", "--name", ".."], env), /Invalid kernelspec name "\.\."/);

  const missing = path.join(prefix, "share", "jupyter", "kernels", "parlab");
  const uninstall = parlab(["uninstall", "--prefix", prefix], env);
  assertUserError(uninstall, /No kernelspec parlab to remove/);
  assert.ok(uninstall.stderr.includes(missing), uninstall.stderr);

  // Something that is not a kernelspec is left alone.
  mkdirSync(missing, { recursive: true });
  assertUserError(parlab(["uninstall", "--prefix", prefix], env), /not a kernelspec/);
  assert.ok(existsSync(missing));

  // The filesystem refusing is reported the same way.
  const aFile = path.join(root, "a-file");
  writeFileSync(aFile, "");
  assertUserError(parlab(["install", "--prefix", aFile], env), /ENOTDIR/);
});

test("a location where mkdir says ENOENT under an existing parent fails instead of hanging", {
  skip: existsSync("/proc/self") ? false : "needs Linux's /proc",
}, (t) => {
  const { root, env } = sandbox();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const { status, stderr, error } = spawnSync(process.execPath, [builtCli, "install", "--prefix", "/proc/parlab-test"], {
    env,
    encoding: "utf8",
    timeout: 10_000,
  });
  assert.equal(error, undefined, "the install finished");
  assertUserError({ status, stdout: "", stderr }, /ENOENT.*\/proc\/parlab-test/);
});
