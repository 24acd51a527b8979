/**
 * File access for static folders on Deno, with `Deno.realPath`, `Deno.stat` and `Deno.open`.
 *
 * @module
 */

import type { ByteRange, FileAccess } from "../http/file_access.ts";

const CHUNK_BYTES = 64 * 1024;

// Declared here so no Deno type package is needed.
interface DenoFiles {
  realPath(path: string): Promise<string>;
  stat(path: string): Promise<{ isFile: boolean; isDirectory: boolean; size: number; mtime: Date | null }>;
  open(path: string, options: { read: true }): Promise<DenoFile>;
}
interface DenoFile {
  readonly readable: ReadableStream<Uint8Array>;
  seek(offset: number, whence: 0): Promise<number>;
  read(buffer: Uint8Array): Promise<number | null>;
  close(): void;
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
  async open(path, range) {
    const file = await deno().open(path, { read: true });
    return range === undefined ? file.readable : await rangeOf(file, range);
  },
};

/** The file is closed when the stream ends or is cancelled. */
async function rangeOf(file: DenoFile, range: ByteRange): Promise<ReadableStream<Uint8Array>> {
  try {
    await file.seek(range.start, 0 /* Deno.SeekMode.Start */);
  } catch (error) {
    file.close();
    throw error;
  }
  let left = range.end - range.start + 1;
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    file.close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const buffer = new Uint8Array(Math.min(CHUNK_BYTES, left));
        const read = left === 0 ? null : await file.read(buffer);
        if (read === null || read === 0) {
          close();
          // The file shrank since its stat: an error, so the answer is cut rather than short.
          if (left > 0) controller.error(new Error("the file ended before the bytes its answer promised"));
          else controller.close();
          return;
        }
        left -= read;
        controller.enqueue(buffer.subarray(0, read));
      } catch (error) {
        close();
        controller.error(error);
      }
    },
    cancel: close,
  });
}
