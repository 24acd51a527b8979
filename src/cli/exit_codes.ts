/**
 * The exit codes of the `tsmicroservice` command, one meaning each, so scripts can tell a refused
 * call from an unreachable service from a typing mistake.
 *
 * @module
 */

/**
 * What each exit code of the command means:
 *
 * - `Ok` (0): it worked.
 * - `Failed` (1): the service answered with a JSON-RPC error (`call`, `describe`), or the command
 *   could not do its work (`new` found the folder already there, `serve` could not load or serve
 *   the module).
 * - `Transport` (2): no JSON-RPC answer came: the service was unreachable, too slow, answered an
 *   HTTP error or something that is not JSON-RPC.
 * - `Usage` (64, `EX_USAGE` of BSD's sysexits.h): the command line itself was wrong: an unknown
 *   command or flag, a missing argument, params that are not valid JSON, a URL that is not http(s).
 *
 * @example
 * ```ts
 * import { ExitCode } from "./exit_codes.ts";
 * const meaning = (code: number): string => (code === ExitCode.Transport ? "service unreachable" : "other");
 * meaning(2); // "service unreachable"
 * ```
 */
export const ExitCode = {
  Ok: 0,
  Failed: 1,
  Transport: 2,
  Usage: 64,
} as const;

/**
 * One of the values of {@linkcode ExitCode}.
 *
 * @example
 * ```ts
 * import { ExitCode, type ExitCodeValue } from "./exit_codes.ts";
 * const code: ExitCodeValue = ExitCode.Usage; // 64
 * ```
 */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
