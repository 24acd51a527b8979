/**
 * Stand-ins for `serve()` and `fileAccess()` in the npm package's build for browsers, workers and
 * other fetch-only platforms (src/mod_web.ts): there is no server to start and no file system to
 * read, and the real ones would pull the Node.js adapter (`node:http`, `node:fs`) into the bundle.
 * Both reject with a message that says what to do instead.
 *
 * @module
 */

import type { FetchApp, ServeOptions, ServerHandle } from "./adapters/types.ts";
import type { FileAccess } from "./http/file_access.ts";

/** What both stand-ins say. */
export const NOT_AVAILABLE_HERE =
  "is not available in this build of tsmicroservice (picked for browsers, workers and other fetch-only platforms, " +
  "which serve a module's default export themselves): export the service as the default export, " +
  "or run on Node.js, Deno or Bun, whose builds have it";

/**
 * `serve()` where no server can be started: rejects, saying so.
 *
 * @param app The app that would have been served.
 * @param options Where it would have listened.
 * @returns Never: a rejected promise.
 * @throws {Error} Always (as a rejection).
 * @example
 * ```ts
 * import { serve } from "./serve_unavailable.ts";
 * const failed = await serve({ fetch: () => new Response("hi") }).catch((error: Error) => error.message);
 * console.log(failed); // "serve() is not available in this build of tsmicroservice …"
 * ```
 */
export const serve: (app: FetchApp, options?: ServeOptions) => Promise<ServerHandle> = () =>
  Promise.reject(new Error(`serve() ${NOT_AVAILABLE_HERE}`));

/**
 * `fileAccess()` where there is no file system: rejects, saying so.
 *
 * @returns Never: a rejected promise.
 * @throws {Error} Always (as a rejection).
 * @example
 * ```ts
 * import { fileAccess } from "./serve_unavailable.ts";
 * const failed = await fileAccess().catch((error: Error) => error.message);
 * console.log(failed); // "fileAccess() is not available in this build of tsmicroservice …"
 * ```
 */
export function fileAccess(): Promise<FileAccess> {
  return Promise.reject(new Error(`fileAccess() ${NOT_AVAILABLE_HERE}`));
}
