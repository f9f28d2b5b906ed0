// What the checker runs once while the kernel is idle after start, and throws away. The first
// check of a real cell otherwise runs the compiler's checking and emitting code cold (~1.6× slower
// than later checks): this cell makes V8 compile the common paths first. It uses what notebook
// cells usually do: types and interfaces, generics, classes, async functions, callbacks into
// array methods, Map/Set, narrowing, destructuring and template literals.
export const WARM_UP_CELL = `
type LaneKind = "loop" | "thread" | "process";
type TaskId = \`task-\${number}\`;

interface Span {
  readonly task: TaskId;
  lane: string;
  kind: LaneKind;
  start: number;
  end: number;
  error?: string;
}

interface Summary<K extends string> {
  by: Record<K, { count: number; busyMs: number }>;
  wallMs: number;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

function summarise<K extends string>(spans: readonly Span[], key: (span: Span) => K): Summary<K> {
  const by = {} as Record<K, { count: number; busyMs: number }>;
  for (const span of spans) {
    const entry = (by[key(span)] ??= { count: 0, busyMs: 0 });
    entry.count += 1;
    entry.busyMs += span.end - span.start;
  }
  const starts = spans.map((s) => s.start);
  const ends = spans.map(({ end }) => end);
  return { by, wallMs: spans.length ? Math.max(...ends) - Math.min(...starts) : 0 };
}

class Timeline<T extends Span = Span> implements Iterable<T> {
  readonly #spans: T[] = [];
  private readonly lanes = new Map<string, Set<TaskId>>();

  add(span: T): this {
    this.#spans.push(span);
    const tasks = this.lanes.get(span.lane) ?? new Set<TaskId>();
    tasks.add(span.task);
    this.lanes.set(span.lane, tasks);
    return this;
  }

  get failed(): T[] {
    return this.#spans.filter((span): span is T & { error: string } => span.error !== undefined);
  }

  overlapOn(lane: string): number {
    const sorted = [...this.#spans].filter((s) => s.lane === lane).sort((a, b) => a.start - b.start);
    return sorted.reduce((overlap, span, i) => overlap + Math.max(0, (sorted[i - 1]?.end ?? span.start) - span.start), 0);
  }

  *[Symbol.iterator](): Iterator<T> {
    yield* this.#spans;
  }
}

async function attempt<T>(work: () => Promise<T>, retries = 2): Promise<Outcome<T>> {
  for (let i = 0; ; i++) {
    try {
      return { ok: true, value: await work() };
    } catch (error) {
      if (i >= retries) return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }
}

const timeline = new Timeline();
const kinds: LaneKind[] = ["loop", "thread", "process"];
kinds.forEach((kind, i) => timeline.add({ task: \`task-\${i}\`, lane: \`\${kind} 1\`, kind, start: i * 10, end: i * 10 + 25 }));
const { by, wallMs } = summarise([...timeline], (span) => span.kind);
const outcomes = await Promise.all([1, 2, 3].map((n) => attempt(async () => n * 2)));
const values = outcomes.flatMap((o) => (o.ok ? [o.value] : []));
const label = \`\${Object.keys(by).join("/")} in \${wallMs.toFixed(1)} ms: \${values.join(", ")}\`;
label.length + timeline.overlapOn("loop 1") + timeline.failed.length;
`;
