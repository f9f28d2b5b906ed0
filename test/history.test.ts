// The history file in-process: session numbers from its end, queries over all of it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { History, type HistoryEntry } from "../kernel/interpreter/history.js";

const scratch = () => mkdtempSync(path.join(os.tmpdir(), "parlab-history-"));
const lines = (entries: HistoryEntry[]) => entries.map((entry) => JSON.stringify(entry) + "\n").join("");

test("a new session follows the newest one, even far down a long file, and queries see every session", () => {
  const file = path.join(scratch(), "history.jsonl");
  const old: HistoryEntry[] = [];
  for (let session = 1; session <= 300; session++) for (let line = 1; line <= 20; line++) old.push([session, line, `cell ${session}.${line} ${"x".repeat(100)}`]);
  writeFileSync(file, lines(old));
  assert.ok(readFileSync(file).length > 2 * 256 * 1024, "the file is longer than the window read for the session");

  const history = new History(file);
  history.store(1, "first of the new session");
  assert.equal(history.session, 301);
  assert.deepEqual(history.query({ hist_access_type: "range", session: 0, start: 1 }), [[301, 1, "first of the new session"]]);
  assert.equal(history.query({ hist_access_type: "range", session: -1 }).length, 20);
  assert.deepEqual(history.query({ hist_access_type: "search", pattern: "cell 1.1 *" }).map(([s, l]) => [s, l]), [[1, 1]]);
  history.store(2, "stored after the file was read");
  assert.deepEqual(history.query({ hist_access_type: "tail", n: 2 }).map(([, , input]) => input), ["first of the new session", "stored after the file was read"]);
});

test("an entry longer than the window read for the session still gives the right session", () => {
  const file = path.join(scratch(), "history.jsonl");
  writeFileSync(file, lines([[6, 1, "short"], [7, 1, "y".repeat(600 * 1024)]]));
  assert.equal(new History(file).session, 8);
});

test("a torn last line is skipped by queries, and its session is not used again", () => {
  const file = path.join(scratch(), "history.jsonl");
  writeFileSync(file, lines([[2, 1, "kept"]]) + '[3, 1, "torn by a cra');
  const history = new History(file);
  assert.equal(history.session, 4);
  assert.deepEqual(history.query({ hist_access_type: "tail", n: 5 }), [[2, 1, "kept"]]);
});

test("the first cell stored after a torn last line is kept, on a line of its own", () => {
  const file = path.join(scratch(), "history.jsonl");
  writeFileSync(file, lines([[2, 1, "kept"]]) + '[3, 1, "torn by a cra');
  const history = new History(file);
  history.store(1, "after the crash");
  history.store(2, "and the next");
  const expected = [[2, 1, "kept"], [4, 1, "after the crash"], [4, 2, "and the next"]];
  assert.deepEqual(history.query({ hist_access_type: "tail", n: 5 }), expected);
  assert.deepEqual(new History(file).query({ hist_access_type: "tail", n: 5 }), expected, "as read by the next session");
});

test("cells stored where the file cannot be written are still found by queries", () => {
  // A file where the history's folder should be: not writable, even for root.
  const blocker = path.join(scratch(), "not-a-folder");
  writeFileSync(blocker, "");
  const history = new History(path.join(blocker, "history.jsonl"));
  history.store(1, "kept in memory");
  history.store(2, "this one too");
  assert.deepEqual(history.query({ hist_access_type: "tail", n: 5 }), [[1, 1, "kept in memory"], [1, 2, "this one too"]]);
  history.store(3, "and one after a query");
  assert.deepEqual(history.query({ hist_access_type: "tail", n: 5 }).map(([, line]) => line), [1, 2, 3]);
});
