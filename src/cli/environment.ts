/**
 * What the command's core needs from the program that runs it: where to write, whether the output
 * is a terminal, and the few file-system steps of `new` and `serve`. The runtime's own entry
 * (`main.ts`) provides them, so the core runs unchanged on Node.js, Deno and Bun, and tests can run
 * it in-process.
 *
 * @module
 */

import type { FetchFunction } from "../client/transport.ts";

/**
 * The outside world of one run of the command.
 *
 * @example
 * ```ts
 * import type { CliEnvironment } from "./environment.ts";
 * let out = "";
 * const env: CliEnvironment = {
 *   stdout: (text) => void (out += text),
 *   stderr: () => {},
 *   isTTY: false,
 *   importModule: (file) => import(new URL(file, "file:///srv/").href),
 *   writeFolder: () => Promise.reject(new Error("read-only")),
 * };
 * ```
 */
export interface CliEnvironment {
  /**
   * Writes to standard output.
   *
   * @param text What to write (with its own newline).
   * @example
   * ```ts
   * import type { CliEnvironment } from "./environment.ts";
   * const stdout: CliEnvironment["stdout"] = (text) => console.log(text.trimEnd());
   * ```
   */
  stdout(text: string): void;
  /**
   * Writes to standard error.
   *
   * @param text What to write (with its own newline).
   * @example
   * ```ts
   * import type { CliEnvironment } from "./environment.ts";
   * const stderr: CliEnvironment["stderr"] = (text) => console.error(text.trimEnd());
   * ```
   */
  stderr(text: string): void;
  /** Whether standard output is a terminal: results are then pretty-printed. */
  readonly isTTY: boolean;
  /**
   * Imports a module given on the command line by its path (relative to the working folder), for
   * `serve`. On Node.js the entry loads TypeScript modules through tsx when it is installed.
   *
   * @param file The path.
   * @returns The module's namespace.
   * @throws When it cannot be found or loaded.
   * @example
   * ```ts
   * import type { CliEnvironment } from "./environment.ts";
   * const importModule: CliEnvironment["importModule"] = (file) => import(new URL(file, "file:///home/me/project/").href);
   * ```
   */
  importModule(file: string): Promise<Record<string, unknown>>;
  /**
   * Creates a folder that must not exist yet, with files in it (paths relative to it, `/`
   * separated; their folders are made as needed).
   *
   * @param folder The folder, relative to the working folder.
   * @param files Each file's path and text.
   * @returns The folder's full path.
   * @throws When the folder exists already or cannot be written.
   * @example
   * ```ts
   * import type { CliEnvironment } from "./environment.ts";
   * const made = new Map<string, ReadonlyMap<string, string>>();
   * const writeFolder: CliEnvironment["writeFolder"] = (folder, files) => {
   *   made.set(folder, files);
   *   return Promise.resolve(`/tmp/${folder}`);
   * };
   * ```
   */
  writeFolder(folder: string, files: ReadonlyMap<string, string>): Promise<string>;
  /** Standard input, for `mcp` (which reads MCP messages from it); absent when the run has none. */
  readonly stdin?: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;
  /** The `fetch` calls are made with (default: the global one); tests hand in their own. */
  readonly fetch?: FetchFunction;
}
