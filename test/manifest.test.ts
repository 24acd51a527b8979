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
  exports: Record<string, string | { types: string; default: string }>;
};
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
    .filter((entry): entry is [string, { types: string; default: string }] => typeof entry[1] === "object")
    .map(([name, target]) => {
      assert.equal(target.types, target.default.replace(/\.js$/, ".d.ts"), `${name}: types and code side by side`);
      assert.deepEqual(Object.keys(target), ["types", "default"], `${name}: the types condition comes first`);
      return [name, target.default.replace(/^\.\/dist\//, "./").replace(/\.js$/, ".ts")];
    });
  assert.deepEqual(Object.fromEntries(npmEntries), deno.exports);
  for (const source of Object.values(deno.exports)) assert.ok(existsSync(new URL(source, root)), `${source} exists`);
});
