// What every helper run records: which task ran on which lane, from when to when. Times are
// milliseconds since the Unix epoch with sub-millisecond precision, so spans recorded in worker
// threads and child processes line up with the main thread's.

/** Where a task ran: the event loop of the main thread, a worker thread, or a child process. */
export type LaneKind = "loop" | "thread" | "process";

export interface Span {
  /** The task's name, e.g. "download #3". */
  task: string;
  /** The lane's name, e.g. "main loop", "thread 2", "process 4711". */
  lane: string;
  laneKind: LaneKind;
  start: number;
  end: number;
  /** Set when the task failed. */
  error?: string;
}

// Read once: it is a getter, and helpers call now() twice per task.
const TIME_ORIGIN = performance.timeOrigin;

/** Now, comparable across threads and processes. */
export function now(): number {
  return TIME_ORIGIN + performance.now();
}

/** Collects spans; helpers append to the recorder they are given, or to the default one (measure/recorder.ts). */
export class SpanRecorder {
  readonly spans: Span[] = [];

  /** `limit`: keep only the newest spans, so a recorder nobody clears cannot grow for ever. */
  constructor(readonly limit = Infinity) {
    // A limit of 0, a negative one or NaN used to be taken: the recorder then kept nothing, or everything.
    if (limit !== Infinity && !(Number.isInteger(limit) && limit >= 1)) {
      throw new RangeError(`SpanRecorder: limit must be an integer >= 1 or Infinity, got ${String(limit)}`);
    }
  }

  add(span: Span): void {
    this.spans.push(span);
    // Trimmed a tenth at a time, so adding stays cheap on average; but never below one span, or a
    // limit of 1 would drop the span just added and keep nothing.
    if (this.spans.length > this.limit) this.spans.splice(0, this.spans.length - Math.max(1, Math.floor(this.limit * 0.9)));
  }

  clear(): void {
    this.spans.length = 0;
  }
}

export const MAIN_LOOP = { lane: "main loop", laneKind: "loop" } as const;
