// Input history across kernel sessions, for history_request: one JSON line per executed cell,
// appended (so a crash loses nothing before it), read once when first asked for.
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";

export type HistoryEntry = [session: number, line: number, input: string];

export interface HistoryQuery {
  hist_access_type: "tail" | "range" | "search";
  n?: number;
  session?: number;
  start?: number;
  stop?: number | null;
  pattern?: string;
  unique?: boolean;
}

export class History {
  #entries: HistoryEntry[] | undefined;
  #session = 0;
  /** The folder is made on the first store, not on every one (a system call per cell). */
  #folderMade = false;

  constructor(private readonly file: string) {}

  get session(): number {
    this.#load();
    return this.#session;
  }

  store(line: number, input: string): void {
    this.#load();
    const entry: HistoryEntry = [this.#session, line, input];
    this.#entries!.push(entry);
    try {
      if (!this.#folderMade) {
        mkdirSync(path.dirname(this.file), { recursive: true });
        this.#folderMade = true;
      }
      appendFileSync(this.file, JSON.stringify(entry) + "\n");
    } catch {
      // History is a convenience: a read-only home must not break execution.
    }
  }

  query(request: HistoryQuery): HistoryEntry[] {
    this.#load();
    const entries = this.#entries!;
    switch (request.hist_access_type) {
      case "tail":
        return maybeUnique(entries, request.unique).slice(-Math.max(0, request.n ?? 10));
      case "range": {
        const session = (request.session ?? 0) <= 0 ? this.#session + (request.session ?? 0) : request.session!;
        const start = request.start ?? 0;
        const stop = request.stop ?? Infinity;
        return entries.filter(([s, line]) => s === session && line >= start && line < stop);
      }
      case "search": {
        const pattern = globToRegExp(request.pattern ?? "*");
        const found = maybeUnique(entries.filter(([, , input]) => pattern.test(input)), request.unique);
        return request.n ? found.slice(-request.n) : found;
      }
      default:
        throw new Error(`hist_access_type must be "tail", "range" or "search"`);
    }
  }

  #load(): void {
    if (this.#entries) return;
    this.#entries = [];
    try {
      for (const line of readFileSync(this.file, "utf8").split("\n")) {
        if (!line) continue;
        try {
          const entry = JSON.parse(line) as HistoryEntry;
          if (Array.isArray(entry) && entry.length === 3) this.#entries.push(entry);
        } catch { /* a torn last line from a crash: skip it */ }
      }
    } catch { /* no history yet */ }
    this.#session = this.#entries.reduce((max, [session]) => Math.max(max, session), 0) + 1;
  }
}

function maybeUnique(entries: HistoryEntry[], unique: boolean | undefined): HistoryEntry[] {
  if (!unique) return entries;
  const seen = new Set<string>();
  const out: HistoryEntry[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    if (seen.has(entries[i]![2])) continue;
    seen.add(entries[i]![2]);
    out.unshift(entries[i]!);
  }
  return out;
}

/** IPython's history search takes glob patterns: * and ? (the whole input must match). */
function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]");
  return new RegExp(`^${body}$`);
}

export function defaultHistoryFile(): string {
  if (process.env.PARLAB_HISTORY_FILE) return process.env.PARLAB_HISTORY_FILE;
  const home = process.env.HOME ?? process.env.USERPROFILE ?? ".";
  const dataHome = process.env.XDG_DATA_HOME || path.join(home, ".local", "share");
  return path.join(dataHome, "parlab", "history.jsonl");
}
