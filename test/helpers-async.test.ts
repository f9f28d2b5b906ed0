// The asyncio-shaped helpers, the default recorder and the slow server. The machine is small and
// noisy, so nothing here asserts how long something took: only orders, overlaps and counts.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { getEventListeners } from "node:events";
import net from "node:net";
import { Worker } from "node:worker_threads";
import { AbortError, blockingSleep, gather, map, sleep } from "../src/async.js";
import { SpanRecorder, type Span } from "../src/measure/spans.js";
import { defaultRecorder, withRecorder } from "../src/measure/recorder.js";
import { fetchText, startSlowServer } from "../src/net/slow-server.js";
import { ProcessPool } from "../src/pool/pool.js";

/** Every span starts before every other one ends: they all ran at one time. */
function assertAllOverlap(spans: readonly Span[]): void {
  for (const a of spans) {
    for (const b of spans) {
      if (a !== b) assert.ok(a.start < b.end, `${a.task} starts after ${b.task} ends: ${JSON.stringify(spans)}`);
    }
  }
}

/** The most spans running at one instant (a span ending exactly when another starts does not overlap it). */
function maxOverlap(spans: readonly Span[]): number {
  const events = spans.flatMap((s) => [{ t: s.start, d: 1 }, { t: s.end, d: -1 }]).sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let most = 0;
  for (const { d } of events) most = Math.max(most, (now += d));
  return most;
}

async function recorded<T>(work: () => Promise<T>): Promise<{ value: T; spans: Span[] }> {
  const recorder = new SpanRecorder();
  const value = await withRecorder(recorder, work);
  return { value, spans: recorder.spans };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection");
}

// A helper that never settles (e.g. a close() that waits forever) fails instead of hanging the run.
const BOUNDED = { timeout: 20_000 };

test("sleep records one span on the main loop, named or derived", BOUNDED, async () => {
  const { spans } = await recorded(async () => {
    await sleep(5);
    await sleep(1, { name: "nap" });
  });
  assert.deepEqual(spans.map((s) => [s.task, s.lane, s.laneKind]), [["sleep 5 ms", "main loop", "loop"], ["nap", "main loop", "loop"]]);
  assert.ok(spans[0]!.end <= spans[1]!.start, "awaited sleeps run one after the other");
});

test("sleep rejects with an AbortError when its signal aborts, also before it starts", BOUNDED, async () => {
  const controller = new AbortController();
  const recorder = new SpanRecorder();
  const pending = sleep(60_000, { signal: controller.signal, recorder });
  setTimeout(() => controller.abort("stop"), 5);
  const error = await rejection(pending);
  assert.ok(error instanceof AbortError);
  assert.equal((error as AbortError).name, "AbortError");
  assert.equal((error as AbortError).cause, "stop");
  assert.equal(recorder.spans.length, 1);
  assert.match(recorder.spans[0]!.error ?? "", /aborted/);

  // A sleep that ends normally takes its listener off the signal, so one long-lived signal can serve many sleeps.
  const kept = new AbortController();
  for (let i = 0; i < 3; i++) await sleep(1, { signal: kept.signal, recorder });
  assert.equal(getEventListeners(kept.signal, "abort").length, 0);
  assert.equal(recorder.spans.length, 4);
  assert.equal(recorder.spans[3]!.error, undefined);

  const already = await rejection(sleep(10, { signal: AbortSignal.abort() }));
  assert.equal((already as Error).name, "AbortError");
  assert.throws(() => sleep(-1), /sleep: ms must be a finite number from 0 to 2147483647, got -1/);
});

test("gather resolves to results in argument order, typed per argument", BOUNDED, async () => {
  const later = sleep(5).then(() => "promise");
  const [a, b, c, d] = await gather(
    async () => {
      await sleep(30);
      return 1;
    },
    later,
    () => true,
    async () => {
      await sleep(1);
      return [4] as const;
    },
  );
  const typed: [number, string, boolean, readonly [4]] = [a, b, c, d];
  // @ts-expect-error the first result is a number, not a string (catches an `any` result type)
  const wrong: string = a;
  void wrong;
  assert.deepEqual(typed, [1, "promise", true, [4]]);
});

