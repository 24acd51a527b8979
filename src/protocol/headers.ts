/**
 * The request headers this library's clients and services agree on, beside JSON-RPC itself.
 *
 * @module
 */

/**
 * The request header that carries how long the caller still waits, in whole ms. A client sends it
 * with every call that has a timeout or a deadline; a service starts the call's `ctx.signal` with
 * that time, answers `-32002` when it is up, and refuses a call whose time is already up (0)
 * without running it.
 *
 * @example
 * ```ts
 * import { REQUEST_TIMEOUT_HEADER } from "./headers.ts";
 * new Headers({ [REQUEST_TIMEOUT_HEADER]: "1500" }); // the caller waits 1.5 s more
 * ```
 */
export const REQUEST_TIMEOUT_HEADER = "X-Request-Timeout";
