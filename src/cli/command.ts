/**
 * The shape every subcommand of `tsmicroservice` has.
 *
 * @module
 */

import type { CliEnvironment } from "./environment.ts";

/**
 * A subcommand: its name, a one-line summary for the command list, its help text, and what it
 * does.
 *
 * @example
 * ```ts
 * import type { Command } from "./command.ts";
 * const hello: Command = {
 *   name: "hello",
 *   summary: "says hello",
 *   help: "usage: tsmicroservice hello\n",
 *   run: (_args, env) => {
 *     env.stdout("hello\n");
 *     return Promise.resolve(0);
 *   },
 * };
 * ```
 */
export interface Command {
  /** The word that picks it, such as `"call"`. */
  readonly name: string;
  /** What it does, in a few words. */
  readonly summary: string;
  /** Its help: the usage line, the arguments and flags, and examples. */
  readonly help: string;
  /**
   * Runs it.
   *
   * @param args The words after its name.
   * @param env The outside world.
   * @returns The exit code (see `ExitCode`).
   * @throws {UsageError} When the command line is wrong.
   * @example
   * ```ts
   * import type { Command } from "./command.ts";
   * declare const command: Command;
   * const env = { stdout() {}, stderr() {}, isTTY: false, importModule: () => Promise.resolve({}), writeFolder: () => Promise.resolve("") };
   * const code = await command.run(["--help"], env);
   * ```
   */
  run(args: readonly string[], env: CliEnvironment): Promise<number>;
}