test("gather of 5 sleeps: 5 spans that all overlap (one per task, not one per nested sleep)", BOUNDED, async () => {
  const { spans } = await recorded(() => gather(...[1, 2, 3, 4, 5].map(() => () => sleep(40))));
  assert.deepEqual(spans.map((s) => s.task).sort(), ["task #1", "task #2", "task #3", "task #4", "task #5"]);
  assertAllOverlap(spans);
  assert.equal(maxOverlap(spans), 5);
});

test("gather names spans by prefix or function", BOUNDED, async () => {
  const { spans } = await recorded(async () => {
    await gather(() => sleep(1), () => sleep(1), { name: "download" });
    await gather(() => sleep(1), { name: (i) => `job ${i}` });
  });
  assert.deepEqual(spans.map((s) => s.task).sort(), ["download #1", "download #2", "job 0"]);
});

test("gather rejects with the first rejection; the other tasks keep running, as in asyncio", BOUNDED, async () => {
  const recorder = new SpanRecorder();
  const boom = new Error("boom");
  let slowFinished = false;
  const error = await rejection(
    gather(
      async () => {
        await sleep(50);
        slowFinished = true;
      },
      async () => {
        await sleep(1);
        throw boom;
      },
      { recorder },
    ),
  );
  assert.equal(error, boom);
  assert.equal(slowFinished, false);
  assert.deepEqual(recorder.spans.map((s) => [s.task, s.error]), [["task #2", "boom"]]);
  await sleep(80);
  assert.equal(slowFinished, true);
  assert.equal(recorder.spans.length, 2);
});

test("gather with returnExceptions gives errors in place", BOUNDED, async () => {
  const results = await gather(
    () => 1,
    () => Promise.reject(new TypeError("bad")),
    () => {
      throw "a string";
    },
    { returnExceptions: true },
  );
  // Before the asserts below, which narrow the types.
  const first: number | Error = results[0];
  // @ts-expect-error with returnExceptions a result may be an Error
  const notOnlyNumber: number = results[0];
  const [named] = await gather(() => 1, { name: "n" });
  const onlyNumber: number = named;
  void [first, notOnlyNumber, onlyNumber];
  assert.equal(results[0], 1);
  assert.ok(results[1] instanceof TypeError);
  assert.ok(results[2] instanceof Error);
  assert.equal((results[2] as Error).message, "a string");
});

test("gather rejects a non-awaitable argument before starting anything", BOUNDED, async () => {
  let started = false;
  const gatherAny = gather as (...args: unknown[]) => Promise<unknown[]>;
  const error = await rejection(gatherAny(() => (started = true), 42));
  assert.ok(error instanceof TypeError);
  assert.match(error.message, /gather: argument 2 is neither a promise nor a function/);
  assert.equal(started, false);
});

test("gather refuses an array of tasks and an options object it does not know, instead of resolving to []", BOUNDED, async () => {
  const gatherAny = gather as (...args: unknown[]) => Promise<unknown[]>;
  let started = false;
  const tasks = [() => (started = true), Promise.resolve(2)];
  const error = await rejection(gatherAny(tasks));
  assert.ok(error instanceof TypeError);
  assert.equal(error.message, "gather: argument 1 is neither a promise nor a function that starts one (got an array; pass the tasks themselves: gather(...tasks))");
  assert.equal(started, false);
  const typo = await rejection(gatherAny(Promise.resolve(1), { returnException: true }));
  assert.match((typo as Error).message, /gather: the last argument is taken as options, and "returnException" is none \(known: returnExceptions, name, recorder\)/);
  assert.deepEqual(await gather(...tasks), [true, 2]);
});

