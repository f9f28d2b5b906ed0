// Input history across kernel sessions, for history_request: one JSON line per executed cell,
// appended (so a crash loses nothing before it), and one line where each session claims its
// number. The file grows with every cell ever run, so it is read only when a history_request
// asks for it, and then only what was appended since: storing a cell needs just the session
// number, which the end of the file gives.
import { randomUUID } from "node:crypto";
import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readSync } from "node:fs";
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

/** How much of the file's end is read for the newest session number. */
const TAIL_BYTES = 256 * 1024;

export class History {
  /**
   * The file's entries, read by queries: each reads what was appended since the last, by this
   * kernel or any other sharing the file (a console beside a notebook sees the notebook's cells).
   */
  readonly #read: HistoryEntry[] = [];
  /** Bytes of the file read so far: up to the end of its last whole line. */
  #readUpTo = 0;
  /** This session's entries that could not be written (a read-only home): queries still see them. */
  readonly #unwritten: HistoryEntry[] = [];
  #session: number | undefined;
  /** The folder is made on the first store, not on every one (a system call per cell). */
  #folderMade = false;
  /**
   * Whether the file may end in a torn line (a crash or a full disk mid-write): until one of our
   * appends has succeeded we cannot know it does not, and an entry appended to a torn line would
   * be lost with it.
   */
  #mayEndTorn = true;

  constructor(private readonly file: string) {}

  get session(): number {
    this.#session ??= this.#claimSession();
    return this.#session;
  }

