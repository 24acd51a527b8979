/**
 * `npm run size`: what a bundler makes of the library, bundled, minified and gzipped, from the
 * entries in bench/size_entries/ (and mod.ts): the hello-world service with no plugins on the node
 * adapter, the same service as a module's default export (no adapter), the client alone, and
 * everything; the same service with the explorer page; and the explorer page itself as served (HTML
 * with its inline CSS and script, gzipped, within the 15 KB the page is allowed). Bundles with esbuild (tsx's own dependency), as the before-stop check does.
 *
 * Then, for the minimal service and for the client, what each module costs (minified bytes in the
 * bundle).
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Service } from "../src/core/service.ts";
import { explorer } from "../src/plugins/explorer/explorer.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const ESBUILD = `${ROOT}node_modules/esbuild/bin/esbuild`;
const TARGETS = [
  { name: "minimal service + node adapter", entry: "bench/size_entries/minimal.ts", platform: "node", budget: 8 * 1024 },
  { name: "minimal service, fetch only", entry: "bench/size_entries/minimal_fetch.ts", platform: "neutral", budget: 6 * 1024 },
  { name: "client", entry: "bench/size_entries/client.ts", platform: "neutral", budget: 2 * 1024 },
  { name: "everything (mod.ts)", entry: "mod.ts", platform: "node", budget: 18.8 * 1024 },
  // The minimal fetch-only service (6 KB) plus the explorer page (15 KB).
  { name: "minimal service + explorer(), fetch only", entry: "bench/size_entries/explorer.ts", platform: "neutral", budget: 21 * 1024 },
];
const PAGE_BUDGET = 15 * 1024;

interface Metafile {
  readonly outputs: Readonly<Record<string, { readonly inputs: Readonly<Record<string, { readonly bytesInOutput: number }>> }>>;
}

const out = mkdtempSync(join(tmpdir(), "tsmicroservice-size-"));
try {
  console.log("| bundle | minified | gzip | budget |");
  console.log("| --- | ---: | ---: | ---: |");
  const breakdowns = new Map<string, [string, number][]>();
  for (const target of TARGETS) {
    const file = join(out, `${target.name.replace(/\W+/g, "_")}.js`);
    const meta = `${file}.json`;
    execFileSync(ESBUILD, [
      `${ROOT}${target.entry}`,
      "--bundle",
      "--minify",
      "--format=esm",
      `--platform=${target.platform}`,
      "--external:node:*",
      `--outfile=${file}`,
      `--metafile=${meta}`,
      "--log-level=error",
    ]);
    const code = readFileSync(file);
    const gzipped = gzipSync(code, { level: 9 }).byteLength;
    const verdict = gzipped <= target.budget ? "within" : "OVER";
    console.log(`| ${target.name} | ${code.byteLength} B | ${gzipped} B | ${Math.round(target.budget)} B (${verdict}) |`);
    if (target === TARGETS[0] || target.name === "client") {
      const [output] = Object.values((JSON.parse(readFileSync(meta, "utf8")) as Metafile).outputs);
      breakdowns.set(target.name, Object.entries(output?.inputs ?? {}).map(([path, input]): [string, number] => [path, input.bytesInOutput]).filter(([, bytes]) => bytes > 0));
    }
  }
  const page = await (await new Service({ name: "hello.world.service" }).use(explorer()).fetch(new Request("http://localhost/docs"))).text();
  const pageGzip = gzipSync(page, { level: 9 }).byteLength;
  const pageVerdict = pageGzip <= PAGE_BUDGET ? "within" : "OVER";
  console.log(`| the explorer page as served (HTML) | ${Buffer.byteLength(page)} B | ${pageGzip} B | ${PAGE_BUDGET} B (${pageVerdict}) |`);
  for (const [name, breakdown] of breakdowns) {
    breakdown.sort((a, b) => b[1] - a[1]);
    const total = breakdown.reduce((sum, [, bytes]) => sum + bytes, 0);
    console.log(`\nThe ${name} bundle by module (minified bytes, ${total} B in all):`);
    console.log("| module | minified | share |");
    console.log("| --- | ---: | ---: |");
    for (const [path, bytes] of breakdown) console.log(`| ${path} | ${bytes} B | ${((100 * bytes) / total).toFixed(1)}% |`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