test("map keeps input order and never runs more than `concurrency` calls at once", BOUNDED, async () => {
  let running = 0;
  let most = 0;
  const delays = [30, 5, 20, 1, 15, 10, 2];
  const { value, spans } = await recorded(() =>
    map(
      delays,
      async (ms, i) => {
        most = Math.max(most, ++running);
        await sleep(ms);
        running--;
        return i * 10;
      },
      { concurrency: 2 },
    ),
  );
  assert.deepEqual(value, [0, 10, 20, 30, 40, 50, 60]);
  assert.equal(most, 2);
  assert.equal(spans.length, delays.length);
  assert.equal(maxOverlap(spans), 2);
  assert.deepEqual([...spans].sort((a, b) => a.start - b.start).map((s) => s.task).slice(0, 2).sort(), ["task #1", "task #2"]);
});

test("map stops starting new calls after the first failure and rejects with it", BOUNDED, async () => {
  const started: number[] = [];
  let sawAbort = false;
  const failure = new Error("item 1 failed");
  const error = await rejection(
    map(
      [0, 1, 2, 3, 4],
      async (item, _i, signal) => {
        started.push(item);
        if (item === 1) throw failure;
        await sleep(40);
        sawAbort = signal.aborted;
      },
      { concurrency: 2, recorder: new SpanRecorder() },
    ),
  );
  assert.equal(error, failure);
  await sleep(80);
  assert.deepEqual(started, [0, 1]);
  assert.equal(sawAbort, true, "running calls see their signal aborted");
});

test("map rejects with an AbortError when its signal aborts, and aborts the calls' signal", BOUNDED, async () => {
  const controller = new AbortController();
  const started: number[] = [];
  const pending = map(
    [1, 2, 3, 4],
    async (item, _i, signal) => {
      started.push(item);
      await sleep(60_000, { signal });
    },
    { concurrency: 2, signal: controller.signal, recorder: new SpanRecorder() },
  );
  setTimeout(() => controller.abort(), 5);
  const error = await rejection(pending);
  assert.equal((error as Error).name, "AbortError");
  assert.deepEqual(started, [1, 2]);
  assert.deepEqual(await map([], () => 1, { concurrency: 1 }), []);
  await assert.rejects(map([1], (x) => x, { concurrency: 0 }), /map: option "concurrency" must be an integer >= 1 or Infinity, got 0/);
});

test("map rejects items that are not iterable, naming them, instead of throwing or mapping nothing", BOUNDED, async () => {
  const mapAny = map as (items: unknown, fn: unknown, options: unknown) => Promise<unknown[]>;
  for (const [items, got] of [[5, "number"], [undefined, "undefined"], [null, "null"], [{ length: 2 }, "object"]] as const) {
    const refused = mapAny(items, (x: unknown) => x, { concurrency: 1 });
    assert.ok(refused instanceof Promise, "a bad argument rejects; it does not throw");
    await assert.rejects(refused, new RegExp(`^TypeError: map: items must be iterable \\(an array, a Set, a generator...\\), got ${got}$`));
  }
});

test("blockingSleep blocks its thread: timers wait, gathered blocking sleeps run one after another", BOUNDED, async () => {
  const order: string[] = [];
  setTimeout(() => order.push("timer"), 0);
  const recorder = new SpanRecorder();
  blockingSleep(30, { recorder });
  order.push("returned");
  await sleep(5);
  assert.deepEqual(order, ["returned", "timer"]);
  const span = recorder.spans[0]!;
  assert.ok(span.end >= span.start + 30, `span ${span.start}..${span.end} shorter than 30 ms`);

  const { spans } = await recorded(() => gather(() => blockingSleep(20), () => blockingSleep(20), () => blockingSleep(20)));
  assert.equal(spans.length, 3);
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i]!.start >= sorted[i - 1]!.end, "blocking sleeps must not overlap");
  assert.equal(maxOverlap(spans), 1);
});

