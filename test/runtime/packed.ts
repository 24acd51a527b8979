/**
 * The npm package as users get it, for the suites that use it: `npm pack` (which builds dist/ with
 * tsc), then the tarball installed into a project of its own, with no access to this repository's
 * sources and no network.
 *
 * @module
 */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
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
