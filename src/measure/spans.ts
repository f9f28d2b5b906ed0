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
  constructor(readonly limit = Infinity) {}

  add(span: Span): void {
    this.spans.push(span);
    // Trimmed a tenth at a time, so adding stays cheap on average.
    if (this.spans.length > this.limit) this.spans.splice(0, this.spans.length - Math.floor(this.limit * 0.9));
  }

  clear(): void {
    this.spans.length = 0;
  }
}

export const MAIN_LOOP = { lane: "main loop", laneKind: "loop" } as const;