test("blockingSleep in a worker blocks only that thread, and records on the thread's lane", BOUNDED, async () => {
  const asyncUrl = new URL("../src/async.js", import.meta.url).href;
  const recorderUrl = new URL("../src/measure/recorder.js", import.meta.url).href;
  const worker = new Worker(
    `const { parentPort } = require("node:worker_threads");
    (async () => {
      const { blockingSleep } = await import(${JSON.stringify(asyncUrl)});
      const { defaultRecorder } = await import(${JSON.stringify(recorderUrl)});
      parentPort.postMessage({ kind: "start" });
      blockingSleep(500);
      parentPort.postMessage({ kind: "done", spans: defaultRecorder().spans });
    })();`,
    { eval: true },
  );
  const order: string[] = [];
  const spans = await new Promise<Span[]>((resolve, reject) => {
    worker.on("error", reject);
    worker.on("message", (message: { kind: string; spans?: Span[] }) => {
      order.push(message.kind);
      if (message.kind === "start") setTimeout(() => order.push("main thread tick"), 0);
      else resolve(message.spans!);
    });
  });
  await worker.terminate();
  assert.deepEqual(order, ["start", "main thread tick", "done"]);
  assert.equal(spans.length, 1);
  assert.equal(spans[0]!.laneKind, "thread");
  assert.match(spans[0]!.lane, /^thread \d+$/);
});

test("in a pool's child process, currentLane and the spans helpers record there name that process, not the main loop", { timeout: 60_000 }, async () => {
  const pool = new ProcessPool({ maxWorkers: 1, recorder: new SpanRecorder() });
  try {
    const seen = await pool.submit(async () => {
      const { currentLane, gather, sleep, SpanRecorder, withRecorder } = require("parlab");
      const recorder = new SpanRecorder();
      await withRecorder(recorder, () => gather(() => sleep(1), () => sleep(1)));
      return { pid: process.pid, lane: currentLane(), spans: recorder.spans.map((s: Span) => `${s.lane}/${s.laneKind}`) };
    });
    const lane = `process ${seen.pid}`;
    assert.deepEqual(seen.lane, { lane, laneKind: "process" });
    assert.deepEqual(seen.spans, [`${lane}/process`, `${lane}/process`]);
  } finally {
    await pool.close();
  }
});

test("withRecorder keeps spans of concurrent scopes apart; outside any scope spans go to the default", BOUNDED, async () => {
  const a = new SpanRecorder();
  const b = new SpanRecorder();
  const run = async (label: string) => {
    for (let i = 0; i < 3; i++) await sleep(2 + (i % 2), { name: `${label}${i}` });
  };
  await Promise.all([withRecorder(a, () => run("a")), withRecorder(b, () => run("b"))]);
  assert.deepEqual(a.spans.map((s) => s.task), ["a0", "a1", "a2"]);
  assert.deepEqual(b.spans.map((s) => s.task), ["b0", "b1", "b2"]);
  const before = defaultRecorder().spans.length;
  await sleep(1, { name: "unscoped" });
  assert.equal(defaultRecorder().spans.at(-1)?.task, "unscoped");
  assert.equal(defaultRecorder().spans.length, before + 1);
  defaultRecorder().clear();
});

test("withRecorder names a missing or misplaced argument instead of failing deep inside", BOUNDED, () => {
  const withAny = withRecorder as (recorder: unknown, fn: unknown) => unknown;
  const recorder = new SpanRecorder();
  assert.throws(() => withAny(() => 1, recorder), /^TypeError: withRecorder: the first argument must be a SpanRecorder \(withRecorder\(new SpanRecorder\(\), fn\)\), got a function$/);
  assert.throws(() => withAny(undefined, () => 1), /withRecorder: the first argument must be a SpanRecorder .*got undefined/);
  assert.throws(() => withAny(recorder, undefined), /^TypeError: withRecorder: the second argument must be the function to run, got undefined$/);
  assert.equal(withRecorder(recorder, () => defaultRecorder()), recorder);
});

