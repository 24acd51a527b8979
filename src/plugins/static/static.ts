/**
 * `staticFiles()`: static folders beside the JSON-RPC endpoint (the Python original's
 * `static_dirs`) on every runtime, with caching validators, ranges and `index.html`, and nothing
 * outside a folder ever served (no `..`, hidden files, encoded slashes, or links out).
 *
 * @example
 * ```ts
 * import { Service } from "../../core/service.ts";
 * import { staticFiles } from "./static.ts";
 * const service = new Service({ name: "website" })
 *   .use(staticFiles({ "/static/": new URL("../../../examples/public/", import.meta.url) }));
 * ```
 *
 * @module
 */

import type { FileAccess } from "../../http/file_access.ts";
import type { Plugin, PluginHost } from "../../core/plugin.ts";
import { type StaticDirs, StaticFolders } from "./static_files.ts";

/**
 * Options of {@linkcode staticFiles}.
 *
 * @example
 * ```ts
 * import { staticFiles, type StaticFilesOptions } from "./static.ts";
 * import { fileAccess } from "../../serve.ts";
 * // A module served by `deno serve` or `bun run`, where serve() does not hand the file access in:
 * const options: StaticFilesOptions = { files: await fileAccess() };
 * staticFiles({ "/static/": "./public" }, options);
 * ```
 */
export interface StaticFilesOptions {
  /**
   * The file access to read with. `serve()` hands in the runtime's when the service starts; give it
   * when something else serves the service (`deno serve`, `bun run`): `files: await fileAccess()`.
   */
  readonly files?: FileAccess | undefined;
}

/**
 * Serves static folders: URL prefixes and the folders they serve (a path is relative to the
 * working folder; a `file:` URL such as `new URL("./public/", import.meta.url)` is not).
 *
 * @param dirs The prefixes and their folders, such as `{ "/static/": "./public" }`.
 * @param options The file access, when `serve()` does not start the service.
 * @returns The plugin.
 * @throws {TypeError} When a prefix does not start with `/`, or a folder is not a path or `file:` URL.
 * @example
 * ```ts
 * import { Service } from "../../core/service.ts";
 * import { staticFiles } from "./static.ts";
 * const service = new Service({ name: "website" }).use(staticFiles({ "/static/": "./public" }));
 * ```
 */
export function staticFiles(dirs: StaticDirs, options: StaticFilesOptions = {}): Plugin {
  let host: PluginHost | undefined;
  const folders = new StaticFolders(dirs, options.files, (error, where) => host?.report(error, where));
  return {
    name: "staticFiles",
    setup(service) {
      host = service;
    },
    start(context) {
      folders.provideFiles(context.files);
    },
    allows: (path) => (folders.covers(path) ? "GET, HEAD" : undefined),
    fetch: (request, path) => folders.answer(request, path),
  };
}

export type { StaticDirs } from "./static_files.ts";
