// The TypeScript code cache in ~/.cache/parlab, through real Node processes that load the compiler.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const loader = fileURLToPath(new URL("../kernel/checker/typescript-loader.js", import.meta.url));

/** Loads the compiler in a new process, as the checker thread does, and saves its cache. */
function loadAndSave(cacheHome: string, nodeFlags: string[] = []): void {
  const script = path.join(cacheHome, "load.mjs");
  writeFileSync(script, `const { saveTypeScriptCodeCache } = await import(${JSON.stringify(loader)});\nsaveTypeScriptCodeCache();\n`);
  execFileSync(process.execPath, [...nodeFlags, script], { env: { ...process.env, XDG_CACHE_HOME: cacheHome, NODE_OPTIONS: "" } });
}

const caches = (cacheHome: string) => readdirSync(path.join(cacheHome, "parlab")).filter((name) => name.endsWith(".v8cache")).sort();

test("the code cache is made once, kept while V8 accepts it, and made apart for other Node flags", () => {
  const cacheHome = mkdtempSync(path.join(os.tmpdir(), "parlab-cache-"));
  loadAndSave(cacheHome);
  const [made, ...others] = caches(cacheHome);
  assert.ok(made, "a cache was written");
  assert.deepEqual(others, []);
  const file = path.join(cacheHome, "parlab", made);
  const old = new Date(Date.now() - 60_000);
  utimesSync(file, old, old);

  // A start that could use the cache does not write it again.
  loadAndSave(cacheHome);
  assert.equal(Math.round(statSync(file).mtimeMs), old.getTime());

  // Other V8 flags: V8 would reject that cache, so they get their own, and the first stays.
  loadAndSave(cacheHome, ["--max-semi-space-size=2"]);
  assert.equal(caches(cacheHome).length, 2);
  assert.ok(existsSync(file));
});

test("writing a cache removes caches made more than 30 days ago, and only those", () => {
  const cacheHome = mkdtempSync(path.join(os.tmpdir(), "parlab-cache-"));
  const folder = path.join(cacheHome, "parlab");
  mkdirSync(folder);
  const stale = path.join(folder, "typescript-v0-x64-1-1.v8cache");
  const recent = path.join(folder, "typescript-v0-x64-2-2.v8cache");
  const unrelated = path.join(folder, "notes.txt");
  for (const file of [stale, recent, unrelated]) writeFileSync(file, "old");
  const longAgo = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000);
  utimesSync(stale, longAgo, longAgo);
  utimesSync(unrelated, longAgo, longAgo);
  const lastWeek = new Date(Date.now() - 7 * 24 * 60 * 60 * 1000);
  utimesSync(recent, lastWeek, lastWeek);

  loadAndSave(cacheHome);
  assert.ok(!existsSync(stale), "the stale cache is gone");
  assert.ok(existsSync(recent), "a cache from last week stays");
  assert.ok(existsSync(unrelated), "files that are not caches stay");
  assert.equal(caches(cacheHome).length, 2); // the recent one and the new one
});
