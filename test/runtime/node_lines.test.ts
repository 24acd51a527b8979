// The Node.js lines the cross-runtime suites also run on (node_lines.ts): each pinned line's binary
// is that Node.js, none of the toolchain's bins reaches the repository's node_modules/.bin, and
// TSMICROSERVICE_RUNTIMES narrows the runtimes the suites start.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { installToolchain, nodeLines, NPM12, SUITES, TOOLCHAIN } from "./node_lines.ts";
import { ROOT, RUNTIMES, runtimesFrom } from "./processes.ts";

describe("the Node.js lines", { timeout: 600_000 }, () => {
  test("20, 22, 24 and 26, each binary the Node.js it is pinned as", () => {
    installToolchain();
    const lines = nodeLines();
    assert.deepEqual(lines.map((line) => line.major), ["20", "22", "24", "26"]);
    for (const line of lines) assert.equal(execFileSync(line.binary, ["--version"], { encoding: "utf8" }).trim(), `v${line.version}`);
    assert.match(readFileSync(NPM12, "utf8"), /^#!/);
  });

  test("package.json's engines allows every line, and the README's Install line names them", () => {
    const { engines } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
    assert.equal(engines.node, "^20.19.0 || ^22.0.0 || ^24.0.0 || >=26.0.0");
    const install = /^npm install tsmicroservice .*$/m.exec(readFileSync(join(ROOT, "README.md"), "utf8"))?.[0] ?? "";
    for (const line of nodeLines()) assert.match(install, new RegExp(`\\b${line.major}\\b`), `the Install line names Node.js ${line.major}`);
  });

  test("none of the toolchain's node, npm or npx bins is linked where npm scripts would run it", () => {
    for (const bin of ["node", "npm", "npx"]) assert.equal(existsSync(join(ROOT, "node_modules/.bin", bin)), false, `node_modules/.bin/${bin}`);
    assert.ok(existsSync(join(TOOLCHAIN, "node_modules/.bin/node")), "the toolchain's own .bin has them");
  });

  test("the suites each line runs exist", () => {
    for (const suite of SUITES) assert.ok(existsSync(join(ROOT, suite)), suite);
  });
});

describe("TSMICROSERVICE_RUNTIMES", () => {
  test("names the runtimes the suites start, in their usual order; unset is all of them", () => {
    assert.deepEqual(runtimesFrom(undefined), ["node", "deno", "bun"]);
    assert.deepEqual(runtimesFrom("bun, node"), ["node", "bun"]);
    assert.deepEqual(runtimesFrom("node"), ["node"]);
    assert.throws(() => runtimesFrom("node,python"), /TSMICROSERVICE_RUNTIMES names runtimes among node, deno, bun; got "node,python"/);
    assert.throws(() => runtimesFrom(""), /TSMICROSERVICE_RUNTIMES/);
  });

  test("this run's runtimes are the environment's", () => {
    assert.deepEqual(RUNTIMES, runtimesFrom(process.env["TSMICROSERVICE_RUNTIMES"]));
    // A child started with it set sees only those.
    const script = `import { RUNTIMES } from "./test/runtime/processes.ts"; console.log(JSON.stringify(RUNTIMES));`;
    const seen = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, TSMICROSERVICE_RUNTIMES: "node" },
    });
    assert.deepEqual(JSON.parse(seen), ["node"]);
  });
});
