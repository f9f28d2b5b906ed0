// A cell's top-level names are global bindings at run time, where every module also looks for
// Node's globals. A cell that declared or imported one of those names (`import { setTimeout }
// from "node:timers/promises"`, `const process = spawn(...)`) replaced it for the kernel and every
// library: background output then crashed the kernel. In the emitted script such a binding gets
// another name, in that cell and in every later cell that uses it; to the type checker, and in
// what the user reads, it keeps its own.
import ts from "#typescript";
import { shadowName } from "./shadow-name.js";

export interface GlobalShadows {
  /** Top-level names of this or earlier cells that are also globals of the realm cells run in. */
  names: ReadonlySet<string>;
  checker: ts.TypeChecker;
  isCellFile(fileName: string): boolean;
}

type Visit = (node: ts.Node) => ts.Node;

export class ShadowRenamer {
  constructor(private readonly shadows: GlobalShadows, private readonly f: ts.NodeFactory) {}

  /** `node` with such names renamed and its parts visited with `visit`, or undefined if it needs nothing special. */
  node(node: ts.Node, visit: Visit): ts.Node | undefined {
    const f = this.f;
    if (ts.isIdentifier(node)) return this.#renames(node) ? this.#renamed(node) : node;
    // `{ process }` names the property as much as the variable: only the variable is renamed.
    if (ts.isShorthandPropertyAssignment(node) && this.shadows.names.has(node.name.text) && this.#isCellBinding(this.shadows.checker.getShorthandAssignmentValueSymbol(node))) {
      // In a destructuring assignment, `{ process = fallback } = value` has a default.
      const fallback = ts.visitNode(node.objectAssignmentInitializer, visit, ts.isExpression);
      return f.createPropertyAssignment(node.name.text, fallback ? f.createAssignment(this.#renamed(node.name), fallback) : this.#renamed(node.name));
    }
    if (ts.isBindingElement(node) && !node.propertyName && !node.dotDotDotToken && ts.isIdentifier(node.name) && this.#renames(node.name)) {
      return f.updateBindingElement(node, undefined, f.createIdentifier(node.name.text), this.#renamed(node.name), ts.visitNode(node.initializer, visit, ts.isExpression));
    }
    // A function or class without a name of its own takes the variable's: `{ fetch: ... }.fetch`
    // gives it the name as written, for how it is shown and in stack traces.
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && isAnonymous(node.initializer) && this.#renames(node.name)) {
      const named = f.createPropertyAccessExpression(f.createObjectLiteralExpression([f.createPropertyAssignment(node.name.text, ts.visitNode(node.initializer, visit, ts.isExpression))]), node.name.text);
      return f.updateVariableDeclaration(node, this.#renamed(node.name), node.exclamationToken, node.type, named);
    }
    if (ts.isImportSpecifier(node) && this.#renames(node.name)) {
      return f.updateImportSpecifier(node, node.isTypeOnly, node.propertyName ?? f.createIdentifier(node.name.text), this.#renamed(node.name));
    }
    // What follows a dot, and a property's name, are no bindings.
    if (ts.isPropertyAccessExpression(node)) return f.updatePropertyAccessExpression(node, ts.visitNode(node.expression, visit, ts.isExpression), node.name);
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name)) return f.updatePropertyAssignment(node, node.name, ts.visitNode(node.initializer, visit, ts.isExpression));
    return undefined;
  }

  /**
   * A top-level class or function declaration whose name is renamed, as a variable holding a
   * class or function expression of the original name: its `name`, and how it is shown, stay as
   * written. A function is `hoisted`, as its declaration was: the cell may call it above it.
   */
  declaration(statement: ts.Statement, visit: Visit): { statement: ts.Statement; hoisted: boolean } | undefined {
    const f = this.f;
    if (ts.isClassDeclaration(statement) && statement.name && this.#renames(statement.name)) {
      const value = f.createClassExpression(
        withoutExport(statement.modifiers), statement.name.text, statement.typeParameters,
        ts.visitNodes(statement.heritageClauses, visit, ts.isHeritageClause), ts.visitNodes(statement.members, visit, ts.isClassElement),
      );
      return { statement: this.#variable(statement.name, ts.NodeFlags.Let, value, statement), hoisted: false };
    }
    if (ts.isFunctionDeclaration(statement) && statement.name && statement.body && this.#renames(statement.name)) {
      const async = statement.modifiers?.filter((modifier): modifier is ts.Modifier => modifier.kind === ts.SyntaxKind.AsyncKeyword);
      const value = f.createFunctionExpression(
        async, statement.asteriskToken, statement.name.text, statement.typeParameters,
        ts.visitNodes(statement.parameters, visit, ts.isParameter), statement.type, ts.visitNode(statement.body, visit, ts.isBlock),
      );
      return { statement: this.#variable(statement.name, ts.NodeFlags.None, value, statement), hoisted: true };
    }
    return undefined;
  }

  #renames(identifier: ts.Identifier): boolean {
    return this.shadows.names.has(identifier.text) && this.#isCellBinding(this.shadows.checker.getSymbolAtLocation(identifier));
  }

  #renamed(identifier: ts.Identifier): ts.Identifier {
    return ts.setTextRange(this.f.createIdentifier(shadowName(identifier.text)), identifier);
  }

  #isCellBinding(symbol: ts.Symbol | undefined): boolean {
    const declaration = symbol?.declarations?.[0];
    if (!declaration || !BINDING_KINDS.has(declaration.kind) || !this.shadows.isCellFile(declaration.getSourceFile().fileName)) return false;
    if (ts.getCombinedModifierFlags(declaration as ts.Declaration) & ts.ModifierFlags.Ambient) return false;
    return isTopLevel(declaration);
  }

  #variable(name: ts.Identifier, flags: ts.NodeFlags, value: ts.Expression, original: ts.Statement): ts.Statement {
    const declaration = this.f.createVariableDeclaration(this.#renamed(name), undefined, undefined, value);
    return ts.setTextRange(this.f.createVariableStatement(undefined, this.f.createVariableDeclarationList([declaration], flags)), original);
  }
}

/** Declarations that create a binding (not a property, a method or a type member). */
const BINDING_KINDS = new Set([
  ts.SyntaxKind.VariableDeclaration, ts.SyntaxKind.BindingElement, ts.SyntaxKind.FunctionDeclaration, ts.SyntaxKind.ClassDeclaration,
  ts.SyntaxKind.EnumDeclaration, ts.SyntaxKind.ModuleDeclaration, ts.SyntaxKind.ImportSpecifier, ts.SyntaxKind.ImportClause,
  ts.SyntaxKind.NamespaceImport, ts.SyntaxKind.ImportEqualsDeclaration,
]);

/** Declared at the top of its file: not inside a function, class, block or loop. */
function isTopLevel(declaration: ts.Node): boolean {
  for (let node = declaration.parent; node && !ts.isSourceFile(node); node = node.parent) {
    if (ts.isFunctionLike(node) || ts.isClassLike(node) || ts.isBlock(node) || ts.isModuleBlock(node) || ts.isCatchClause(node) || ts.isIterationStatement(node, false)) return false;
  }
  return true;
}

function isAnonymous(value: ts.Expression): boolean {
  return ts.isArrowFunction(value) || ((ts.isFunctionExpression(value) || ts.isClassExpression(value)) && !value.name);
}

function withoutExport(modifiers: ts.NodeArray<ts.ModifierLike> | undefined): ts.ModifierLike[] | undefined {
  return modifiers?.filter((modifier) => modifier.kind !== ts.SyntaxKind.ExportKeyword && modifier.kind !== ts.SyntaxKind.DefaultKeyword);
}
