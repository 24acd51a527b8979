/**
 * The file access static folders need, handed in by the runtime's adapter, so the HTTP layer
 * stays Web-only.
 *
 * @module
 */

/**
 * A run of bytes in a file, both ends included (as in HTTP's `Content-Range`).
 *
 * @example
 * ```ts
 * import type { ByteRange } from "./file_access.ts";
 * const firstKilobyte: ByteRange = { start: 0, end: 1023 };
 * ```
 */
export interface ByteRange {
  /** The offset of the first byte. */
  readonly start: number;
  /** The offset of the last byte, at most the file's size less one. */
  readonly end: number;
}

/**
 * What a static folder needs to know of a file.
 *
 * @example
 * ```ts
 * import { fileAccess } from "../serve.ts";
 * import type { FileInfo } from "./file_access.ts";
 * const info: FileInfo = await (await fileAccess()).stat("./README.md");
 * console.log(info.isFile, info.size, info.mtime === null ? "unknown" : new Date(info.mtime));
 * ```
 */
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
 * Read-only file access for static folders. `serve()` hands in the runtime's; pass your own (from
 * `fileAccess()`, or an in-memory one for tests) as `staticFiles()`'s `files` option. Every
 * function rejects when the file is missing or unreachable (a static folder answers 404).
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
   * @returns The real path.
   * @throws When the file is missing or cannot be reached (the promise rejects).
   * @example
   * ```ts
   * import { fileAccess } from "../serve.ts";
   * const files = await fileAccess();
   * await files.realPath("./examples/public/../public"); // such as "/work/app/examples/public"
   * ```
   */
  realPath(path: string): Promise<string>;
  /**
   * Facts about a file (following symbolic links).
   *
   * @param path The file's path.
   * @returns Whether it is a file or a folder, its size and when it was last modified.
   * @throws When the file is missing or cannot be reached (the promise rejects).
   * @example
   * ```ts
   * import { fileAccess } from "../serve.ts";
   * const info = await (await fileAccess()).stat("./examples/public/index.html");
   * info.isFile; // true
   * ```
   */
  stat(path: string): Promise<FileInfo>;
  /**
   * Opens a file for reading, as a stream of its bytes read a chunk at a time; the file is closed
   * when the stream ends or is cancelled.
   *
   * @param path The file's path.
   * @param range Only these bytes (for a `Range` request); the whole file when it is not given.
   * @returns The file's bytes (or the range's), as a stream.
   * @throws When the file is missing or cannot be opened (the promise rejects).
   * @example
   * ```ts
   * import { fileAccess } from "../serve.ts";
   * const stream = await (await fileAccess()).open("./examples/public/index.html");
   * const html = await new Response(stream).text();
   * ```
   */
  open(path: string, range?: ByteRange): Promise<ReadableStream<Uint8Array>>;
}

/**
 * The runtime facilities `serve()` hands to an app before it listens.
 *
 * @example
 * ```ts
 * import { fileAccess } from "../serve.ts";
 * import { Service } from "../core/service.ts";
 * import { staticFiles } from "../plugins/static/static.ts";
 * import type { RuntimeFacilities } from "./file_access.ts";
 * // What serve() does before it listens, done by hand for a service something else serves:
 * const service = new Service({ name: "site" }).use(staticFiles({ "/": "./public" }));
 * const facilities: RuntimeFacilities = { files: await fileAccess() };
 * await service.startup(facilities);
 * ```
 */
export interface RuntimeFacilities {
  /** The runtime's file access, for static folders. */
  readonly files?: FileAccess | undefined;
}
