/**
 * The cross-runtime suites' Node.js side on every supported Node.js line, not only the machine's:
 * `npm run test:node-lines` (part of `npm run test:runtimes`, so of `npm test`).
 *
 * The Node.js binaries come from the npm package `node` (one alias per line, pinned in
 * `toolchain/package.json`), installed in a project of their own, `test/runtime/toolchain/`,
 * the first time this runs (`npm ci` there, with `--strict-allow-scripts` where npm has it): each
 * of those packages declares a `node` bin, and in the repository's own node_modules one of them
 * would be linked as node_modules/.bin/node and run every npm script instead of the machine's node.
 * (The same project holds npm 12, for `npm12.test.ts`.)
 *
 * Each line runs {@linkcode SUITES} with `TSMICROSERVICE_RUNTIMES=node`: the suites start their
 * servers and programs with `process.execPath`, which is then that line's binary; Deno and Bun
 * are left to the main run, which has tested them already. The line of the machine's own node is
 * skipped (the main run was on it). Each run's duration is printed.
 *
 * ```sh
 * node --import tsx test/runtime/node_lines.ts          # every line
 * node --import tsx test/runtime/node_lines.ts 22 26    # some lines
 * ```
 *
 * @module
 */

import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { childEnv, ROOT } from "./processes.ts";

/** The folder of the project that installs the Node.js binaries and npm 12. */
export const TOOLCHAIN: string = join(ROOT, "test/runtime/toolchain");

/** npm 12's entry script, run with `node` (of a line npm 12 supports: 22.22+, 24.15+, 26). */
export const NPM12: string = join(TOOLCHAIN, "node_modules/npm12/bin/npm-cli.js");

/**
 * The suites each Node.js line runs: those that start servers or programs on Node.js and whose
 * behaviour hangs on Node.js itself (node:http, signals, sockets, module loading of the packed
 * package). Left out, to keep CI's time down: `parity` (it compares the runtimes with each other,
 * and one runtime has nothing to compare), `default_export` (`deno serve` and `bun run` only),
 * `size_entries` (esbuild's bundles), `load` (throughput, 10 s a line, nothing a line changes that
 * `limits` and `adapters` miss), `fresh_project` (a README project: its Node.js side is tsc and
 * plain `node` on built JavaScript, which `package` covers; 30–45 s a line) and `npm12` (npm 12 on
 * Node.js 24 whatever the line). `websocket` is here for our RFC 6455 server on each line's
 * sockets, and for Node.js's own `WebSocket` (22 and later), which examples/websocket.ts uses.
 */
export const SUITES: readonly string[] = [
  "adapters",
  "defaults",
  "events_examples",
  "examples",
  "limits",
  "observability_examples",
  "package",
  "trace_context",
  "website",
  "websocket",
].map((name) => `test/runtime/${name}.test.ts`);

/** One supported Node.js line: its major version and its binary. */
export interface NodeLine {
  /** The major version, such as `"24"`. */
  readonly major: string;
  /** The exact version pinned in toolchain/package.json. */
  readonly version: string;
  /** The `node` binary's path. */
  readonly binary: string;
}

/**
 * The Node.js lines pinned in toolchain/package.json (its `nodeNN` aliases), oldest first.
 *
 * @returns The lines.
 * @example
 * ```ts
 * import { nodeLines } from "./node_lines.ts";
 * nodeLines().map((line) => line.major); // ["20", "22", "24", "26"]
 * ```
 */
