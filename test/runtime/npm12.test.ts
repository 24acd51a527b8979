// npm 12 runs a dependency's install script only when the project's package.json `allowScripts`
// approves it. Here npm 12 itself (on Node.js 24) checks this repository's allowScripts against
// its installed dev dependencies: none with an install script is left unreviewed, and no entry is
// unused. Then a project made by `tsmicroservice new` is installed as on a fresh machine with npm 12,
// with `--strict-allow-scripts`, so that a script allowScripts does not cover fails the install:
// the install passes, and the project's own `npm test` (the type checker, then its test) passes.
// npm 12 and Node.js 24 come from test/runtime/toolchain (see node_lines.ts); the install is offline,
// from the packed tarball and this machine's npm cache, with the lockfile a first online install
// would have written (see seedLockfile).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../cli_run.ts";
import { installToolchain, nodeLines, NPM12 } from "./node_lines.ts";
import { seedLockfile } from "./packed.ts";
import { childEnv, ROOT } from "./processes.ts";

const folder = mkdtempSync(join(tmpdir(), "tsmicroservice-npm12-"));
const project = join(folder, "fresh.service");
let node24 = "";
let tarball = "";

/** Runs npm 12 on Node.js 24 in a folder (that Node.js first on the PATH, for its scripts too). */
function npm12(args: readonly string[], cwd = project): string {
  const env = childEnv({
    PATH: `${dirname(node24)}${delimiter}${process.env["PATH"] ?? ""}`,
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
  });
  // The project's own `node --test` must report as a test run of its own, not to this one.
  delete env["NODE_TEST_CONTEXT"];
  return execFileSync(node24, [NPM12, ...args], { cwd, env, encoding: "utf8", stdio: "pipe", timeout: 240_000 });
}

before(async () => {
  installToolchain();
  node24 = nodeLines().find((line) => line.major === "24")?.binary ?? "";
  assert.ok(node24, "the toolchain has Node.js 24");
  execFileSync("npm", ["pack", "--pack-destination", folder, ROOT], { cwd: ROOT, env: childEnv(), stdio: "pipe" });
  tarball = readdirSync(folder).find((name) => name.endsWith(".tgz")) ?? "";
  assert.ok(tarball, "npm pack made a tarball");
  const made = await runCli(["new", "fresh.service"], { cwd: folder });
  assert.equal(made.code, 0, made.stderr);
  seedLockfile(project);
}, { timeout: 600_000 });

after(() => rmSync(folder, { recursive: true, force: true }));

describe("npm 12 and this repository's allowScripts", () => {
  test("every dev dependency with an install script is reviewed, and no entry is unused", () => {
    const pending = JSON.parse(npm12(["approve-scripts", "--allow-scripts-pending", "--json"], ROOT)) as { allowScripts: unknown[] };
    assert.deepEqual(pending.allowScripts, []);
    const unused = JSON.parse(npm12(["install-scripts", "prune", "--dry-run", "--json"], ROOT)) as { allowScripts: { removed: unknown[] } };
    assert.deepEqual(unused.allowScripts.removed, []);
  });
});

describe("a new project on a fresh machine with npm 12", { timeout: 300_000 }, () => {
  test("npm 12 installs it with --strict-allow-scripts, and its npm test (tsc, then the tests) passes", () => {
    assert.match(npm12(["--version"]), /^12\./);
    const install = npm12(["install", "--offline", "--strict-allow-scripts", `../${tarball}`]);
    assert.doesNotMatch(install, /install scripts/);
    const output = npm12(["test"]);
    assert.match(output, /> tsc\n[^]*pass 2\n.*fail 0\n/);
  });
});
