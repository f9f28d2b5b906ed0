// A snapshot of an in-memory file that tells TypeScript what changed since the last one. With a
// change range, the language service parses a cell edited and run again incrementally, keeping
// the nodes of the lines that did not change, instead of parsing all of it again.
import ts from "#typescript";

export class EditSnapshot implements ts.IScriptSnapshot {
  constructor(readonly text: string) {}

  getText(start: number, end: number): string {
    return this.text.substring(start, end);
  }

  getLength(): number {
    return this.text.length;
  }

  getChangeRange(old: ts.IScriptSnapshot): ts.TextChangeRange | undefined {
    return old instanceof EditSnapshot ? textChange(old.text, this.text) : undefined;
  }
}

/** The one span of `before` that `after` replaces: what lies between their common start and common end. */
export function textChange(before: string, after: string): ts.TextChangeRange {
  const shorter = Math.min(before.length, after.length);
  let start = 0;
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)) {
    endBefore--;
    endAfter--;
  }
  return ts.createTextChangeRange(ts.createTextSpan(start, endBefore - start), endAfter - start);
}
