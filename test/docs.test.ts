// The README stays honest: the commands at its top are the ones that work, every example it names
// exists and every example is in its table, every `npm run` script it names is in package.json;
// and JSR publishes what the README promises (the sources and the documents, nothing else).
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";

const root = new URL("../", import.meta.url);
const readme = readFileSync(new URL("README.md", root), "utf8");
const manifest = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { scripts: Record<string, string>; exports: Record<string, unknown> };
const scripts = manifest.scripts;
const npmExports = manifest.exports;
// deno.json may hold comments (JSONC): drop whole-line ones before parsing.
const deno = JSON.parse(readFileSync(new URL("deno.json", root), "utf8").replace(/^\s*\/\/.*$/gm, "")) as {
  exports: Record<string, string>;
  publish: { include: string[] };
};

/** The lines of a README section: from its `## title` heading to the next `## ` heading. */
function section(title: string): string[] {
  const lines = readme.split("\n");
  const start = lines.indexOf(`## ${title}`);
  assert.notEqual(start, -1, `README.md has no "## ${title}" section`);
  const end = lines.findIndex((line, i) => i > start && line.startsWith("## "));
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

describe("README.md", () => {
  test("starts with the commands that install, run and test the project", () => {
    const top = readme.split("\n").slice(0, 15).join("\n");
    assert.match(top, /^npm install && npm start\b/m);
    assert.match(top, /^npm test\b/m);
    assert.ok(scripts["start"], "package.json has a start script");
    assert.ok(scripts["test"], "package.json has a test script");
    // What `npm start` serves is the example the README says it is.
    const served = /npm install && npm start\s+#.*?(examples\/\S+\.ts)/.exec(top)?.[1];
    assert.ok(served !== undefined, "the npm start line names the example it serves");
    assert.match(scripts["start"] ?? "", new RegExp(`\\b${served.replace(/[.]/g, "\\.")}\\b`));
  });

  test("every file under examples/ that it names exists", () => {
    const named = new Set(readme.match(/\bexamples\/[\w./-]*\w/g) ?? []);
    assert.ok(named.size > 0);
    for (const path of named) assert.ok(existsSync(new URL(path, root)), `README.md names ${path}, which does not exist`);
  });

  test("its examples table lists every examples/*.ts file, once", () => {
    const rows = section("Examples").filter((line) => line.startsWith("| `examples/"));
    const listed = rows.map((row) => /^\| `(examples\/[^`]+)`/.exec(row)?.[1]);
    const files = readdirSync(new URL("examples/", root)).filter((name) => name.endsWith(".ts")).map((name) => `examples/${name}`);
    assert.ok(files.length > 0);
    assert.deepEqual([...listed].sort(), [...files].sort());
  });

  test("its TypeScript snippets import the package's paths, never the repository's sources", () => {
    const imports = [...readme.matchAll(/^```ts\n([\s\S]*?)^```/gm)].flatMap((block) => [...(block[1] ?? "").matchAll(/from "([^"]+)"/g)].map((match) => match[1] ?? ""));
    assert.ok(imports.includes("tsmicroservice"), "the snippets import tsmicroservice");
    // A snippet may import a module of the reader's own (a service's types): not the library's sources.
    for (const specifier of imports) assert.doesNotMatch(specifier, /^\.\/(mod\.ts|src\/)/, `a README snippet imports ${specifier}`);
  });

  test("names every sub-path the package exports, and links every guide under docs/", () => {
    const exported = Object.keys(npmExports).filter((path) => path !== "." && path !== "./package.json").map((path) => path.slice(2));
    assert.ok(exported.includes("testing") && exported.includes("node-handler"));
    for (const path of exported) assert.ok(readme.includes(`tsmicroservice/${path}`) || readme.includes(`\`/${path}\``), `README.md does not name tsmicroservice/${path}`);
    const guides = readdirSync(new URL("docs/", root)).filter((name) => name.endsWith(".md"));
    for (const guide of guides) assert.ok(readme.includes(`(docs/${guide}`), `README.md does not link docs/${guide}`);
  });

  test("has a Testing section that shows testClient and links docs/testing.md", () => {
    const text = section("Testing").join("\n");
    assert.match(text, /testClient\(/);
    assert.match(text, /\(docs\/testing\.md\)/);
  });

  test("every `npm run` script it names is in package.json", () => {
    const named = [...readme.matchAll(/\bnpm run ([\w:-]+)/g)].map((match) => match[1] ?? "");
    for (const name of named) assert.ok(scripts[name], `README.md names npm run ${name}, which package.json does not have`);
    // The scripts the README's development notes rely on.
    for (const name of ["bench", "size", "build", "check:docs"]) assert.ok(scripts[name], `package.json has no ${name} script`);
  });
});

describe("the JSR package (deno.json)", () => {
  test("publishes the sources and the documents, nothing else", () => {
    assert.deepEqual(deno.publish.include, ["mod.ts", "src/", "docs/", "README.md", "LICENSE", "CHANGELOG.md"]);
    for (const path of deno.publish.include) assert.ok(existsSync(new URL(path, root)), `${path} is missing`);
  });

  test("publishes every entry point it exports", () => {
    for (const [name, path] of Object.entries(deno.exports)) {
      const relative = path.replace(/^\.\//, "");
      assert.ok(
        deno.publish.include.some((included) => relative === included || (included.endsWith("/") && relative.startsWith(included))),
        `export ${name} (${path}) is not published`,
      );
    }
  });

  test("npm test checks the documentation: deno doc --lint on every entry point, the examples in JSDoc, a publish dry run", () => {
    const checkDocs = scripts["check:docs"] ?? "";
    assert.match(checkDocs, /deno doc --lint/);
    for (const path of Object.values(deno.exports)) assert.ok(checkDocs.includes(path.replace(/^\.\//, "")), `check:docs does not lint ${path}`);
    assert.match(checkDocs, /deno check .*--doc-only/);
    assert.match(checkDocs, /deno publish --dry-run/);
    assert.match(scripts["test:runtimes"] ?? "", /npm run check:docs/);
  });
});
