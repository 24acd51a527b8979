// The mutation points `npm run test:mutation` finds (test/mutation/mutants.ts): every operator the
// issue names, none in types, imports or string concatenation, and each applied as one small edit.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import ts from "typescript";
import { applyMutant, describeMutant, findMutants } from "./mutation/mutants.ts";

const SOURCE = `import { x } from "./x.ts";
type Kind = "a" | 1;
export function f(a: number, s: string, k: Kind = "a"): boolean {
  if (!(a > 0) && s !== "k") { console.log(s + "!"); a++; }
  return a === 2 || true;
}
export const g = (n: number): number => n * 3;
`;

function mutantsOf(text: string): { line: number; operator: string; mutated: string }[] {
  const host = ts.createCompilerHost({ strict: true, noEmit: true });
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language) => (name === "/virtual/a.ts" ? ts.createSourceFile(name, text, language, true) : getSourceFile(name, language));
  const program = ts.createProgram({ rootNames: ["/virtual/a.ts"], options: { strict: true, noEmit: true }, host });
  const source = program.getSourceFile("/virtual/a.ts");
  assert.ok(source);
  return findMutants("a.ts", source, program.getTypeChecker()).map((mutant) => ({
    line: mutant.line,
    operator: mutant.operator,
    mutated: applyMutant(text, mutant).split("\n")[mutant.line - 1]?.trim() ?? "",
  }));
}

describe("mutation points", () => {
  test("each operator, one edit at a time, with its line", () => {
    const found = mutantsOf(SOURCE);
    const at = (line: number): string[] => found.filter((mutant) => mutant.line === line).map((mutant) => `${mutant.operator}: ${mutant.mutated}`);
    assert.deepEqual(at(1), [], "imports are not code to mutate");
    assert.deepEqual(at(2), [], "types are not code to mutate");
    assert.deepEqual(at(3), ['string: export function f(a: number, s: string, k: Kind = ""): boolean {']);
    assert.deepEqual(at(4), [
      'logical: if (!(a > 0) || s !== "k") { console.log(s + "!"); a++; }',
      'negation: if ((a > 0) && s !== "k") { console.log(s + "!"); a++; }',
      'comparison: if (!(a >= 0) && s !== "k") { console.log(s + "!"); a++; }',
      'comparison: if (!(a <= 0) && s !== "k") { console.log(s + "!"); a++; }',
      'number: if (!(a > 1) && s !== "k") { console.log(s + "!"); a++; }',
      'equality: if (!(a > 0) && s === "k") { console.log(s + "!"); a++; }',
      'string: if (!(a > 0) && s !== "") { console.log(s + "!"); a++; }',
      'statement: if (!(a > 0) && s !== "k") { ; a++; }',
      'string: if (!(a > 0) && s !== "k") { console.log(s + ""); a++; }',
      'statement: if (!(a > 0) && s !== "k") { console.log(s + "!"); ; }',
      'update: if (!(a > 0) && s !== "k") { console.log(s + "!"); a--; }',
    ], "a string + is never turned into -");
    assert.deepEqual(at(5), [
      "return value: return !(a === 2 || true);",
      "logical: return a === 2 && true;",
      "equality: return a !== 2 || true;",
      "number: return a === 3 || true;",
      "number: return a === 0 || true;",
      "boolean: return a === 2 || false;",
    ]);
    assert.deepEqual(at(7), [
      "return value: export const g = (n: number): number => 0;",
      "arithmetic: export const g = (n: number): number => n / 3;",
      "number: export const g = (n: number): number => n * 4;",
      "number: export const g = (n: number): number => n * 0;",
    ]);
  });

  test("the report names the change", () => {
    assert.equal(describeMutant({ file: "a.ts", operator: "comparison", start: 2, end: 3, original: "<", replacement: "<=", line: 1 }), "comparison: `<` → `<=`");
  });
});
