// Turns a checked cell (an ES module to the type checker) into a script V8's REPL mode can run:
// - ES imports become `await __parlab.import(...)`, hoisted to the top as ES imports are;
// - the imports that stitch cells together for the type checker, and all exports, disappear;
// - the value of a final expression statement is handed to `__parlab.result(...)`;
// - `import(...)` and `import.meta` go through the kernel, which resolves from the notebook's folder.
// It also tells whether the script needs REPL mode (see ScriptMode).
import ts from "#typescript";
import type { ScriptMode } from "./protocol.js";
import { ShadowRenamer, type GlobalShadows } from "./global-shadows.js";

export const RUNTIME = "__parlab";
export const CELL_MODULE_PREFIX = "./__parlab_cell_";

/**
 * Runs before TypeScript strips types: it still sees the cell exactly as written. With `shadows`,
 * cell bindings named like Node's globals are renamed (see global-shadows.ts).
 */
export function beforeTransform(cellEnd: number, shadows?: GlobalShadows): ts.TransformerFactory<ts.SourceFile> {
  return (context) => (source) => {
    const f = context.factory;
    const runtime = (member: string) => f.createPropertyAccessExpression(f.createIdentifier(RUNTIME), member);
    const renamer = shadows && shadows.names.size > 0 ? new ShadowRenamer(shadows, f) : undefined;
    // By end, not start: a statement's start includes leading trivia that may lie in the cell.
    const cellStatements = source.statements.filter((statement) => statement.end <= cellEnd);
    const last = cellStatements.at(-1);

    const visit = (node: ts.Node): ts.Node => {
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        return f.updateCallExpression(node, runtime("import"), node.typeArguments, ts.visitNodes(node.arguments, visit, ts.isExpression));
      }
      if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) return runtime("importMeta");
      return renamer?.node(node, visit) ?? ts.visitEachChild(node, visit, context);
    };

    const hoisted: ts.Statement[] = [];
    const statements: ts.Statement[] = [];
    for (const statement of source.statements) {
      const declaration = renamer?.declaration(statement, visit);
      if (declaration) {
        (declaration.hoisted ? hoisted : statements).push(declaration.statement);
        continue;
      }
      const visited = ts.visitNode(statement, visit) as ts.Statement;
      if (statement === last && ts.isExpressionStatement(visited)) {
        statements.push(ts.setTextRange(f.createExpressionStatement(f.createCallExpression(runtime("result"), undefined, [visited.expression])), statement));
      } else {
        statements.push(visited);
      }
    }
    return f.updateSourceFile(source, [...hoisted, ...statements]);
  };
}

/**
 * Runs after TypeScript emitted ES module JavaScript: imports TypeScript kept are value imports.
 * `report` learns how the resulting script must run.
 */
export function afterTransform(report: (mode: ScriptMode) => void): ts.TransformerFactory<ts.SourceFile> {
  return (context) => (source) => {
    const f = context.factory;
    const hoisted: ts.Statement[] = [];
    const body: ts.Statement[] = [];
    for (const statement of source.statements) {
      if (ts.isImportDeclaration(statement)) {
        const specifier = (statement.moduleSpecifier as ts.StringLiteral).text;
        if (!specifier.startsWith(CELL_MODULE_PREFIX)) hoisted.push(...importAsStatements(f, statement, specifier));
      } else if (ts.isExportDeclaration(statement)) {
        continue;
      } else if (ts.isExportAssignment(statement)) {
        body.push(ts.setTextRange(f.createExpressionStatement(statement.expression), statement));
      } else {
        body.push(withoutExportModifier(f, statement));
      }
    }
    const statements = [...hoisted, ...body];
    report(statements.some((statement) => declaresLexically(statement) || awaitsAtTopLevel(statement)) ? "repl" : "script");
    return f.updateSourceFile(source, statements);
  };
}

/** A let, const or class at the top: a classic script could not declare its name a second time. */
function declaresLexically(statement: ts.Statement): boolean {
  if (ts.isClassDeclaration(statement)) return true;
  return ts.isVariableStatement(statement) && (statement.declarationList.flags & ts.NodeFlags.BlockScoped) !== 0;
}

/**
 * An `await` outside any function. Looked for in the syntax tree, not left to the parser: in a
 * classic script `await (x)` is a call to a function named await.
 */
function awaitsAtTopLevel(node: ts.Node): boolean {
  if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) return true;
  if (ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.AwaitUsing) === ts.NodeFlags.AwaitUsing) return true;
  // A function's body and parameters are its own; a computed method name is evaluated outside it.
  if (ts.isFunctionLike(node)) return node.name !== undefined && ts.isComputedPropertyName(node.name) && awaitsAtTopLevel(node.name);
  return ts.forEachChild(node, awaitsAtTopLevel) ?? false;
}

function importAsStatements(f: ts.NodeFactory, node: ts.ImportDeclaration, specifier: string): ts.Statement[] {
  const load = () => f.createAwaitExpression(
    f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier(RUNTIME), "import"), undefined, [f.createStringLiteral(specifier)]),
  );
  const constant = (name: ts.BindingName, initializer: ts.Expression) => ts.setTextRange(
    f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(name, undefined, undefined, initializer)], ts.NodeFlags.Const)),
    node,
  );
  const clause = node.importClause;
  if (!clause) return [ts.setTextRange(f.createExpressionStatement(load()), node)];
  const out: ts.Statement[] = [];
  const bindings = clause.namedBindings;
  if (clause.name) out.push(constant(f.createIdentifier(clause.name.text), f.createPropertyAccessExpression(f.createParenthesizedExpression(load()), "default")));
  if (bindings && ts.isNamespaceImport(bindings)) out.push(constant(f.createIdentifier(bindings.name.text), load()));
  if (bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0) {
    const pattern = f.createObjectBindingPattern(bindings.elements.map((element) => f.createBindingElement(
      undefined,
      element.propertyName ? f.createIdentifier(element.propertyName.text) : undefined,
      f.createIdentifier(element.name.text),
    )));
    // CommonJS packages may hide names from Node's static export detection: fall back to the default export.
    const named = f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier(RUNTIME), "named"), undefined, [load()]);
    out.push(constant(pattern, named));
  }
  return out;
}

function withoutExportModifier(f: ts.NodeFactory, statement: ts.Statement): ts.Statement {
  if (!ts.canHaveModifiers(statement)) return statement;
  const modifiers = ts.getModifiers(statement);
  if (!modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) return statement;
  const kept = modifiers.filter((modifier) => modifier.kind !== ts.SyntaxKind.ExportKeyword && modifier.kind !== ts.SyntaxKind.DefaultKeyword);
  if (ts.isVariableStatement(statement)) return f.updateVariableStatement(statement, kept, statement.declarationList);
  if (ts.isFunctionDeclaration(statement)) {
    return f.updateFunctionDeclaration(statement, kept, statement.asteriskToken, statement.name, statement.typeParameters, statement.parameters, statement.type, statement.body);
  }
  if (ts.isClassDeclaration(statement)) {
    return f.updateClassDeclaration(statement, kept, statement.name, statement.typeParameters, statement.heritageClauses, statement.members);
  }
  return statement;
}
