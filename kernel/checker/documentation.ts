// Documentation for inspect_request. The checker parses every file without its JSDoc (see
// JSDOC_PARSING): lib and @types/node are mostly doc comments, and skipping them makes the first
// result ~60 ms sooner and the checker ~8 MiB smaller. So an inspect reads the doc comments of
// the one declaration it shows, from a parse of that file that keeps them.
import ts from "#typescript";

/** How the checker's program parses JSDoc: only where it could change errors, i.e. in JavaScript. */
export const JSDOC_PARSING = ts.JSDocParsingMode.ParseForTypeErrors;

/** Files with their doc comments parsed, kept for files that do not change (lib, node_modules). */
const MAX_KEPT_FILES = 16;

export class Documentation {
  readonly #kept = new Map<string, ts.SourceFile>();

  /**
   * `text(fileName)` gives a cell's current text, or undefined for a file on disk; `readFile`
   * reads one from disk.
   */
  constructor(
    private readonly text: (fileName: string) => string | undefined,
    private readonly readFile: (fileName: string) => string | undefined,
  ) {}

  /** The doc comment and tags of the first of these declarations that has any, as plain text. */
  of(definitions: readonly ts.DefinitionInfo[]): string {
    for (const definition of definitions) {
      const source = this.#documented(definition.fileName);
      const declaration = source && declarationNamedAt(source, definition.textSpan);
      const text = declaration ? docText(declaration) : "";
      if (text) return text;
    }
    return "";
  }

  #documented(fileName: string): ts.SourceFile | undefined {
    const cellText = this.text(fileName);
    if (cellText !== undefined) return parse(fileName, cellText);
    const kept = this.#kept.get(fileName);
    if (kept) {
      // Most recently used last: the oldest goes first when the map is full.
      this.#kept.delete(fileName);
      this.#kept.set(fileName, kept);
      return kept;
    }
    const text = this.readFile(fileName);
    if (text === undefined) return undefined;
    const source = parse(fileName, text);
    this.#kept.set(fileName, source);
    if (this.#kept.size > MAX_KEPT_FILES) this.#kept.delete(this.#kept.keys().next().value!);
    return source;
  }
}

function parse(fileName: string, text: string): ts.SourceFile {
  return ts.createSourceFile(fileName, text, { languageVersion: ts.ScriptTarget.ES2022, jsDocParsingMode: ts.JSDocParsingMode.ParseAll }, true);
}

/** The declaration whose name covers exactly `span` (what go-to-definition points at). */
function declarationNamedAt(source: ts.SourceFile, span: ts.TextSpan): ts.Node | undefined {
  const end = span.start + span.length;
  const visit = (node: ts.Node): ts.Node | undefined => {
    if (node.getStart(source) === span.start && node.end === end && node.parent) return node.parent;
    return node.pos <= span.start && end <= node.end ? ts.forEachChild(node, visit) : undefined;
  };
  return ts.forEachChild(source, visit);
}

/** The comment text, then each tag as `@name text`, separated by blank lines (as quick info shows them). */
function docText(declaration: ts.Node): string {
  const parts: string[] = [];
  for (const doc of ts.getJSDocCommentsAndTags(declaration)) {
    if (!ts.isJSDoc(doc)) continue;
    const comment = commentText(doc.comment);
    if (comment) parts.push(comment);
    for (const tag of doc.tags ?? []) parts.push(tagText(tag));
  }
  return parts.join("\n\n");
}

function tagText(tag: ts.JSDocTag): string {
  const name = ts.isJSDocParameterTag(tag) || ts.isJSDocPropertyTag(tag) ? ` ${tag.name.getText()}` : "";
  const comment = commentText(tag.comment);
  return `@${tag.tagName.text}${name}${comment ? ` ${comment}` : ""}`;
}

/**
 * A comment's text with each `{@link …}` as the words a reader wants: `{@link readFile}` is
 * `readFile`, `{@link Foo the foo}` is `the foo`, `{@link https://x.org docs}` is `docs
 * (https://x.org)`. (ts.getTextOfJSDocComment keeps the tags as written, and Node's docs are full
 * of them: the tooltip of fs.readFileSync said "see {@link readFile}".)
 */
function commentText(comment: string | ts.NodeArray<ts.JSDocComment> | undefined): string {
  if (comment === undefined || typeof comment === "string") return comment?.trim() ?? "";
  return comment.map((part) => (ts.isJSDocLink(part) || ts.isJSDocLinkCode(part) || ts.isJSDocLinkPlain(part) ? linkText(part) : part.text)).join("").trim();
}

function linkText(link: ts.JSDocLink | ts.JSDocLinkCode | ts.JSDocLinkPlain): string {
  const name = link.name?.getText() ?? "";
  // A URL is parsed as the name `https` and the text `://x.org words`.
  if (name && link.text.startsWith("://")) {
    const [url, ...words] = `${name}${link.text}`.split(/\s+/);
    const label = words.join(" ").replace(/^\|\s*/, "");
    return label ? `${label} (${url})` : url!;
  }
  const label = link.text.replace(/^\|\s*/, "").trim();
  return label || name;
}
