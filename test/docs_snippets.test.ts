// The TypeScript snippets of README.md and docs/*.md compile as they are shown, under the project's
// strict compiler options: each ```ts block is written to its own module (imports of
// "tsmicroservice" and its sub-paths mapped onto the sources, as package.json's exports map them
// onto the build), and tsc checks them: the README's under the project's own settings (as a new
// project copies them), the guides' with unused names allowed (a snippet shows a value without
// using it). A block whose first line is `// not checked: <why>` is a sketch of a
// shape, not code (and says why). A block whose first line is `// run with: node --test`,
// `// run with: deno test` or `// run with: bun test` is a test file, and that runner runs it
// (`node --test` ones are type-checked by tsc as well; `deno test` type-checks its own; bun's
// `bun:test` types are not installed, so those are only run).
//
// The check itself must not pass by checking nothing: tsc lists the files it compiled and each
// snippet must be among them, and a tsc that exits without an `error TS` line but with a failure
// (it could not start, or its options are wrong) fails the test with what it printed.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const OUT = join(ROOT, ".snippets");
const exportsMap = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, string | { node?: string; default: string }> }).exports;

/** Where an import of the package resolves in the sources (relative to the repository's root). */
function sourceOf(specifier: string): string | undefined {
  const entry = exportsMap[specifier === "tsmicroservice" ? "." : `./${specifier.slice("tsmicroservice/".length)}`];
  if (entry === undefined || typeof entry === "string") return undefined;
  // The build Node.js gets (the root's "default" is the one for browsers and workers).
  return (entry.node ?? entry.default).replace(/^\.\/dist\//, "").replace(/\.js$/, ".ts");
}

/** The runners a snippet may name in its first line, `// run with: <runner>`. */
type Runner = "node --test" | "deno test" | "bun test";
const RUNNERS: readonly Runner[] = ["node --test", "deno test", "bun test"];

interface Snippet {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly runner: Runner | undefined;
}

function snippetsOf(file: string): Snippet[] {
  const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== "```ts") continue;
    const end = lines.findIndex((line, j) => j > i && line.trim() === "```");
    const code = lines.slice(i + 1, end).join("\n");
    const named = /^\/\/ run with: (.*)$/m.exec(code.split("\n", 1)[0] ?? "")?.[1];
    if (named !== undefined) assert.ok(RUNNERS.includes(named as Runner), `${file}:${i + 2} names an unknown runner: ${named}`);
    if (!code.startsWith("// not checked:")) found.push({ file, line: i + 2, code, runner: named as Runner | undefined });
    i = end;
  }
  return found;
}

after(() => rmSync(OUT, { recursive: true, force: true }));

