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

/** Now, comparable across threads and processes. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** Collects spans; helpers append to the recorder they are given, or to the default one. */
export class SpanRecorder {
  readonly spans: Span[] = [];

  add(span: Span): void {
    this.spans.push(span);
  }

  /** Times `work` as one span on `lane`, also when it throws. */
  async time<T>(task: string, lane: { lane: string; laneKind: LaneKind }, work: () => T | Promise<T>): Promise<T> {
    const start = now();
    try {
      // Synchronous work ends when it returns: awaiting first would stretch its span.
      const returned = work();
      const value = returned instanceof Promise ? await returned : returned;
      this.add({ task, ...lane, start, end: now() });
      return value;
    } catch (error) {
      this.add({ task, ...lane, start, end: now(), error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }

  clear(): void {
    this.spans.length = 0;
  }
}

export const MAIN_LOOP = { lane: "main loop", laneKind: "loop" } as const;
