// The type checker in-process, without a kernel around it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { createRequire, syncBuiltinESMExports } from "node:module";
import os from "node:os";
import path from "node:path";
import ts from "#typescript";
import { NotebookProgram } from "../kernel/checker/notebook-program.js";
import { checkerConfig } from "../kernel/interpreter/checker-config.js";
import { CheckerClient } from "../kernel/interpreter/checker-client.js";
import { textChange } from "../kernel/checker/edit-snapshot.js";

test("the idle warm-up cell checks without errors, and leaves the cell scope as it was", () => {
  const program = new NotebookProgram(checkerConfig(mkdtempSync(path.join(os.tmpdir(), "parlab-checker-"))));
  program.warm();
  program.loadNodeTypes();
  const problems = program.warmUpChecking();
  assert.deepEqual(problems.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")), []);
  // Nothing of it stays in scope: a later cell does not see the names it declared.
  const after = program.check("const seen: Timeline = 1;", 1);
  assert.equal(after.ok, false);
  assert.match(after.ok ? "" : after.diagnostics[0]!.message, /Cannot find name 'Timeline'/);
});

test("a declaring cell that fails to check leaves nothing behind, not even a global it declared", () => {
  const program = new NotebookProgram(checkerConfig(mkdtempSync(path.join(os.tmpdir(), "parlab-checker-"))));
  program.warm();
  const failed = program.check('declare global { var leaked: number }\nconst wrong: number = "text";', 1);
  assert.equal(failed.ok, false);
  const later = program.check("leaked + 1", 2);
  assert.equal(later.ok, false);
  assert.match(later.ok ? "" : later.diagnostics[0]!.message, /Cannot find name 'leaked'/);
  // Corrected, it declares both.
  assert.equal(program.check('declare global { var leaked: number }\nconst wrong: number = 1;', 3).ok, true);
  assert.equal(program.check("leaked + wrong", 4).ok, true);
});

test("a declaring cell run again and again is replayed once by a restarted checker, a cell between them keeps both", async () => {
  const client = new CheckerClient(checkerConfig(mkdtempSync(path.join(os.tmpdir(), "parlab-checker-"))));
  try {
    let cell = 0;
    for (let i = 0; i < 5; i++) assert.equal((await client.check("const rate = 0.2;", ++cell)).ok, true);
    assert.equal(client.scopeReplayLength, 1);
    assert.equal((await client.check("const taxed = (x: number) => x * (1 + rate);", ++cell)).ok, true);
    assert.equal((await client.check("const rate = 0.2;", ++cell)).ok, true);
    // `taxed` was checked against the first `rate`: a replay needs that one, then the new one.
    assert.equal(client.scopeReplayLength, 3);
  } finally {
    client.close();
  }
});

test("a cell that declares nothing is checked again once a later cell changes a name it uses", async () => {
  const client = new CheckerClient(checkerConfig(mkdtempSync(path.join(os.tmpdir(), "parlab-checker-"))));
  try {
    assert.equal((await client.check("const rate = 0.2;", 1)).ok, true);
    assert.equal((await client.check("rate.toFixed(1)", 2)).ok, true);
    assert.equal((await client.check("rate.toFixed(1)", 3)).ok, true);
    // A failing declaration changes nothing: the same cell still checks.
    assert.equal((await client.check('const other: number = "x";', 4)).ok, false);
    assert.equal((await client.check("rate.toFixed(1)", 5)).ok, true);
    assert.equal((await client.check('const rate = "fifth";', 6)).ok, true);
    const again = await client.check("rate.toFixed(1)", 7);
    assert.equal(again.ok, false);
    assert.match(again.ok ? "" : again.diagnostics[0]!.message, /Property 'toFixed' does not exist on type '"fifth"'/);
  } finally {
    client.close();
  }
});

test("a module no later cell can see is forgotten; one still imported, or augmenting globals, stays", () => {
  const program = new NotebookProgram(checkerConfig(mkdtempSync(path.join(os.tmpdir(), "parlab-checker-"))));
  program.warm();
  const live = (result: ReturnType<NotebookProgram["check"]>) => {
    assert.ok(result.ok && result.scope, "a declaring cell checks and changes the scope");
    return [...result.scope.liveModules].sort((a, b) => a - b);
  };
  assert.deepEqual(live(program.check("type Point = { x: number };\nconst origin: Point = { x: 0 };", 1)), [1]);
  assert.deepEqual(live(program.check("const copy = origin;", 2)), [1, 2]);
  // Both names of cell 1 are declared again, but cell 2's `copy` still has cell 1's type.
  assert.deepEqual(live(program.check('type Point = string;\nconst origin: Point = "here";', 3)), [1, 2, 3]);
  assert.equal(program.check("copy.x.toFixed(1)", 4).ok, true);
  // Its only name declared again, cell 5 stays for the global it declares.
  assert.deepEqual(live(program.check("declare global { var unit: string }\nconst scale = 1;", 5)), [1, 2, 3, 5]);
  assert.deepEqual(live(program.check("const scale = 2;", 6)), [1, 2, 3, 5, 6]);
  // Edited and run again: the earlier version of `factor`'s cell is seen by no one.
  assert.deepEqual(live(program.check("const factor = 1;", 7)), [1, 2, 3, 5, 6, 7]);
  assert.deepEqual(live(program.check("const factor = 2;", 8)), [1, 2, 3, 5, 6, 8]);
  assert.equal(program.check("unit.length + scale + factor + copy.x + origin.length", 9).ok, true);
  // The edit undone: cell 7's check is reused, and its module comes back.
  assert.deepEqual(live(program.check("const factor = 1;", 10)), [1, 2, 3, 5, 6, 7]);
  assert.equal(program.check("const once: 1 = factor;", 11).ok, true);
  assert.equal(program.check("const twice: 2 = factor;", 12).ok, false);
  // Run again and again, a cell's earlier versions are forgotten.
  let visible: number[] = [];
  for (let cell = 13; cell <= 30; cell++) visible = live(program.check(`const factor = ${cell};`, cell));
  assert.deepEqual(visible, [1, 2, 3, 5, 6, 7, 11, 30]);
  assert.equal(program.moduleCount, visible.length);
});

test("a long session's modules stay bounded: a cell imports only the names it mentions", () => {
  // Each cell used to import every name in scope, which kept every earlier module reachable:
  // the program grew by a module a cell (1.4 GB and half a second a cell after 2,000 cells).
  const program = new NotebookProgram(checkerConfig(mkdtempSync(path.join(os.tmpdir(), "parlab-checker-"))));
  program.warm();
  for (let round = 1; round <= 60; round++) {
    for (const code of [`let x = ${round};`, `let y = "${round}";`, `const both = x + y.length;`]) {
      assert.equal(program.check(code, 3 * round + [`let x`, `let y`, `const both`].findIndex((start) => code.startsWith(start))).ok, true, code);
    }
  }
  // In use: the newest x, y and both, and the x and y that both's cell imported.
  assert.ok(program.moduleCount <= 5, `${program.moduleCount} modules after 180 cells`);
  assert.equal(program.check("const sum: number = both;", 1000).ok, true);
});

test("a cell edited and run again and again stays one cell for a restarted checker to replay", async () => {
  const client = new CheckerClient(checkerConfig(mkdtempSync(path.join(os.tmpdir(), "parlab-checker-"))));
  try {
    for (let cell = 1; cell <= 5; cell++) assert.equal((await client.check(`const rate = 0.${cell};`, cell)).ok, true);
    assert.equal(client.scopeReplayLength, 1);
  } finally {
    client.close();
  }
});

test("a checker thread that dies is replaced by one that knows every name in scope", async () => {
  // The checker's thread, caught as it is made: ending it is how a compiler crash would end it.
  const threads = createRequire(import.meta.url)("node:worker_threads") as typeof import("node:worker_threads");
  const started: import("node:worker_threads").Worker[] = [];
  const OriginalWorker = threads.Worker;
  threads.Worker = class extends OriginalWorker {
    constructor(...args: ConstructorParameters<typeof OriginalWorker>) {
      super(...args);
      started.push(this);
    }
  };
  syncBuiltinESMExports();
  const client = new CheckerClient(checkerConfig(mkdtempSync(path.join(os.tmpdir(), "parlab-checker-"))));
  try {
    assert.equal((await client.check("type Rate = number;\nconst rate: Rate = 0.2;", 1)).ok, true);
    assert.equal((await client.check("const taxed = (x: number) => x * (1 + rate);", 2)).ok, true);
    for (let cell = 3; cell <= 6; cell++) assert.equal((await client.check(`const rate: Rate = 0.${cell};`, cell)).ok, true);
    assert.equal(client.scopeReplayLength, 3);
    assert.equal(started.length, 1);
    await started[0]!.terminate();

    const total = await client.check("const total: number = taxed(100) + rate;", 7);
    assert.equal(total.ok, true, JSON.stringify(total));
    const wrong = await client.check("const label: string = rate;", 8);
    assert.equal(wrong.ok, false);
    assert.match(wrong.ok ? "" : wrong.diagnostics[0]!.message, /Type 'number' is not assignable to type 'string'/);
    assert.equal(started.length, 2);
  } finally {
    threads.Worker = OriginalWorker;
    syncBuiltinESMExports();
    client.close();
  }
});

test("a cell's check takes in only the earlier cells it imports, so an edited cell keeps the last program's structure", () => {
  const program = new NotebookProgram(checkerConfig(mkdtempSync(path.join(os.tmpdir(), "parlab-checker-"))));
  program.warm();
  for (const [cell, code] of ["const a = 1;", "const b = 2;", "interface Unused { c: number }", "declare global { var shared: string }"].entries()) {
    assert.equal(program.check(code, cell + 1).ok, true, code);
  }
  // The module of `a`, and the one that augments globals; not those of `b` and `Unused`.
  assert.equal(program.check("const next = a + 1;", 5).ok, true);
  assert.equal(program.modulesLastChecked, 2);
  // Edited and run again: the same imports, the same modules.
  assert.equal(program.check("const next = a + 2; // edited", 6).ok, true);
  assert.equal(program.modulesLastChecked, 2);
  // Modules left out of a program still count for the cells that import them.
  assert.equal(program.check("const sum: number = a + b + next; const text: string = shared; const u: Unused = { c: 3 };", 7).ok, true);
  assert.equal(program.modulesLastChecked, 5);
  assert.equal(program.check("const wrong: string = b;", 8).ok, false);
});

test("an edit's change range, applied to the text before, gives the text after", () => {
  const cases: [string, string][] = [
    ["", ""], ["", "let a = 1;"], ["let a = 1;", ""], ["let a = 1;", "let a = 1;"],
    ["let a = 1;\n// edit 1\n", "let a = 1;\n// edit 12\n"], ["aaa", "aa"], ["aa", "aaa"], ["abcabc", "abc"],
    ["const x = 1;\nconst y = 2;", "const x = 1;\nconst z = 3;\nconst y = 2;"], ["𝒳 = 1", "𝒴 = 1"],
  ];
  for (const [before, after] of cases) {
    const { span, newLength } = textChange(before, after);
    assert.equal(before.slice(0, span.start) + after.slice(span.start, span.start + newLength) + before.slice(span.start + span.length), after, `${JSON.stringify(before)} → ${JSON.stringify(after)}`);
    assert.ok(span.start + span.length <= before.length && span.start + newLength <= after.length);
  }
});

test("cells parsed one from another still declare and use what their own text says", () => {
  const program = new NotebookProgram(checkerConfig(mkdtempSync(path.join(os.tmpdir(), "parlab-checker-"))));
  program.warm();
  const cells = [
    "let total = 1;",
    "let totals = 1;", // one letter more: the edit keeps almost every node
    "const label: string = `${totals}`;\nfunction twice(n: number) { return n * 2; }",
    "const label: string = `${totals}`;\nfunction twice(n: string) { return n + n; }", // an edited signature
    "twice(label);",
  ];
  cells.forEach((code, i) => assert.equal(program.check(code, i + 1).ok, true, code));
  const wrong = program.check("twice(total);", 6);
  assert.equal(wrong.ok, false);
  assert.match(wrong.ok ? "" : wrong.diagnostics[0]!.message, /'number' is not assignable to parameter of type 'string'/);
});
