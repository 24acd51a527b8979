/**
 * Benchmarks on Node.js measure the JavaScript npm users run (the `tsc` output of `npm run build`),
 * not the TypeScript as tsx runs it: tsx compiles with esbuild's `keepNames`, which wraps every
 * function made at run time in a `__name(…)` call, and that showed up as 8–14 % of a profile of
 * the call middleware. Deno and Bun run the sources as they are and need none of this.
 *
 * @module
 */

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Where the compiled project goes: inside node_modules, so the dev dependencies resolve from it. */
export const COMPILED: string = `${ROOT}node_modules/.cache/tsmicroservice-bench/`;

let built = false;

/**
 * Compiles mod.ts, src/ and bench/ with the project's compiler options into {@linkcode COMPILED},
 * once per process.
 *
 * @returns The folder.
 */
export function buildForNode(): string {
  if (built) return COMPILED;
  mkdirSync(COMPILED, { recursive: true });
  const config = `${COMPILED}tsconfig.json`;
  writeFileSync(config, JSON.stringify({
    extends: `${ROOT}tsconfig.json`,
    compilerOptions: { noEmit: false, outDir: COMPILED, rootDir: ROOT, rewriteRelativeImportExtensions: true, declaration: false, sourceMap: false },
    include: [`${ROOT}mod.ts`, `${ROOT}src`, `${ROOT}bench`],
  }));
  execFileSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, "-p", config], { stdio: "inherit" });
  // Under node_modules Node looks for no package scope: say the files are ES modules.
  writeFileSync(`${COMPILED}package.json`, '{ "type": "module" }\n');
  built = true;
  return COMPILED;
}

/**
 * The compiled JavaScript file of a TypeScript file of mod.ts, src/ or bench/ (building them first).
 *
 * @param file The file, relative to the root or absolute.
 * @returns The path of its `.js`.
 * @throws {Error} When the file is not among those compiled.
 */
export function compiledFile(file: string): string {
  const relative = file.startsWith(ROOT) ? file.slice(ROOT.length) : file.replace(/^\.\//, "");
  const path = `${buildForNode()}${relative.replace(/\.ts$/, ".js")}`;
  if (!existsSync(path)) throw new Error(`${file} was not compiled to ${path}`);
  return path;
}

/**
 * Runs the calling benchmark again as compiled JavaScript when it was started from its TypeScript
 * source (by tsx), and exits with its status; returns when it already is the compiled one.
 *
 * @param moduleUrl The calling module's `import.meta.url`.
 */
export function runCompiled(moduleUrl: string): void {
  const path = fileURLToPath(moduleUrl);
  if (!path.endsWith(".ts") || process.env["BENCH_UNDER_TSX"] === "1") return;
  // Of this process's flags only Node's own go on (tsx's loader is what is left behind).
  const flags = process.execArgv.filter((flag) => flag.startsWith("--cpu-prof") || flag === "--expose-gc");
  const result = spawnSync(process.execPath, [...flags, compiledFile(path), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(result.status ?? 1);
}