const documents = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`)];
const snippets = documents.flatMap(snippetsOf);
/** The module written for each snippet, by its file name under OUT. */
const names = new Map<string, Snippet>();

/** Writes every snippet to its own module under OUT, imports mapped onto the sources. */
function writeSnippets(): void {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT);
  names.clear();
  snippets.forEach((snippet, index) => {
    // Test files are named as runners look for them.
    const name = `s${index}_${snippet.file.replace(/\W+/g, "_")}_${snippet.line}${snippet.runner === undefined ? "" : ".test"}.ts`;
    // Imports of the package and of the repository's own files ("./mod.ts", "./src/…"), from here.
    const code = snippet.code.replace(/from "(tsmicroservice(?:\/[\w-]+)?|\.\/[^"]+)"/g, (_whole, specifier: string) => {
      if (specifier.startsWith("./")) return `from "../${specifier.slice(2)}"`;
      const source = sourceOf(specifier);
      assert.ok(source !== undefined, `${snippet.file}:${snippet.line} imports ${specifier}, which package.json does not export`);
      return `from "../${source}"`;
    });
    writeFileSync(join(OUT, name), `${code}\nexport {};\n`);
    names.set(name, snippet);
  });
}

/** Runs tsc on a project; its output, and whether it failed without saying why in `error TS` lines. */
function runTsc(project: string): { output: string; files: string[] } {
  let output: string;
  try {
    output = execFileSync(join(ROOT, "node_modules/.bin/tsc"), ["-p", join(OUT, project), "--listFiles"], { encoding: "utf8" });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: unknown; stderr?: unknown };
    output = `${typeof stdout === "string" ? stdout : ""}${typeof stderr === "string" ? stderr : ""}`;
    // tsc exits non-zero when it found errors: those lines say so. Anything else is tsc failing.
    assert.ok(/error TS\d+/.test(output), `tsc -p ${project} failed without a type error:\n${output || String(error)}`);
  }
  const files = output.split("\n").filter((line) => line.startsWith("/")).map((line) => line.trim());
  return { output, files };
}

describe("the snippets of the README and the guides", () => {
test("every TypeScript snippet compiles", () => {
  assert.ok(snippets.length > 10, "snippets were found");
  writeSnippets();
  // The README's snippets are what a new project copies, so they compile under the project's own
  // settings, unused names included (noUnusedLocals). The guides' snippets may show a value
  // without using it.
  const README = "./*_README_md_*.ts";
  writeFileSync(join(OUT, "tsconfig.readme.json"), JSON.stringify({
    extends: "../tsconfig.json",
    compilerOptions: { noEmit: true, rootDir: ".." },
    include: [README],
  }));
  writeFileSync(join(OUT, "tsconfig.json"), JSON.stringify({
    extends: "../tsconfig.json",
    compilerOptions: { noEmit: true, noUnusedLocals: false, noUnusedParameters: false, rootDir: ".." },
    include: ["./*.ts"],
    // Deno's and Bun's test files are checked by their runners (tsc knows neither Deno nor bun:test).
    exclude: [README, ...[...names].filter(([, snippet]) => snippet.runner === "deno test" || snippet.runner === "bun test").map(([name]) => `./${name}`)],
  }));
  let output = "";
  const compiled = new Set<string>();
  for (const project of ["tsconfig.readme.json", "tsconfig.json"]) {
    const result = runTsc(project);
    output += result.output;
    for (const file of result.files) compiled.add(file.slice(file.lastIndexOf("/") + 1));
  }
  // Every snippet tsc is meant to check was among the files it compiled.
  const meant = [...names].filter(([, snippet]) => snippet.runner !== "deno test" && snippet.runner !== "bun test");
  assert.ok(meant.length > 10);
  for (const [name, snippet] of meant) assert.ok(compiled.has(name), `tsc did not compile ${snippet.file}:${snippet.line} (${name})`);
  // Name each failure by the document and line it comes from.
  const failures = output.split("\n").filter((line) => line.includes("error TS")).map((line) => {
    const name = /(s\d+_[\w]+_\d+\.ts)/.exec(line)?.[1];
    const snippet = name === undefined ? undefined : names.get(name);
    return snippet === undefined ? line : `${snippet.file} (snippet at line ${snippet.line}): ${line.slice(line.indexOf("error TS"))}`;
  });
  assert.deepEqual(failures, []);
});

// Each runner's snippets, run as the guide says to (after the compile test, which writes them).
for (const runner of RUNNERS) {
  test(`the snippets marked "run with: ${runner}" pass under ${runner}`, () => {
    if (names.size === 0) writeSnippets();
    const files = [...names].filter(([, snippet]) => snippet.runner === runner).map(([name]) => join(OUT, name));
    assert.ok(files.length > 0, `no snippet is run with ${runner}`);
    const [command, args] = runner === "node --test"
      ? [process.execPath, ["--import", "tsx", "--test", "--test-reporter", "dot", ...files]]
      : runner === "deno test"
      ? [join(ROOT, "node_modules/.bin/deno"), ["test", "-A", "--no-remote", "-q", ...files]]
      : [join(ROOT, "node_modules/.bin/bun"), ["test", ...files.map((file) => `./${file.slice(ROOT.length)}`)]];
    const env: NodeJS.ProcessEnv = { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
    // Set for the files node --test runs: a node --test started with it reports to us and exits 0.
    delete env["NODE_TEST_CONTEXT"];
    try {
      execFileSync(command, args, { cwd: ROOT, encoding: "utf8", stdio: "pipe", env });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: unknown; stderr?: unknown };
      assert.fail(`${runner} failed on ${files.map((file) => { const s = names.get(file.slice(OUT.length + 1)); return s === undefined ? file : `${s.file}:${s.line}`; }).join(", ")}:\n${String(stdout)}${String(stderr)}`);
    }
  });
}
});
