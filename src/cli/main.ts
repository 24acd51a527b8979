#!/usr/bin/env node
/**
 * The `tsmicroservice` program (package.json `bin`): the thin entry that hands the command's core
 * the process's arguments, output streams and file system, and sets the exit code. It runs on
 * Node.js, and as it is on Deno (`deno run -A`) and Bun, through their `node:` modules.
 *
 * ```sh
 * npx tsmicroservice call http://127.0.0.1:5000/api say_hello world
 * deno run -A src/cli/main.ts describe http://127.0.0.1:5000/api
 * bun src/cli/main.ts describe http://127.0.0.1:5000/api
 * ```
 *
 * @module
 */

import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { runCli } from "./cli.ts";
import type { CliEnvironment } from "./environment.ts";

const environment: CliEnvironment = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  // TSMICROSERVICE_TTY=1 or 0 overrides the check (for tests, and for wrappers that use a pipe).
  isTTY: process.env["TSMICROSERVICE_TTY"] === undefined ? (process.stdout.isTTY as boolean | undefined) === true : process.env["TSMICROSERVICE_TTY"] === "1",
  importModule,
  writeFolder,
  stdin: process.stdin,
};

try {
  process.exitCode = await runCli(process.argv.slice(2), environment);
} catch (error) {
  process.stderr.write(`tsmicroservice: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}

/** Imports a module by its path; on Node.js, a TypeScript one through tsx when tsx is installed. */
async function importModule(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(resolve(file)).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const global = globalThis as { Deno?: unknown; Bun?: unknown };
    const unknownExtension = (error as { code?: unknown } | null)?.code === "ERR_UNKNOWN_FILE_EXTENSION";
    if (!unknownExtension || global.Deno !== undefined || global.Bun !== undefined) throw error;
    let tsx: { register(): unknown };
    try {
      // A name in a variable: tsx is the user's optional tool, not a dependency to resolve here.
      const api = "tsx/esm/api";
      tsx = (await import(api)) as { register(): unknown };
    } catch {
      throw new Error(`Node.js cannot load ${file} by itself: install tsx (npm install --save-dev tsx), or run it with deno or bun`, { cause: error });
    }
    tsx.register();
    // A fresh URL: Node.js keeps the failed import of the first one.
    return (await import(`${url}?tsx`)) as Record<string, unknown>;
  }
}

/** Makes a folder that must not exist yet, and writes the files in it. */
async function writeFolder(folder: string, files: ReadonlyMap<string, string>): Promise<string> {
  const root = resolve(folder);
  await mkdir(root); // fails when it exists: nothing is overwritten
  for (const [path, text] of files) {
    const target = join(root, ...path.split("/"));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
  }
  return root;
}
