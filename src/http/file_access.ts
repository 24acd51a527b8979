/**
 * The file access a static folder needs, as a runtime hands it in: the HTTP layer stays Web-only,
 * and each adapter implements these three functions with its runtime's own file API.
 *
 * @module
 */

/** What a static folder needs to know of a file. */
export interface FileInfo {
  /** Whether it is a regular file. */
  readonly isFile: boolean;
  /** Whether it is a folder. */
  readonly isDirectory: boolean;
  /** Its size in bytes. */
  readonly size: number;
  /** When it was last modified, in ms since the epoch, or `null` when the system does not say. */
  readonly mtime: number | null;
}

/**
 * Read-only access to files, the runtime facility a static folder is served with. `serve()` hands
 * in the current runtime's; pass your own (from `fileAccess()`, or an in-memory one for tests)
 * with the `files` option of a service.
 *
 * Every function rejects when the file is missing or cannot be reached; a static folder answers
 * 404 then.
 *
 * @example
 * ```ts
 * import type { FileAccess } from "./file_access.ts";
 * // A folder with one file, kept in memory.
 * const body = new TextEncoder().encode("hello");
 * const memory: FileAccess = {
 *   realPath: (path) => path === "/site" || path === "/site/hello.txt" ? Promise.resolve(path) : Promise.reject(new Error("missing")),
 *   stat: (path) => Promise.resolve({ isFile: path !== "/site", isDirectory: path === "/site", size: body.byteLength, mtime: 0 }),
 *   open: () => Promise.resolve(new Blob([body]).stream()),
 * };
 * ```
 */
export interface FileAccess {
  /**
   * The canonical absolute path of a file: symbolic links, `.` and `..` resolved.
   *
   * @param path An absolute path, or one relative to the working folder.
   */
  realPath(path: string): Promise<string>;
  /**
   * Facts about a file (following symbolic links).
   *
   * @param path The file's path.
   */
  stat(path: string): Promise<FileInfo>;
  /**
   * Opens a file for reading, as a stream of its bytes read a chunk at a time; the file is closed
   * when the stream ends or is cancelled.
   *
   * @param path The file's path.
   */
  open(path: string): Promise<ReadableStream<Uint8Array>>;
}

/** The runtime facilities `serve()` hands to an app before it listens. */
export interface RuntimeFacilities {
  /** The runtime's file access, for static folders. */
  readonly files?: FileAccess | undefined;
}
