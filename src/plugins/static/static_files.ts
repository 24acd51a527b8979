/**
 * Static folders: URL prefixes mapped to folders, with `GET` and `HEAD`, `Content-Type`, `ETag` and
 * `Last-Modified` (304s), one byte range (206, or 416), and `index.html` for a folder.
 *
 * A request never leaves its folder: each segment is decoded once and refused (404, nothing
 * opened) when empty, starting with a dot, or holding `/`, `\`, `:` or NUL; and the real path
 * (links resolved) must lie inside the folder's real path. Files are streamed, never read whole.
 *
 * @module
 */

import { contentTypeOf } from "./content_types.ts";
import { rangeStillValid, requestedRange, UNSATISFIABLE, WHOLE_FILE } from "./byte_range.ts";
import type { FileAccess, FileInfo } from "../../http/file_access.ts";
import { decodeSegment } from "../routes/router.ts";

/**
 * Each URL prefix (`/static/`) with its folder: a path relative to the working folder, or a
 * `file:` URL such as `new URL("./public/", import.meta.url)`.
 *
 * @example
 * ```ts
 * import { Service } from "../../core/service.ts";
 * import { staticFiles } from "./static.ts";
 * import type { StaticDirs } from "./static_files.ts";
 * const dirs: StaticDirs = { "/": new URL("./public/", import.meta.url), "/docs/": "./docs" };
 * const service = new Service({ name: "site" }).use(staticFiles(dirs));
 * ```
 */
export type StaticDirs = Readonly<Record<string, string | URL>>;

/** Told about failures a request cannot explain (a missing folder, a file that cannot be opened). */
export type StaticErrorReporter = (error: unknown, where: string) => void;

interface Mount {
  readonly prefix: string; // ends with `/`
  readonly root: string;
  real: Promise<string> | undefined;
}

interface SafePath {
  readonly segments: readonly string[];
  readonly folder: boolean;
}

const GET_HEAD = "GET, HEAD";

/**
 * The static folders of a service.
 *
 * @example
 * ```ts
 * import { StaticFolders } from "./static_files.ts";
 * const folders = new StaticFolders({ "/static/": "./examples/public" }, undefined, () => {});
 * folders.covers("/static/style.css"); // true
 * ```
 */
export class StaticFolders {
  readonly #mounts: readonly Mount[];
  readonly #report: StaticErrorReporter;
  #files: FileAccess | undefined;
  #warnedNoFiles = false;

