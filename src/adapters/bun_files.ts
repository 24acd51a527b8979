/**
 * File access for static folders on Bun: `Bun.file` streams a file, and `node:fs/promises` (which
 * Bun implements) resolves real paths and reads a file's facts, which `Bun.file` does not.
 *
 * @module
 */

import { realpath, stat } from "node:fs/promises";
import type { FileAccess } from "../http/file_access.ts";

// Declared here so no Bun type package is needed.
interface BunFiles {
  file(path: string): BunFile;
}
interface BunFile {
  stream(): ReadableStream<Uint8Array>;
  slice(start: number, end: number): BunFile;
}

/**
 * Bun's file access.
 *
 * @example
 * ```ts
 * import { bunFileAccess } from "./bun_files.ts";
 * const info = await bunFileAccess.stat("package.json");
 * info.isFile; // true
 * ```
 */
export const bunFileAccess: FileAccess = {
  realPath: (path) => realpath(path),
  async stat(path) {
    const info = await stat(path);
    return { isFile: info.isFile(), isDirectory: info.isDirectory(), size: info.size, mtime: info.mtimeMs };
  },
  open(path, range) {
    const bun = (globalThis as { Bun?: BunFiles }).Bun;
    if (bun === undefined) return Promise.reject(new Error("bunFileAccess needs the Bun runtime"));
    const file = bun.file(path);
    // Bun's slice takes the end exclusive.
    return Promise.resolve((range === undefined ? file : file.slice(range.start, range.end + 1)).stream());
  },
};
