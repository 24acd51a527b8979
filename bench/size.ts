/**
 * `npm run size`: the bundled, minified and gzipped size of the server core with the node adapter,
 * and of the client alone. Bundles with Bun (a dev dependency) and gzips with node:zlib.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const ROOT = new URL("..", import.meta.url).pathname;
const TARGETS = [
  { name: "server core + node adapter", entry: "bench/size_entries/server.ts", budget: 5 * 1024 },
  { name: "client", entry: "bench/size_entries/client.ts", budget: 2 * 1024 },
];

const out = mkdtempSync(join(tmpdir(), "tsmicroservice-size-"));
try {
  console.log("| bundle | minified | gzip | budget |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const target of TARGETS) {
    const file = join(out, `${target.name.replace(/\W+/g, "_")}.js`);
    execFileSync(`${ROOT}node_modules/.bin/bun`, ["build", `${ROOT}${target.entry}`, "--minify", "--target=node", "--external=node:*", `--outfile=${file}`], { stdio: "ignore" });
    const code = readFileSync(file);
    const gzipped = gzipSync(code, { level: 9 }).byteLength;
    const verdict = gzipped <= target.budget ? "within" : "OVER";
    console.log(`| ${target.name} | ${code.byteLength} B | ${gzipped} B | ${target.budget} B (${verdict}) |`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
