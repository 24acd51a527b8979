/**
 * The mutation points of a TypeScript source file, found with the `typescript` parser (and its type
 * checker, to tell a string `+` from an arithmetic one and to pick a return value's replacement):
 * one small, realistic change each, the kind of bug a test should notice. Used by
 * test/mutation/run.ts (`npm run test:mutation`).
 *
 * @module
 */

import ts from "typescript";

/**
 * One change to one source file: replace `[start, end)` with `replacement`.
 *
 * @example
 * ```ts
 * import type { Mutant } from "./mutants.ts";
 * const mutant: Mutant = { file: "a.ts", operator: "comparison", start: 2, end: 3, original: "<", replacement: "<=", line: 1 };
 * ```
 */
export interface Mutant {
  /** The file, as given to {@linkcode findMutants}. */
  readonly file: string;
  /** The kind of change, for the report (`boundary`, `equality`, `logical`, ...). */
  readonly operator: string;
  readonly start: number;
  readonly end: number;
  /** The text replaced. */
  readonly original: string;
  readonly replacement: string;
  /** 1-based line of `start`. */
  readonly line: number;
}

const BOUNDARY: Readonly<Partial<Record<ts.SyntaxKind, readonly ts.SyntaxKind[]>>> = {
  [ts.SyntaxKind.LessThanToken]: [ts.SyntaxKind.LessThanEqualsToken, ts.SyntaxKind.GreaterThanEqualsToken],
  [ts.SyntaxKind.LessThanEqualsToken]: [ts.SyntaxKind.LessThanToken, ts.SyntaxKind.GreaterThanToken],
  [ts.SyntaxKind.GreaterThanToken]: [ts.SyntaxKind.GreaterThanEqualsToken, ts.SyntaxKind.LessThanEqualsToken],
  [ts.SyntaxKind.GreaterThanEqualsToken]: [ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.LessThanToken],
};
const SWAPS: Readonly<Partial<Record<ts.SyntaxKind, readonly [string, ts.SyntaxKind]>>> = {
  [ts.SyntaxKind.EqualsEqualsEqualsToken]: ["equality", ts.SyntaxKind.ExclamationEqualsEqualsToken],
  [ts.SyntaxKind.ExclamationEqualsEqualsToken]: ["equality", ts.SyntaxKind.EqualsEqualsEqualsToken],
  [ts.SyntaxKind.EqualsEqualsToken]: ["equality", ts.SyntaxKind.ExclamationEqualsToken],
  [ts.SyntaxKind.ExclamationEqualsToken]: ["equality", ts.SyntaxKind.EqualsEqualsToken],
  [ts.SyntaxKind.AmpersandAmpersandToken]: ["logical", ts.SyntaxKind.BarBarToken],
  [ts.SyntaxKind.BarBarToken]: ["logical", ts.SyntaxKind.AmpersandAmpersandToken],
  [ts.SyntaxKind.PlusToken]: ["arithmetic", ts.SyntaxKind.MinusToken],
  [ts.SyntaxKind.MinusToken]: ["arithmetic", ts.SyntaxKind.PlusToken],
  [ts.SyntaxKind.AsteriskToken]: ["arithmetic", ts.SyntaxKind.SlashToken],
  [ts.SyntaxKind.SlashToken]: ["arithmetic", ts.SyntaxKind.AsteriskToken],
  [ts.SyntaxKind.PercentToken]: ["arithmetic", ts.SyntaxKind.AsteriskToken],
  [ts.SyntaxKind.PlusEqualsToken]: ["arithmetic", ts.SyntaxKind.MinusEqualsToken],
  [ts.SyntaxKind.MinusEqualsToken]: ["arithmetic", ts.SyntaxKind.PlusEqualsToken],
};

