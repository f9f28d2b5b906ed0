// What a cell declares at its top level: the names later cells see.
import ts from "#typescript";

export interface CellNames {
  /** Every top-level binding the cell creates (values, types, imports). */
  declared: Set<string>;
  /** The subset the user already marked `export`; we must not export them twice. */
  exported: Set<string>;
  /** `declare global` / `declare module`: the cell changes types beyond its own names. */
  augments: boolean;
  /** Every name the cell mentions (a superset of those it uses from earlier cells). */
  mentioned: Set<string>;
}

export function collectCellNames(source: ts.SourceFile): CellNames {
  const declared = new Set<string>();
  const exported = new Set<string>();
  let augments = false;
  const add = (name: string, isExported: boolean) => {
    declared.add(name);
    if (isExported) exported.add(name);
  };
  for (const statement of source.statements) {
    const isExported = hasExportModifier(statement);
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) bindingNames(declaration.name, (name) => add(name, isExported));
    } else if (
      ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement)
    ) {
      if (statement.name) add(statement.name.text, isExported);
    } else if (ts.isModuleDeclaration(statement)) {
      if (ts.isIdentifier(statement.name) && !(statement.flags & ts.NodeFlags.GlobalAugmentation)) add(statement.name.text, isExported);
      else augments = true;
    } else if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.name) add(clause.name.text, false);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) add(bindings.name.text, false);
      if (bindings && ts.isNamedImports(bindings)) for (const element of bindings.elements) add(element.name.text, false);
    } else if (ts.isImportEqualsDeclaration(statement)) {
      add(statement.name.text, isExported);
    }
  }
  return { declared, exported, augments, mentioned: mentionedNames(source) };
}

function mentionedNames(source: ts.SourceFile): Set<string> {
  const found = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) found.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function bindingNames(name: ts.BindingName, visit: (name: string) => void): void {
  if (ts.isIdentifier(name)) { visit(name.text); return; }
  for (const element of name.elements) if (!ts.isOmittedExpression(element)) bindingNames(element.name, visit);
}

function hasExportModifier(statement: ts.Statement): boolean {
  return ts.canHaveModifiers(statement) && (ts.getModifiers(statement) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
}