  /**
   * @param dirs The prefixes and their folders.
   * @param files The file access, when known now (otherwise `serve()` hands it in).
   * @param report Told about failures.
   * @throws {TypeError} When a prefix does not start with `/`, or a folder is empty or a URL that
   *   is not a `file:` URL.
   */
  constructor(dirs: StaticDirs, files: FileAccess | undefined, report: StaticErrorReporter) {
    this.#files = files;
    this.#report = report;
    this.#mounts = Object.entries(dirs)
      .map(([prefix, folder]): Mount => {
        if (!prefix.startsWith("/")) throw new TypeError(`A static prefix must start with "/", got ${prefix}`);
        return { prefix: prefix.endsWith("/") ? prefix : `${prefix}/`, root: folderPath(folder), real: undefined };
      })
      // The longest prefix wins, so `/static/docs/` can be a folder of its own inside `/static/`.
      .sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** The file access in use, if any. */
  get files(): FileAccess | undefined {
    return this.#files;
  }

  /**
   * Sets the file access, unless one was given to the constructor (the service's own wins).
   *
   * @param files The runtime's file access.
   * @example
   * ```ts
   * import { StaticFolders } from "./static_files.ts";
   * import { nodeFileAccess } from "../../adapters/node_files.ts";
   * new StaticFolders({ "/static/": "./public" }, undefined, () => {}).provideFiles(nodeFileAccess);
   * ```
   */
  provideFiles(files: FileAccess | undefined): void {
    this.#files ??= files;
  }

  /**
   * Tells whether a path falls under one of the prefixes (or is a prefix without its slash).
   *
   * @param path The request's path.
   * @returns `true` when a static folder answers it.
   * @example
   * ```ts
   * import { StaticFolders } from "./static_files.ts";
   * new StaticFolders({ "/static/": "./public" }, undefined, () => {}).covers("/static"); // true
   * ```
   */
  covers(path: string): boolean {
    return this.#mountOf(path) !== undefined;
  }

  /**
   * Answers a request under one of the prefixes.
   *
   * @param request The request.
   * @param path Its path, as sent (percent-encoded).
   * @returns The answer, or `undefined` when the path is under no prefix.
   * @example
   * ```ts
   * import { StaticFolders } from "./static_files.ts";
   * import { nodeFileAccess } from "../../adapters/node_files.ts";
   * const folders = new StaticFolders({ "/static/": "./examples/public" }, nodeFileAccess, () => {});
   * const response = await folders.answer(new Request("http://localhost/static/"), "/static/");
   * response?.headers.get("content-type"); // "text/html; charset=utf-8"
   * ```
   */
  async answer(request: Request, path: string): Promise<Response | undefined> {
    const mount = this.#mountOf(path);
    if (mount === undefined) return undefined;
    const method = request.method;
    if (method !== "GET" && method !== "HEAD") return plain(405, "Method Not Allowed", { allow: GET_HEAD });
    if (path.length < mount.prefix.length) return redirect(mount.prefix);
    const files = this.#files;
    if (files === undefined) {
      if (!this.#warnedNoFiles) {
        this.#warnedNoFiles = true;
        this.#report(new Error("staticFiles() needs file access: serve() hands it in, or give staticFiles() the files option (from fileAccess())"), "(static files)");
      }
      return plain(500, "Internal Server Error");
    }
    const safe = safePath(path.slice(mount.prefix.length));
    if (safe === undefined) return notFound();
    const root = await this.#realRoot(mount, files);
    if (root === undefined) return notFound();
    let file = await resolveInside(files, root, safe.segments);
    let info = file === undefined ? undefined : await statOf(files, file);
    if (file === undefined || info === undefined) return notFound();
    if (info.isDirectory) {
      if (!safe.folder) return redirect(`${path}/`);
      file = await resolveInside(files, root, [...safe.segments, "index.html"]);
      info = file === undefined ? undefined : await statOf(files, file);
      if (file === undefined || info === undefined) return notFound();
    } else if (safe.folder) {
      return notFound(); // `/style.css/` names a folder that is not one
    }
    if (!info.isFile) return notFound();
    return this.#fileResponse(request, files, file, info);
  }

  #mountOf(path: string): Mount | undefined {
    return this.#mounts.find((mount) => path.startsWith(mount.prefix) || path === mount.prefix.slice(0, -1));
  }

  // Looked up again after a failure: the folder may appear later.
  async #realRoot(mount: Mount, files: FileAccess): Promise<string | undefined> {
    mount.real ??= files.realPath(mount.root).then(withForwardSlashes);
    try {
      return await mount.real;
    } catch (error) {
      mount.real = undefined;
      this.#report(error, `(static folder ${mount.root})`);
      return undefined;
    }
  }

  async #fileResponse(request: Request, files: FileAccess, file: string, info: FileInfo): Promise<Response> {
    // Keep a copy, but ask again each time: the ETag makes that a 304.
    const validators: Record<string, string> = { "cache-control": "no-cache" };
    let etag: string | undefined;
    if (info.mtime !== null) {
      etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtime).toString(16)}"`;
      validators["etag"] = etag;
      validators["last-modified"] = new Date(info.mtime).toUTCString();
    }
    if (notModified(request.headers, etag, info.mtime)) return new Response(null, { status: 304, headers: validators });
    const headers: Record<string, string> = {
      ...validators,
      "accept-ranges": "bytes",
      "content-type": contentTypeOf(file),
      "content-length": String(info.size),
      "x-content-type-options": "nosniff",
    };
    // Ranges are defined for GET alone: a HEAD gets the headers of the whole file.
    if (request.method === "HEAD") return new Response(null, { headers });
    let range = requestedRange(request.headers.get("range"), info.size);
    if (range !== WHOLE_FILE && !rangeStillValid(request.headers.get("if-range"), etag, validators["last-modified"])) range = WHOLE_FILE;
    if (range === UNSATISFIABLE) {
      return plain(416, "Range Not Satisfiable", { ...validators, "accept-ranges": "bytes", "content-range": `bytes */${String(info.size)}` });
    }
    // Read as a range of the stat'ed size: a file changed meanwhile cannot overrun Content-Length
    // nor end short unnoticed.
    if (info.size === 0) return new Response(new Uint8Array(0), { headers });
    let body: ReadableStream<Uint8Array>;
    try {
      body = await files.open(file, range === WHOLE_FILE ? { start: 0, end: info.size - 1 } : range);
    } catch (error) {
      this.#report(error, "(static files)");
      return plain(500, "Internal Server Error");
    }
    if (range === WHOLE_FILE) return new Response(body, { headers });
    headers["content-range"] = `bytes ${String(range.start)}-${String(range.end)}/${String(info.size)}`;
    headers["content-length"] = String(range.end - range.start + 1);
    return new Response(body, { status: 206, headers });
  }
}

