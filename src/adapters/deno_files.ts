/**
 * File access for static folders on Deno, with `Deno.realPath`, `Deno.stat` and `Deno.open`.
 *
 * @module
 */

import type { FileAccess } from "../http/file_access.ts";

// The few parts of Deno's API used here, declared so no Deno type package is needed.
interface DenoFiles {
  realPath(path: string): Promise<string>;
  stat(path: string): Promise<{ isFile: boolean; isDirectory: boolean; size: number; mtime: Date | null }>;
  open(path: string, options: { read: true }): Promise<{ readonly readable: ReadableStream<Uint8Array> }>;
}

function deno(): DenoFiles {
  const runtime = (globalThis as { Deno?: DenoFiles }).Deno;
  if (runtime === undefined) throw new Error("denoFileAccess needs the Deno runtime");
  return runtime;
}

/**
 * Deno's file access (it needs `--allow-read` for the static folders). A file's `readable` stream
 * reads it a chunk at a time and closes it at the end or on cancel.
 *
 * @example
 * ```ts
 * import { denoFileAccess } from "./deno_files.ts";
 * const info = await denoFileAccess.stat("deno.json");
 * info.isFile; // true
 * ```
 */
export const denoFileAccess: FileAccess = {
  realPath: (path) => deno().realPath(path),
  async stat(path) {
    const info = await deno().stat(path);
    return { isFile: info.isFile, isDirectory: info.isDirectory, size: info.size, mtime: info.mtime?.getTime() ?? null };
  },
  async open(path) {
    return (await deno().open(path, { read: true })).readable;
  },
};
