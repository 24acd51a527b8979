// The TypeScript snippets of README.md and docs/*.md compile as they are shown, under the project's
// strict compiler options: each ```ts block is written to its own module (imports of
// "tsmicroservice" and its sub-paths mapped onto the sources, as package.json's exports map them
// onto the build), and tsc checks them: the README's under the project's own settings (as a new
// project copies them), the guides' with unused names allowed (a snippet shows a value without
// using it). A block whose first line is `// not checked: <why>` is a sketch of a
// shape, not code (and says why).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
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

interface Snippet {
  readonly file: string;
  readonly line: number;
  readonly code: string;
}

function snippetsOf(file: string): Snippet[] {
  const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== "```ts") continue;
    const end = lines.findIndex((line, j) => j > i && line.trim() === "```");
    const code = lines.slice(i + 1, end).join("\n");
    if (!code.startsWith("// not checked:")) found.push({ file, line: i + 2, code });
    i = end;
  }
  return found;
}

after(() => rmSync(OUT, { recursive: true, force: true }));

test("every TypeScript snippet of the README and the guides compiles", () => {
  const documents = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`)];
  const snippets = documents.flatMap(snippetsOf);
  assert.ok(snippets.length > 10, "snippets were found");
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT);
  const names = new Map<string, Snippet>();
  snippets.forEach((snippet, index) => {
    const name = `s${index}_${snippet.file.replace(/\W+/g, "_")}_${snippet.line}.ts`;
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
    exclude: [README],
  }));
  let output = "";
  for (const project of ["tsconfig.readme.json", "tsconfig.json"]) {
    try {
      execFileSync(join(ROOT, "node_modules/.bin/tsc"), ["-p", join(OUT, project)], { encoding: "utf8" });
    } catch (error) {
      output += String((error as { stdout?: string }).stdout ?? error);
    }
  }
  // Name each failure by the document and line it comes from.
  const failures = output.split("\n").filter((line) => line.includes("error TS")).map((line) => {
    const name = /(s\d+_[\w]+_\d+\.ts)/.exec(line)?.[1];
    const snippet = name === undefined ? undefined : names.get(name);
    return snippet === undefined ? line : `${snippet.file} (snippet at line ${snippet.line}): ${line.slice(line.indexOf("error TS"))}`;
  });
  assert.deepEqual(failures, []);
});