export function nodeLines(): NodeLine[] {
  const manifest = JSON.parse(readFileSync(join(TOOLCHAIN, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
  return Object.entries(manifest.devDependencies)
    .filter(([alias]) => /^node\d+$/.test(alias))
    .map(([alias, spec]) => {
      const version = /^npm:node@(\d+\.\d+\.\d+)$/.exec(spec)?.[1];
      if (version === undefined || alias !== `node${version.split(".")[0] ?? ""}`) {
        throw new Error(`toolchain/package.json: ${alias} should be "npm:node@X.Y.Z" named nodeX, not ${spec}`);
      }
      return { major: version.split(".")[0] ?? "", version, binary: join(TOOLCHAIN, "node_modules", alias, "bin", "node") };
    })
    .sort((a, b) => Number(a.major) - Number(b.major));
}

/**
 * Installs the toolchain (`npm ci` in toolchain/) unless every Node.js binary and npm 12 are
 * there, with `--strict-allow-scripts` where this npm has it (npm 11 and later), so that an
 * install script allowScripts does not cover fails the install instead of being skipped.
 *
 * @returns How long the install took, in seconds (0 when there was nothing to do).
 * @example
 * ```ts
 * import { installToolchain } from "./node_lines.ts";
 * installToolchain();
 * ```
 */
export function installToolchain(): number {
  const lines = nodeLines();
  if (lines.every((line) => existsSync(line.binary)) && existsSync(NPM12)) return 0;
  const started = performance.now();
  const options = { cwd: TOOLCHAIN, env: childEnv({ npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" }), encoding: "utf8" as const };
  const strict = execFileSync("npm", ["config", "get", "strict-allow-scripts"], options).trim() !== "undefined";
  // On stderr: a test that calls this keeps its stdout for the test runner's own report.
  console.error(`installing Node.js ${lines.map((line) => line.version).join(", ")} and npm 12 in ${TOOLCHAIN} (npm ci${strict ? " --strict-allow-scripts" : ""})`);
  // --loglevel=error: npm 12's dependencies warn that the machine's Node.js is not theirs (npm 12
  // runs on the toolchain's Node.js 24). Under --strict-allow-scripts a script allowScripts does
  // not cover is an error, which still shows.
  execFileSync("npm", ["ci", "--loglevel=error", ...(strict ? ["--strict-allow-scripts"] : [])], { ...options, stdio: ["ignore", 2, 2] });
  for (const file of [...lines.map((line) => line.binary), NPM12]) if (!existsSync(file)) throw new Error(`npm ci did not install ${file}`);
  return (performance.now() - started) / 1000;
}

/** Runs the suites on one line; resolves with its exit code. */
function runLine(line: NodeLine): Promise<number> {
  const child = spawn(line.binary, ["--import", "tsx", "--test", "--test-reporter", "spec", ...SUITES], {
    cwd: ROOT,
    env: childEnv({ TSMICROSERVICE_RUNTIMES: "node" }),
    stdio: "inherit",
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

async function main(wanted: readonly string[]): Promise<number> {
  const all = nodeLines();
  const unknown = wanted.filter((major) => !all.some((line) => line.major === major));
  if (unknown.length > 0) throw new Error(`no Node.js line ${unknown.join(", ")} in toolchain/package.json (there are ${all.map((line) => line.major).join(", ")})`);
  const own = process.versions.node.split(".")[0];
  const lines = all.filter((line) => (wanted.length === 0 || wanted.includes(line.major)) && line.major !== own);
  if (lines.length < all.length && wanted.length === 0) console.log(`Node.js ${own}: the machine's own, run by the main suites already`);
  const installed = installToolchain();
  const report: string[] = installed === 0 ? [] : [`install: ${installed.toFixed(1)} s`];
  let failed = 0;
  for (const line of lines) {
    console.log(`\n# Node.js ${line.version}: ${SUITES.length} cross-runtime suites, Node.js side only`);
    const started = performance.now();
    const code = await runLine(line);
    const seconds = (performance.now() - started) / 1000;
    report.push(`Node.js ${line.version}: ${code === 0 ? "passed" : `FAILED (exit ${code})`} in ${seconds.toFixed(1)} s`);
    if (code !== 0) failed++;
  }
  console.log(`\n${report.join("\n")}`);
  return failed === 0 ? 0 : 1;
}

// Run as a script (not imported by a test).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