  /**
   * Takes the next session number by writing a claim for it as soon as it is known. Without one,
   * a kernel that has only answered a query (a console asks for history as it opens) would share
   * its number with any kernel that stores a cell before it does. Two kernels claiming at once
   * see both claims in the same order: the later one claims again.
   */
  #claimSession(): number {
    const id = randomUUID();
    let session = newestSession(this.file) + 1;
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        this.#append(JSON.stringify({ session, claim: id }) + "\n");
      } catch {
        return session; // an unwritable file: this session's cells stay in memory anyway
      }
      const before = newestBeforeClaim(this.file, id);
      if (before === undefined || before < session) return session;
      session = newestSession(this.file) + 1;
    }
    return session;
  }

  /** Appends whole lines; throws if the file cannot be written. */
  #append(text: string): void {
    try {
      if (!this.#folderMade) {
        mkdirSync(path.dirname(this.file), { recursive: true });
        this.#folderMade = true;
      }
      appendFileSync(this.file, this.#mayEndTorn && !endsWithNewline(this.file) ? "\n" + text : text);
      this.#mayEndTorn = false;
    } catch (error) {
      this.#mayEndTorn = true;
      throw error;
    }
  }

  store(line: number, input: string): void {
    const entry: HistoryEntry = [this.session, line, input];
    try {
      this.#append(JSON.stringify(entry) + "\n");
    } catch {
      // History is a convenience: a read-only home must not break execution, and queries still
      // see the entry.
      this.#unwritten.push(entry);
    }
  }

  /** Reads the whole lines appended since the last read; a line still being written waits for the next. */
  #readNewLines(): void {
    readingFile(this.file, undefined, (fd) => {
      const size = fstatSync(fd).size;
      if (size < this.#readUpTo) {
        // Cut short or replaced: read it again from the start.
        this.#read.length = 0;
        this.#readUpTo = 0;
      }
      if (size === this.#readUpTo) return;
      const appended = Buffer.alloc(size - this.#readUpTo);
      readSync(fd, appended, 0, appended.length, this.#readUpTo);
      const end = appended.lastIndexOf(0x0a) + 1;
      for (const line of appended.subarray(0, end).toString("utf8").split("\n")) {
        if (!line) continue;
        try {
          const entry = JSON.parse(line) as unknown;
          if (Array.isArray(entry) && entry.length === 3) this.#read.push(entry as HistoryEntry);
        } catch { /* a line torn by a crash: skip it */ }
      }
      this.#readUpTo += end;
    });
  }

  query(request: HistoryQuery): HistoryEntry[] {
    const session = this.session;
    this.#readNewLines();
    const entries = this.#unwritten.length === 0 ? this.#read : [...this.#read, ...this.#unwritten];
    switch (request.hist_access_type) {
      case "tail":
        return lastOf(maybeUnique(entries, request.unique), request.n ?? 10);
      case "range": {
        const wanted = (request.session ?? 0) <= 0 ? session + (request.session ?? 0) : request.session!;
        const start = request.start ?? 0;
        const stop = request.stop ?? Infinity;
        return entries.filter(([s, line]) => s === wanted && line >= start && line < stop);
      }
      case "search": {
        const pattern = globToRegExp(request.pattern ?? "*");
        const found = maybeUnique(entries.filter(([, , input]) => pattern.test(input)), request.unique);
        return request.n === undefined ? found : lastOf(found, request.n);
      }
      default:
        throw new Error(`hist_access_type must be "tail", "range" or "search"`);
    }
  }
}


/** Where a line starts with a session number: `[n,` (an entry) or `{"session":n,` (a claim). */
const SESSION_AT_LINE_START = /\n(?:\[|\{"session":)(\d+),/g;

function highestSession(text: string): number | undefined {
  let highest: number | undefined;
  for (const match of text.matchAll(SESSION_AT_LINE_START)) highest = Math.max(highest ?? 0, Number(match[1]));
  return highest;
}

/**
 * Reads wider and wider windows of the file's end (one entry may be longer than a window) until
 * `look` finds what it needs in one, or the window is the whole file.
 */
function fromTheEnd<T>(file: string, look: (tail: string, wholeFile: boolean) => T | undefined): T | undefined {
  return readingFile(file, undefined, (fd) => {
    const size = fstatSync(fd).size;
    for (let window = TAIL_BYTES; ; window *= 4) {
      const start = Math.max(0, size - window);
      const tail = Buffer.alloc(size - start);
      readSync(fd, tail, 0, tail.length, start);
      // Inputs are JSON strings, whose newlines are escaped: after "\n", a line starts.
      const found = look(`${start === 0 ? "\n" : ""}${tail.toString("utf8")}`, start === 0);
      if (found !== undefined || start === 0) return found;
    }
  });
}

/**
 * The highest session number in use (0 if none). Claims are written in the order sessions start,
 * so the window is widened until it holds one: a long-running older session may since have
 * written more than a window. (A file from before claims has none, and is read to its start.)
 */
function newestSession(file: string): number {
  return fromTheEnd(file, (tail, wholeFile) => (wholeFile || tail.includes('\n{"session":') ? highestSession(tail) ?? 0 : undefined)) ?? 0;
}

/** The highest session number on the lines before our claim, which concurrent claims share. */
function newestBeforeClaim(file: string, claimId: string): number | undefined {
  return fromTheEnd(file, (tail) => {
    const at = tail.indexOf(`"claim":"${claimId}"`);
    return at === -1 ? undefined : highestSession(tail.slice(0, tail.lastIndexOf("\n", at))) ?? 0;
  });
}

/** Whether the file's last line is whole: it is empty, missing, or ends in a newline. */
function endsWithNewline(file: string): boolean {
  return readingFile(file, true, (fd) => {
    const size = fstatSync(fd).size;
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] === 0x0a;
  });
}

/**
 * `use` of the file opened for reading, or `otherwise` if it cannot be opened (no history yet) or
 * read (history is a convenience: it never fails a request).
 */
function readingFile<T>(file: string, otherwise: T, use: (fd: number) => T): T {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return otherwise;
  }
  try {
    return use(fd);
  } catch {
    return otherwise;
  } finally {
    closeSync(fd);
  }
}

/** The last `n` (none for 0, which as `slice(-0)` would be all). */
function lastOf<T>(items: T[], n: number): T[] {
  return items.slice(Math.max(0, items.length - n));
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
