// The history file in-process: session numbers from its end, queries over all of it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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

test("a session that has only answered a query keeps its number: a kernel storing a cell meanwhile takes the next", () => {
  const file = path.join(scratch(), "history.jsonl");
  writeFileSync(file, lines([[1, 1, "earlier"]]));
  const console = new History(file);
  assert.deepEqual(console.query({ hist_access_type: "tail", n: 5 }), [[1, 1, "earlier"]]); // as a console opens
  const notebook = new History(file);
  notebook.store(1, "from the notebook");
  console.store(1, "from the console");
  assert.notEqual(notebook.session, console.session);
  const later = new History(file);
  const session = (s: number) => later.query({ hist_access_type: "range", session: s }).map(([, , input]) => input);
  assert.deepEqual(session(console.session), ["from the console"]);
  assert.deepEqual(session(notebook.session), ["from the notebook"]);
});

test("a new session follows a newer one even after an older session has written more than the window read", () => {
  const file = path.join(scratch(), "history.jsonl");
  writeFileSync(file, lines([[1, 1, "the older kernel's first cell"]]));
  const newer = new History(file);
  newer.query({ hist_access_type: "tail" });
  assert.equal(newer.session, 2);
  const older: HistoryEntry[] = []; // the kernel of session 1 writes on meanwhile
  for (let line = 2; line <= 3000; line++) older.push([1, line, "x".repeat(100)]);
  appendFileSync(file, lines(older));
  assert.ok(readFileSync(file).length > 256 * 1024);
  assert.equal(new History(file).session, 3);
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

test("a query sees the cells other kernels sharing the file stored since its last one", () => {
  const file = path.join(scratch(), "history.jsonl");
  const console = new History(file);
  const notebook = new History(file);
  notebook.store(1, "from the notebook");
  assert.deepEqual(console.query({ hist_access_type: "tail", n: 5 }).map(([, , input]) => input), ["from the notebook"]);
  console.store(1, "from the console");
  notebook.store(2, "the notebook again");
  assert.deepEqual(console.query({ hist_access_type: "tail", n: 5 }).map(([, , input]) => input), ["from the notebook", "from the console", "the notebook again"]);
  // A line another kernel is still writing waits for its end.
  appendFileSync(file, `[${notebook.session}, 3, "half`);
  assert.equal(console.query({ hist_access_type: "tail", n: 5 }).length, 3);
  appendFileSync(file, ` done"]\n`);
  assert.deepEqual(console.query({ hist_access_type: "tail", n: 1 }), [[notebook.session, 3, "half done"]]);
  assert.deepEqual(notebook.query({ hist_access_type: "range", session: 0 }).map(([, line]) => line), [1, 2, 3]);
});
