/**
 * What a failed attempt tells about the call: whether it certainly never reached the server (so
 * sending it elsewhere cannot run it twice), and whether it speaks against the instance.
 *
 * @module
 */

import { TransportError } from "../errors.ts";

// Error codes of a connection that was never made: Node.js (undici) and Bun name them so.
const NOT_CONNECTED_CODES = new Set([
  "ECONNREFUSED",
  "ConnectionRefused",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_NONAME",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
  // natsFetch: no instance subscribes to the subject, so the request reached nobody.
  "NATS_NO_RESPONDERS",
]);

// Deno says it in words: "client error (Connect): tcp connect error: Connection refused".
const NOT_CONNECTED_MESSAGE = /client error \(Connect\)|connection refused|ECONNREFUSED/i;

/**
 * Tells whether a failed attempt certainly never reached a server: no connection could be made
 * (refused, no such host, no route). Anything else, such as a timeout or a connection reset after
 * the request went out, may have run the call. A browser's `fetch` does not say why it failed, so
 * there every network failure counts as "may have run".
 *
 * @param error What the attempt threw.
 * @returns `true` when the call can be sent elsewhere without any risk of running it twice.
 * @example
 * ```ts
 * import { TransportError } from "../errors.ts";
 * import { neverSent } from "./delivery.ts";
 * const refused = new TransportError("http://127.0.0.1:5000/api", "network", "refused", undefined,
 *   new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) }));
 * neverSent(refused); // true
 * neverSent(new TransportError("http://127.0.0.1:5000/api", "timeout", "no answer within 100 ms")); // false
 * ```
 */
export function neverSent(error: unknown): boolean {
  if (!(error instanceof TransportError)) return false;
  if (error.kind === "unavailable") return true;
  if (error.kind !== "network") return false;
  for (let cause: unknown = error.cause, depth = 0; typeof cause === "object" && cause !== null && depth < 5; depth++) {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (typeof code === "string" && NOT_CONNECTED_CODES.has(code)) return true;
    if (typeof message === "string" && NOT_CONNECTED_MESSAGE.test(message)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Tells whether a failed attempt speaks against the instance (and so counts for its breaker): a
 * network failure, a timeout, or any answer that is not JSON-RPC: an HTTP error status without a
 * JSON-RPC answer that blames the instance (a proxy's 502, a 500 page, a redirect, a 404, 405 or
 * 421 from another program now at that address), a body that is not JSON, or JSON that does not
 * answer the call (a wrong `id`). A call the caller aborted says nothing about the instance, and
 * neither does an answer larger than the client's `maxResponseBytes`, nor a status that blames the
 * call (400, 401, 403, 408, 413, 429 from a proxy in front: any instance would answer the same).
 *
 * @param error What the attempt threw.
 * @returns `true` when the breaker should count it.
 * @example
 * ```ts
 * import { TransportError } from "../errors.ts";
 * import { instanceFailed } from "./delivery.ts";
 * instanceFailed(new TransportError("http://127.0.0.1:5000/api", "http", "HTTP 503", 503)); // true
 * instanceFailed(new TransportError("http://127.0.0.1:5000/api", "bad-response", "the answer is not JSON", 200)); // true
 * instanceFailed(new TransportError("http://127.0.0.1:5000/api", "aborted", "the call was aborted")); // false
 * ```
 */
export function instanceFailed(error: unknown): boolean {
  if (!(error instanceof TransportError)) return false;
  switch (error.kind) {
    case "network":
    case "timeout":
      return true;
    case "http":
      return speaksAgainstInstance(error.status);
    case "bad-response":
      return !error.message.includes("(maxResponseBytes)");
    default:
      return false;
  }
}

// An HTTP status says the instance is wrong (a 5xx, a redirect, or another program at its
// address: 404, 405, 421) or says the call is (413, 429, 401 from a proxy in front of every
// instance): only the first kind may take an instance out, or one caller's oversized call or an
// ingress rate limit would open every breaker for everyone.
const speaksAgainstInstance = (status: number | undefined): boolean =>
  status === undefined || status >= 500 || status < 400 || status === 404 || status === 405 || status === 421;

/**
 * Tells whether a failed attempt may be tried again at all (on another instance, if the call is
 * idempotent or was never sent): every failure that speaks against the instance
 * ({@linkcode instanceFailed}), and finding no instance to send to. Not a call the caller aborted,
 * nor an answer too large to read.
 *
 * @param error What the attempt threw.
 * @returns `true` when another attempt may help.
 * @example
 * ```ts
 * import { TransportError } from "../errors.ts";
 * import { mayRetry } from "./delivery.ts";
 * mayRetry(new TransportError("http://127.0.0.1:5000/api", "timeout", "no answer within 100 ms")); // true
 * ```
 */
export function mayRetry(error: unknown): boolean {
  return instanceFailed(error) || (error instanceof TransportError && error.kind === "unavailable");
}