/** Is `node` inside a part of the file that is types only, or module wiring? */
function outsideCode(node: ts.Node): boolean {
  for (let at: ts.Node = node; !ts.isSourceFile(at); at = at.parent) {
    if (ts.isTypeNode(at)) return true;
    if (
      ts.isImportDeclaration(at) || ts.isExportDeclaration(at) || ts.isInterfaceDeclaration(at) || ts.isTypeAliasDeclaration(at) ||
      ts.isImportEqualsDeclaration(at) || ts.isExternalModuleReference(at)
    ) return true;
    if (ts.canHaveModifiers(at) && ts.getModifiers(at)?.some((modifier) => modifier.kind === ts.SyntaxKind.DeclareKeyword)) return true;
  }
  return false;
}

function isStringLike(checker: ts.TypeChecker | undefined, node: ts.Expression): boolean {
  if (ts.isStringLiteralLike(node) || ts.isTemplateExpression(node)) return true;
  if (checker === undefined) return false;
  const type = checker.getTypeAtLocation(node);
  return (type.flags & ts.TypeFlags.StringLike) !== 0 || (type.isUnion() && type.types.some((part) => (part.flags & ts.TypeFlags.StringLike) !== 0));
}

function returnReplacement(checker: ts.TypeChecker | undefined, expression: ts.Expression): string | undefined {
  let bare = expression;
  while (ts.isParenthesizedExpression(bare) || ts.isAsExpression(bare) || ts.isNonNullExpression(bare) || ts.isSatisfiesExpression(bare)) bare = bare.expression;
  // Literals have their own operators; `undefined` and `void` have nothing to replace.
  if (
    ts.isLiteralExpression(bare) || ts.isNoSubstitutionTemplateLiteral(bare) || bare.kind === ts.SyntaxKind.TrueKeyword ||
    bare.kind === ts.SyntaxKind.FalseKeyword || bare.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(bare) && bare.text === "undefined") ||
    ts.isVoidExpression(bare)
  ) return undefined;
  if (checker === undefined) return "undefined";
  const type = checker.getTypeAtLocation(expression);
  if ((type.flags & ts.TypeFlags.BooleanLike) !== 0) return `!(${expression.getText()})`;
  if ((type.flags & ts.TypeFlags.NumberLike) !== 0) return "0";
  if ((type.flags & ts.TypeFlags.StringLike) !== 0) return '""';
  return "undefined";
}

/**
 * Every mutant of one source file.
 *
 * @param file The file's path, copied into each mutant.
 * @param source The parsed file (from `program` when one is given).
 * @param checker The program's type checker, if any: without it a `+` on strings is mutated too
 *   (and fails to compile) and every return value becomes `undefined`.
 * @returns The mutants, in source order.
 * @example
 * ```ts
 * import ts from "typescript";
 * import { findMutants } from "./mutants.ts";
 * const source = ts.createSourceFile("a.ts", "export const small = (n: number) => n < 10;", ts.ScriptTarget.ES2022, true);
 * findMutants("a.ts", source).map((mutant) => mutant.replacement); // ["undefined", "<=", ">=", "11", "0"]
 * ```
 */
