/**
 * `npm run size`: what a bundler makes of the library, bundled, minified and gzipped, from the
 * entries in bench/size_entries/ (and mod.ts): the hello-world service with no plugins on the node
 * adapter, the same service as a module's default export (no adapter), the client alone, and
 * everything; the same service with the explorer page; and the explorer page itself as served (HTML
 * with its inline CSS and script, gzipped, within the 15 KB the page is allowed). Bundles with esbuild (tsx's own dependency), as the before-stop check does.
 *
 * Then, for the minimal service, the client and mod.ts, what each module costs (minified bytes in
 * the bundle).
 *
 * The gzip sizes are budgets that may not grow (issue 25): over any of them, it says which entry and
 * by how many bytes, and exits with status 1. Shrink where it is cheap (long messages, repeated
 * shapes), never by cutting behaviour; raise a budget only by a decision written down.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { Service } from "../src/core/service.ts";
import { explorer } from "../src/plugins/explorer/explorer.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const ESBUILD = `${ROOT}node_modules/esbuild/bin/esbuild`;
/**
 * The bundles measured, each with its gzip budget in bytes: the first four are issue 25's budgets
 * that may not grow (the sizes measured on 2026-12-07, rounded up). mod.ts keeps its 19,600 B by
 * leaving `cluster()` and its pieces to `tsmicroservice/cluster` (their types stay in the root).
 *
 * @example
 * ```ts
 * import { TARGETS } from "./size.ts";
 * TARGETS.find((target) => target.entry === "mod.ts")?.budget; // 19600
 * ```
 */
export const TARGETS: readonly { readonly name: string; readonly entry: string; readonly platform: "node" | "neutral"; readonly budget: number }[] = [
  { name: "minimal service + node adapter", entry: "bench/size_entries/minimal.ts", platform: "node", budget: 11_700 },
  { name: "minimal service, fetch only", entry: "bench/size_entries/minimal_fetch.ts", platform: "neutral", budget: 9_900 },
  { name: "client", entry: "bench/size_entries/client.ts", platform: "neutral", budget: 3_100 },
  { name: "everything (mod.ts)", entry: "mod.ts", platform: "node", budget: 19_600 },
  // The minimal fetch-only service plus the explorer page.
  { name: "minimal service + explorer(), fetch only", entry: "bench/size_entries/explorer.ts", platform: "neutral", budget: 21 * 1024 },
];
const PAGE_BUDGET = 15 * 1024;

/**
 * One measured bundle: its name, its gzip size and its budget, in bytes.
 *
 * @example
 * ```ts
 * import type { Measured } from "./size.ts";
 * const client: Measured = { name: "client", gzip: 2_839, budget: 3_100 };
 * ```
 */
export interface Measured {
  readonly name: string;
  readonly gzip: number;
  readonly budget: number;
}

/**
 * The budgets overrun, one clear sentence each (empty when every bundle is within its budget; a
 * bundle exactly at its budget is within).
 *
 * @param measured The bundles as measured.
 * @returns One message per bundle over its budget.
 * @example
 * ```ts
 * import { overBudget } from "./size.ts";
 * overBudget([{ name: "client", gzip: 3_150, budget: 3_100 }]);
 * // ["client: 3,150 B gzip is 50 B over its budget of 3,100 B"]
 * ```
 */
export function overBudget(measured: readonly Measured[]): string[] {
  const bytes = (count: number): string => `${count.toLocaleString("en-US")} B`;
  return measured
    .filter((bundle) => bundle.gzip > bundle.budget)
    .map((bundle) => `${bundle.name}: ${bytes(bundle.gzip)} gzip is ${bytes(bundle.gzip - bundle.budget)} over its budget of ${bytes(bundle.budget)}`);
}

async function main(): Promise<void> {

  interface Metafile {
    readonly outputs: Readonly<Record<string, { readonly inputs: Readonly<Record<string, { readonly bytesInOutput: number }>> }>>;
  }

  const out = mkdtempSync(join(tmpdir(), "tsmicroservice-size-"));
  const measured: Measured[] = [];
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
      measured.push({ name: target.name, gzip: gzipped, budget: target.budget });
      const verdict = gzipped <= target.budget ? "within" : "OVER";
      console.log(`| ${target.name} | ${code.byteLength} B | ${gzipped} B | ${Math.round(target.budget)} B (${verdict}) |`);
      if (target === TARGETS[0] || target.name === "client" || target.entry === "mod.ts") {
        const [output] = Object.values((JSON.parse(readFileSync(meta, "utf8")) as Metafile).outputs);
        breakdowns.set(target.name, Object.entries(output?.inputs ?? {}).map(([path, input]): [string, number] => [path, input.bytesInOutput]).filter(([, bytes]) => bytes > 0));
      }
    }
    const page = await (await new Service({ name: "hello.world.service" }).use(explorer()).fetch(new Request("http://localhost/docs"))).text();
    const pageGzip = gzipSync(page, { level: 9 }).byteLength;
    const pageVerdict = pageGzip <= PAGE_BUDGET ? "within" : "OVER";
    measured.push({ name: "the explorer page as served (HTML)", gzip: pageGzip, budget: PAGE_BUDGET });
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
  const over = overBudget(measured);
  if (over.length > 0) {
    console.error(`\nnpm run size: over budget (the budgets may not grow; see bench/size.ts):\n${over.map((line) => `  ${line}`).join("\n")}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
