/**
 * The outcome label of a call: `ok`, or the class of its JSON-RPC error code. A fixed, short list,
 * so that no caller can add series.
 *
 * @module
 */

/**
 * The outcome of a call, as the metrics label it.
 *
 * @example
 * ```ts
 * import type { Outcome } from "./outcome.ts";
 * const failed = (outcome: Outcome): boolean => outcome !== "ok";
 * ```
 */
export type Outcome =
  | "ok"
  | "parse_error"
  | "invalid_request"
  | "method_not_found"
  | "invalid_params"
  | "internal"
  | "access_denied"
  | "timeout"
  | "forbidden"
  | "unavailable"
  | "server_error"
  | "application";

/**
 * Every outcome, in the order the exposition lists them.
 *
 * @example
 * ```ts
 * import { OUTCOMES } from "./outcome.ts";
 * OUTCOMES.length; // 12
 * ```
 */
export const OUTCOMES: readonly Outcome[] = [
  "ok",
  "parse_error",
  "invalid_request",
  "method_not_found",
  "invalid_params",
  "internal",
  "access_denied",
  "timeout",
  "forbidden",
  "unavailable",
  "server_error",
  "application",
];

/**
 * The outcome of a call that failed with a JSON-RPC error code: the standard codes by name, the
 * library's `-32001` (access denied), `-32002` (timeout), `-32003` (forbidden: the caller lacks a
 * scope) and `-32004` (unavailable: a service this one needs could not be reached), the rest of the implementation range
 * (`-32000` to `-32099`) as `server_error`, and every other code (the application's own) as
 * `application`.
 *
 * @param code The error code.
 * @returns The outcome.
 * @example
 * ```ts
 * import { outcomeOf } from "./outcome.ts";
 * outcomeOf(-32602); // "invalid_params"
 * outcomeOf(42); // "application"
 * ```
 */
export function outcomeOf(code: number | undefined): Outcome {
  switch (code) {
    case -32700:
      return "parse_error";
    case -32600:
      return "invalid_request";
    case -32601:
      return "method_not_found";
    case -32602:
      return "invalid_params";
    case -32603:
      return "internal";
    case -32001:
      return "access_denied";
    case -32002:
      return "timeout";
    case -32003:
      return "forbidden";
    case -32004:
      return "unavailable";
    default:
      return code !== undefined && code <= -32000 && code >= -32099 ? "server_error" : "application";
  }
}
