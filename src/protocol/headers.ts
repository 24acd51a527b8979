/**
 * The request headers this library's clients and services agree on, beside JSON-RPC itself.
 *
 * @module
 */

/**
 * The request header carrying how long the caller still waits, in whole ms, sent by clients with a
 * timeout or deadline. A service times the call's `ctx.signal` by it, answers `-32002` when it is
 * up, and refuses a call that arrives with 0 without running it.
 *
 * @example
 * ```ts
 * import { REQUEST_TIMEOUT_HEADER } from "./headers.ts";
 * new Headers({ [REQUEST_TIMEOUT_HEADER]: "1500" }); // the caller waits 1.5 s more
 * ```
 */
export const REQUEST_TIMEOUT_HEADER = "X-Request-Timeout";
