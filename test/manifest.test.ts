// The package manifests agree: npm's package.json and Deno's deno.json name the same entry points
// (npm's point at the built dist/ files, Deno's at the sources), the same version, and npm's has no
// runtime dependencies.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";

const root = new URL("../", import.meta.url);
const npm = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as {
  version: string;
  dependencies?: unknown;
  exports: Record<string, string | Target>;
};
/** An entry point: its types first; the root's also names the builds of the runtimes. */
interface Target {
  readonly types: string;
  readonly node?: string;
  readonly deno?: string;
  readonly bun?: string;
  readonly default: string;
}
// deno.json may hold comments (JSONC): drop whole-line ones before parsing.
const deno = JSON.parse(readFileSync(new URL("deno.json", root), "utf8").replace(/^\s*\/\/.*$/gm, "")) as {
  version: string;
  exports: Record<string, string>;
};

test("package.json has no dependencies", () => {
  assert.equal(npm.dependencies, undefined);
});

test("both manifests carry the same version", () => {
  assert.equal(deno.version, npm.version);
});

test("both manifests export the same entry points, from the same sources", () => {
  const npmEntries = Object.entries(npm.exports)
    .filter((entry): entry is [string, Target] => typeof entry[1] === "object")
    .map(([name, target]) => {
      // Node.js, Deno and Bun get the build of the source deno.json names.
      const code = target.node ?? target.default;
      assert.equal(target.types, code.replace(/\.js$/, ".d.ts"), `${name}: types and code side by side`);
      if (target.node === undefined) {
        assert.deepEqual(Object.keys(target), ["types", "default"], `${name}: the types condition comes first`);
      } else {
        assert.deepEqual(Object.keys(target), ["types", "node", "deno", "bun", "default"], `${name}: types first, default last`);
        assert.equal(target.deno, code);
        assert.equal(target.bun, code);
      }
      return [name, code.replace(/^\.\/dist\//, "./").replace(/\.js$/, ".ts")];
    });
  assert.deepEqual(Object.fromEntries(npmEntries), deno.exports);
  for (const source of Object.values(deno.exports)) assert.ok(existsSync(new URL(source, root)), `${source} exists`);
});

test("only the root has a build for browsers and workers: the same exports, serve() and fileAccess() stood in for", async () => {
  const withConditions = Object.entries(npm.exports).filter(([, target]) => typeof target === "object" && target.node !== undefined);
  assert.deepEqual(withConditions.map(([name, target]) => [name, (target as Target).default]), [[".", "./dist/src/mod_web.js"]]);
  const full = await import("../mod.ts");
  const web = await import("../src/mod_web.ts");
  assert.deepEqual(Object.keys(web).sort(), Object.keys(full).sort());
  assert.notEqual(web.serve, full.serve);
  assert.notEqual(web.fileAccess, full.fileAccess);
  for (const name of Object.keys(full).filter((key) => key !== "serve" && key !== "fileAccess")) {
    assert.equal((web as Record<string, unknown>)[name], (full as Record<string, unknown>)[name], name);
  }
});