export function findMutants(file: string, source: ts.SourceFile, checker?: ts.TypeChecker): Mutant[] {
  const mutants: Mutant[] = [];
  const text = source.text;
  const add = (operator: string, start: number, end: number, replacement: string): void => {
    const original = text.slice(start, end);
    if (original === replacement) return;
    mutants.push({ file, operator, start, end, original, replacement, line: source.getLineAndCharacterOfPosition(start).line + 1 });
  };
  const replaceReturn = (expression: ts.Expression): void => {
    const replacement = returnReplacement(checker, expression);
    if (replacement !== undefined) add("return value", expression.getStart(source), expression.end, replacement);
  };

  const visit = (node: ts.Node): void => {
    if (outsideCode(node)) return;
    if (ts.isBinaryExpression(node)) {
      const kind = node.operatorToken.kind;
      const start = node.operatorToken.getStart(source);
      const end = node.operatorToken.end;
      for (const to of BOUNDARY[kind] ?? []) add("comparison", start, end, ts.tokenToString(to) ?? "");
      const swap = SWAPS[kind];
      const stringy = (kind === ts.SyntaxKind.PlusToken || kind === ts.SyntaxKind.PlusEqualsToken) && (isStringLike(checker, node.left) || isStringLike(checker, node.right));
      if (swap !== undefined && !stringy) add(swap[0], start, end, ts.tokenToString(swap[1]) ?? "");
    } else if (ts.isPrefixUnaryExpression(node)) {
      if (node.operator === ts.SyntaxKind.ExclamationToken) add("negation", node.getStart(source), node.operand.getStart(source), "");
      if (node.operator === ts.SyntaxKind.PlusPlusToken) add("update", node.getStart(source), node.operand.getStart(source), "--");
      if (node.operator === ts.SyntaxKind.MinusMinusToken) add("update", node.getStart(source), node.operand.getStart(source), "++");
    } else if (ts.isPostfixUnaryExpression(node)) {
      add("update", node.operand.end, node.end, node.operator === ts.SyntaxKind.PlusPlusToken ? "--" : "++");
    } else if (node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword) {
      add("boolean", node.getStart(source), node.end, node.kind === ts.SyntaxKind.TrueKeyword ? "false" : "true");
    } else if (ts.isNumericLiteral(node)) {
      const value = Number(node.text);
      if (Number.isFinite(value)) {
        add("number", node.getStart(source), node.end, String(value + 1));
        if (value !== 0) add("number", node.getStart(source), node.end, "0");
      }
    } else if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      const parent = node.parent;
      const isName = (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent) || ts.isEnumMember(parent)) &&
        parent.name === node;
      const isDirective = ts.isExpressionStatement(parent) && node.text === "use strict";
      if (node.text !== "" && !isName && !isDirective && !ts.isLiteralTypeNode(parent) && !ts.isExternalModuleReference(parent)) {
        add("string", node.getStart(source), node.end, ts.isStringLiteral(node) ? '""' : "``");
      }
    } else if (ts.isExpressionStatement(node) && (ts.isBlock(node.parent) || ts.isCaseClause(node.parent) || ts.isDefaultClause(node.parent))) {
      const expression = node.expression;
      const isSuper = ts.isCallExpression(expression) && expression.expression.kind === ts.SyntaxKind.SuperKeyword;
      if (!isSuper) add("statement", node.getStart(source), node.end, ";");
    } else if (ts.isReturnStatement(node) && node.expression !== undefined) {
      replaceReturn(node.expression);
    } else if (ts.isArrowFunction(node) && !ts.isBlock(node.body)) {
      replaceReturn(node.body);
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(source, visit);
  return mutants;
}

/**
 * A file's text with one mutant applied.
 *
 * @param text The file's original text.
 * @param mutant The change.
 * @returns The mutated text.
 * @example
 * ```ts
 * import { applyMutant } from "./mutants.ts";
 * applyMutant("a < b", { file: "a.ts", operator: "comparison", start: 2, end: 3, original: "<", replacement: "<=", line: 1 }); // "a <= b"
 * ```
 */
export function applyMutant(text: string, mutant: Mutant): string {
  return `${text.slice(0, mutant.start)}${mutant.replacement}${text.slice(mutant.end)}`;
}

/**
 * The change in a few words for the report: `` `<` → `<=` `` with the text around a short one.
 *
 * @param mutant The change.
 * @returns One line.
 * @example
 * ```ts
 * import { describeMutant } from "./mutants.ts";
 * describeMutant({ file: "a.ts", operator: "comparison", start: 2, end: 3, original: "<", replacement: "<=", line: 1 }); // "comparison: `<` → `<=`"
 * ```
 */
export function describeMutant(mutant: Mutant): string {
  const short = (value: string): string => {
    const oneLine = value.replace(/\s+/g, " ");
    return oneLine.length > 70 ? `${oneLine.slice(0, 67)}...` : oneLine;
  };
  return `${mutant.operator}: \`${short(mutant.original)}\` → \`${short(mutant.replacement)}\``;
}
