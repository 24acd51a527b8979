/**
 * The npm package as users get it, for the suites that use it: `npm pack` (which builds dist/ with
 * tsc), then the tarball installed into a project of its own, with no access to this repository's
 * sources and no network.
 *
 * @module
 */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { childEnv, ROOT } from "./processes.ts";

/** The TypeScript compiler of this repository's dev dependencies, run with `node`. */
export const TSC: string = join(ROOT, "node_modules/typescript/bin/tsc");

/**
 * Options for `execFileSync` in a project: its folder, npm told to stay quiet and offline-friendly,
 * Deno and Bun kept off the network (see {@linkcode childEnv}), output as text.
 *
 * @param project The project's folder.
 * @returns The options.
 * @example
 * ```ts
 * import { execFileSync } from "node:child_process";
 * import { quietIn } from "./packed.ts";
 * execFileSync("npm", ["--version"], quietIn("/tmp"));
 * ```
 */
export function quietIn(project: string): { cwd: string; env: NodeJS.ProcessEnv; encoding: "utf8" } {
  return { cwd: project, env: childEnv({ npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" }), encoding: "utf8" };
}

/**
 * Packs this repository with `npm pack` into a project folder and installs the tarball there
 * (offline, not saved to its package.json), the way a user's `npm install tsmicroservice` would.
 *
 * @param project An empty folder; it gets a package.json (`"type": "module"`) unless it has one.
 * @param packageJson The project's package.json, as an object.
 * @returns The tarball's file name, in `project`.
 * @example
 * ```ts
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { installPacked } from "./packed.ts";
 * installPacked(mkdtempSync(join(tmpdir(), "consumer-"))); // "tsmicroservice-0.1.0.tgz"
 * ```
 */
export function installPacked(project: string, packageJson: object = { name: "consumer", private: true, type: "module" }): string {
  const quiet = quietIn(project);
  execFileSync("npm", ["pack", "--pack-destination", project, ROOT], { ...quiet, stdio: "pipe" });
  const tarball = readdirSync(project).find((name) => name.endsWith(".tgz"));
  assert.ok(tarball, "npm pack made a tarball");
  writeFileSync(join(project, "package.json"), JSON.stringify(packageJson));
  execFileSync("npm", ["install", "--offline", "--no-save", `./${tarball}`], { ...quiet, stdio: "pipe" });
  return tarball;
}

/**
 * Gives a project made by `tsmicroservice new` a lockfile with the entries this repository
 * resolved for the project's dev dependencies (tsx, TypeScript and @types/node, with theirs), as a
 * user's first online install would have written them. npm 11 and 12 ask the registry for each
 * dependency's full package document, which an npm cache filled by `npm ci` does not hold, so an
 * offline install cannot resolve them by itself; with a lockfile npm does not ask, and takes the
 * tarballs straight from the cache by their integrity.
 *
 * @param project The project's folder (with its package.json).
 * @example
 * ```ts
 * import { seedLockfile } from "./packed.ts";
 * seedLockfile("/tmp/demo.service");
 * ```
 */
export function seedLockfile(project: string): void {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, unknown> };
  const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as { name: string; version: string; devDependencies: Record<string, string> };
  const wanted = /^node_modules\/(tsx|esbuild|@esbuild\/[^/]+|fsevents|get-tsconfig|resolve-pkg-maps|@types\/node|undici-types|typescript)$/;
  const packages = Object.fromEntries(Object.entries(lock.packages).filter(([path]) => wanted.test(path)));
  for (const name of Object.keys(manifest.devDependencies)) assert.ok(packages[`node_modules/${name}`], `the repository's lockfile has ${name}`);
  writeFileSync(join(project, "package-lock.json"), JSON.stringify({
    name: manifest.name,
    version: manifest.version,
    lockfileVersion: 3,
    requires: true,
    packages: { "": { name: manifest.name, version: manifest.version, devDependencies: manifest.devDependencies }, ...packages },
  }, null, 2));
}