/**
 * Decodes and checks the part of a path below a prefix.
 *
 * @param rest The path below the prefix, as sent.
 * @returns Its segments, or `undefined` when any of them could leave the folder or is hidden.
 * @example
 * ```ts
 * import { safePath } from "./static_files.ts";
 * safePath("css/site.css"); // { segments: ["css", "site.css"], folder: false }
 * safePath("%2e%2e/secret"); // undefined
 * ```
 */
export function safePath(rest: string): SafePath | undefined {
  if (rest === "") return { segments: [], folder: true };
  const parts = rest.split("/");
  const folder = parts[parts.length - 1] === "";
  if (folder) parts.pop();
  const segments: string[] = [];
  for (const part of parts) {
    const segment = decodeSegment(part);
    // `..` and friends, absolute paths (`/`, `\`, `C:`), NUL bytes, and hidden files such as `.env`.
    if (segment === undefined || segment === "" || segment.startsWith(".") || /[/\\:\0]/.test(segment)) return undefined;
    segments.push(segment);
  }
  return { segments, folder };
}

async function resolveInside(files: FileAccess, root: string, segments: readonly string[]): Promise<string | undefined> {
  const candidate = segments.length === 0 ? root : `${root.endsWith("/") ? root : `${root}/`}${segments.join("/")}`;
  let real: string;
  try {
    real = withForwardSlashes(await files.realPath(candidate));
  } catch {
    return undefined;
  }
  // A symbolic link may point anywhere: only its target's real place counts.
  const inside = real === root || real.startsWith(root.endsWith("/") ? root : `${root}/`); // the separator keeps out siblings such as `public-secrets/`
  return inside ? real : undefined;
}

async function statOf(files: FileAccess, path: string): Promise<FileInfo | undefined> {
  try {
    return await files.stat(path);
  } catch {
    return undefined;
  }
}

// `If-None-Match` wins over `If-Modified-Since` (RFC 9110).
function notModified(headers: Headers, etag: string | undefined, mtime: number | null): boolean {
  const ifNoneMatch = headers.get("if-none-match");
  if (ifNoneMatch !== null) {
    if (etag === undefined) return false;
    const opaque = etag.slice(2); // the weak comparison of RFC 9110: `W/` does not matter
    return ifNoneMatch.split(",").some((tag) => {
      const trimmed = tag.trim();
      return trimmed === "*" || (trimmed.startsWith("W/") ? trimmed.slice(2) : trimmed) === opaque;
    });
  }
  const ifModifiedSince = headers.get("if-modified-since");
  if (ifModifiedSince === null || mtime === null) return false;
  const since = Date.parse(ifModifiedSince);
  // HTTP dates have whole seconds.
  return !Number.isNaN(since) && Math.floor(mtime / 1000) * 1000 <= since;
}

function folderPath(folder: string | URL): string {
  if (folder instanceof URL) {
    if (folder.protocol !== "file:") throw new TypeError(`A static folder must be a path or a file: URL, got ${folder.href}`);
    const path = decodeURIComponent(folder.pathname);
    return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path; // file:///C:/site is C:/site
  }
  if (typeof folder !== "string" || folder === "") throw new TypeError("A static folder must be a non-empty path");
  return folder;
}

function withForwardSlashes(path: string): string {
  return path.replaceAll("\\", "/");
}

function plain(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(text, { status, headers: { "content-type": "text/plain;charset=UTF-8", ...headers } });
}

function notFound(): Response {
  return plain(404, "Not Found");
}

function redirect(location: string): Response {
  return new Response(null, { status: 301, headers: { location } });
}