test("slow server serves the requested bytes over loopback and counts requests", BOUNDED, async () => {
  const server = await startSlowServer({ latencyMs: 20, bytes: 12_345 });
  try {
    assert.match(server.url(), /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(server.url("a/b"), `http://127.0.0.1:${server.port}/a/b`);
    const response = await fetch(server.url("/raw"));
    assert.equal(response.headers.get("content-length"), "12345");
    assert.equal((await response.arrayBuffer()).byteLength, 12_345);
    const text = await fetchText(server.url("/text"), { recorder: new SpanRecorder() });
    assert.equal(text.length, 12_345);
    assert.equal(server.requests, 2);
    assert.equal(server.inFlight, 0);
  } finally {
    await server.close();
  }
});

test("slow server answers concurrent requests at the same time", BOUNDED, async () => {
  const server = await startSlowServer({ latencyMs: 200, bytes: 100 });
  try {
    const { value, spans } = await recorded(() => gather(...[1, 2, 3, 4].map((i) => () => fetchText(server.url(`/${i}`))), { name: "GET" }));
    assert.deepEqual(value.map((t) => t.length), [100, 100, 100, 100]);
    assert.equal(server.requests, 4);
    assert.equal(server.peakInFlight, 4, "all four requests were waiting in the server at once");
    assertAllOverlap(spans);
  } finally {
    await server.close();
  }
});

test("close() drops waiting requests and frees the port; asyncDispose closes too", BOUNDED, async () => {
  const server = await startSlowServer({ latencyMs: 60_000, bytes: 10 });
  const port = server.port;
  const waiting = fetchText(server.url(), { recorder: new SpanRecorder() });
  while (server.inFlight === 0) await sleep(1);
  await server.close();
  await assert.rejects(waiting, /fetchText: GET http:\/\/127\.0\.0\.1:\d+\/ failed/);
  await assert.rejects(fetchText(server.url(), { recorder: new SpanRecorder() }), /ECONNREFUSED/);
  await listenAndClose(port);

  const disposable = await startSlowServer({ latencyMs: 0, bytes: 1, port });
  assert.equal(disposable.port, port);
  assert.equal(await fetchText(disposable.url(), { recorder: new SpanRecorder() }), "a");
  await disposable[Symbol.asyncDispose]();
  await listenAndClose(port);
});

test("fetchText rejects with an AbortError on abort and names the URL on a bad status; bad server options are named", BOUNDED, async () => {
  const server = await startSlowServer({ latencyMs: 60_000, bytes: 10 });
  try {
    const controller = new AbortController();
    const pending = fetchText(server.url(), { signal: controller.signal, recorder: new SpanRecorder() });
    while (server.inFlight === 0) await sleep(1);
    controller.abort();
    assert.equal(((await rejection(pending)) as Error).name, "AbortError");
  } finally {
    await server.close();
  }
  const notFound = http.createServer((_request, response) => response.writeHead(404).end());
  await new Promise<void>((resolve) => notFound.listen(0, "127.0.0.1", resolve));
  const missing = `http://127.0.0.1:${(notFound.address() as net.AddressInfo).port}/missing`;
  await assert.rejects(fetchText(missing, { recorder: new SpanRecorder() }), new RegExp(`fetchText: GET ${missing} answered 404 Not Found`));
  await new Promise((resolve) => notFound.close(resolve));
  await assert.rejects(startSlowServer({ latencyMs: 1, bytes: -1 }), /option "bytes" must be a number from 0/);
  await assert.rejects(startSlowServer({ latencyMs: Number.NaN, bytes: 1 }), /option "latencyMs"/);
  await assert.rejects(startSlowServer({ latencyMs: 1, bytes: 1, port: 80.5 }), /^RangeError: startSlowServer: option "port" must be an integer, got 80.5$/);
  const taken = await startSlowServer({ latencyMs: 0, bytes: 1 });
  try {
    await assert.rejects(startSlowServer({ latencyMs: 0, bytes: 1, port: taken.port }), /cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  } finally {
    await taken.close();
  }
});

/** Listening on the port proves nothing holds it any more. */
function listenAndClose(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}
