/**
 * `npm run size`: the bundled, minified and gzipped size of the server core with the node adapter,
 * and of the client alone. Bundles with Bun (a dev dependency) and gzips with node:zlib.
 *
 * Then, for the server, what each module costs (minified bytes in the bundle, from Bun's
 * metafile), with the modules only a service that uses an optional feature needs marked as such:
 * today `Service` imports them all, so they are in every bundle.
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

/** The modules a service needs only when it uses the feature named. */
const OPTIONAL: Readonly<Record<string, string>> = {
  "src/http/static_files.ts": "static folders",
  "src/http/content_types.ts": "static folders",
  "src/http/router.ts": "routes",
  "src/http/cors.ts": "CORS",
  "src/service/validation.ts": "schemas",
  "src/service/json_schema.ts": "schemas",
  "src/service/standard_schema.ts": "schemas",
  "src/service/periodic_task.ts": "periodic tasks",
  "src/service/call_log.ts": "call log",
};

interface Metafile {
  readonly outputs: Readonly<Record<string, { readonly bytes: number; readonly inputs: Readonly<Record<string, { readonly bytesInOutput: number }>> }>>;
}

const out = mkdtempSync(join(tmpdir(), "tsmicroservice-size-"));
try {
  console.log("| bundle | minified | gzip | budget |");
  console.log("| --- | ---: | ---: | ---: |");
  let breakdown: [string, number][] = [];
  for (const target of TARGETS) {
    const file = join(out, `${target.name.replace(/\W+/g, "_")}.js`);
    const meta = join(out, `${target.name.replace(/\W+/g, "_")}.json`);
    execFileSync(
      `${ROOT}node_modules/.bin/bun`,
      ["build", `${ROOT}${target.entry}`, "--minify", "--target=node", "--external=node:*", `--outfile=${file}`, `--metafile=${meta}`],
      { stdio: "ignore" },
    );
    const code = readFileSync(file);
    const gzipped = gzipSync(code, { level: 9 }).byteLength;
    const verdict = gzipped <= target.budget ? "within" : "OVER";
    console.log(`| ${target.name} | ${code.byteLength} B | ${gzipped} B | ${target.budget} B (${verdict}) |`);
    if (target === TARGETS[0]) {
      const [output] = Object.values((JSON.parse(readFileSync(meta, "utf8")) as Metafile).outputs);
      breakdown = Object.entries(output?.inputs ?? {}).map(([path, input]): [string, number] => [path, input.bytesInOutput]).filter(([, bytes]) => bytes > 0);
    }
  }
  breakdown.sort((a, b) => b[1] - a[1]);
  const total = breakdown.reduce((sum, [, bytes]) => sum + bytes, 0);
  const optional = breakdown.filter(([path]) => OPTIONAL[path] !== undefined).reduce((sum, [, bytes]) => sum + bytes, 0);
  console.log(`\nServer bundle by module (minified bytes; ${optional} B, ${((100 * optional) / total).toFixed(0)}%, only for optional features):`);
  console.log("| module | minified | share | needed for |");
  console.log("| --- | ---: | ---: | --- |");
  for (const [path, bytes] of breakdown) {
    console.log(`| ${path} | ${bytes} B | ${((100 * bytes) / total).toFixed(1)}% | ${OPTIONAL[path] ?? "every service"} |`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
