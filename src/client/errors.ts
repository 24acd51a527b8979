/**
 * The error the client throws when a call never got a JSON-RPC answer. (An answer that carries an
 * error is thrown as an `RpcError`, from `src/protocol/errors.ts`.)
 *
 * @module
 */

/**
 * What went wrong on the way:
 *
 * - `"network"`: no HTTP response (connection refused or reset, DNS failure, invalid URL).
 * - `"timeout"`: the call's `timeout` ran out.
 * - `"aborted"`: the call's `signal` was aborted (its reason is the error's `cause`).
 * - `"http"`: an HTTP error status (such as a 500 page) without a JSON-RPC answer in the body.
 * - `"bad-response"`: a body that is not JSON, or JSON that is not the answer to the call.
 * - `"unavailable"`: a client of a `cluster(…)` had no instance to send the call to (none known, or
 *   every one's breaker open), within the call's attempts. Nothing was sent.
 *
 * @example
 * ```ts
 * import type { TransportErrorKind } from "./errors.ts";
 * const retryable = (kind: TransportErrorKind): boolean => kind === "network" || kind === "timeout";
 * ```
 */
export type TransportErrorKind = "network" | "timeout" | "aborted" | "http" | "bad-response" | "unavailable";

/**
 * A call failed before a JSON-RPC answer came back: the service was unreachable, too slow, or
 * answered something that is not JSON-RPC. Says which URL and what happened.
 *
 * @example
 * ```ts
 * import { createClient, TransportError } from "../../mod.ts";
 * const remote = createClient("http://127.0.0.1:9/api");
 * try {
 *   await remote.call("ping");
 * } catch (error) {
 *   if (error instanceof TransportError) console.log(error.kind, error.url); // "network" "http://127.0.0.1:9/api"
 * }
 * ```
 */
export class TransportError extends Error {
  /** The URL the call was sent to, without a user name or password. */
  declare readonly url: string;
  /** What went wrong (see {@linkcode TransportErrorKind}). */
  declare readonly kind: TransportErrorKind;
  /** The HTTP status, when a response came. */
  declare readonly status: number | undefined;
  /**
   * The called service's name, when the client knows it (one made by `connect`). A service whose
   * handler lets this error through answers `-32004 Unavailable` with it (`-32002 Timeout` for a
   * `"timeout"`), never with the URL.
   */
  service: string | undefined;

  /**
   * Makes the error for a call that got no JSON-RPC answer. The client makes these; code of your
   * own rarely needs to, except to fake a failing transport in a test.
   *
   * @param url The URL the call was sent to.
   * @param kind What went wrong.
   * @param detail One short phrase about it, for the message.
   * @param status The HTTP status, when a response came.
   * @param cause The underlying error, if any.
   * @example
   * ```ts
   * import { TransportError } from "./errors.ts";
   * const error = new TransportError("http://127.0.0.1:5000/api", "http", "HTTP 502", 502);
   * error.message; // "http error calling http://127.0.0.1:5000/api: HTTP 502"
   * ```
   */
  constructor(url: string, kind: TransportErrorKind, detail: string, status?: number, cause?: unknown) {
    // A user name and password in a URL never reach a message, a log or a span (fetch's own
    // message repeats the URL it refused).
    const bare = (text: string): string => text.replace(/(\/\/)[^/?#\s@]*@/g, "$1");
    super(bare(`${kind} error calling ${url}: ${detail}`), { cause });
    this.name = "TransportError";
    this.url = bare(url);
    this.kind = kind;
    this.status = status;
  }

  /**
   * What a service answers its own caller when a handler lets this error through: `-32002
   * Timeout` for a `"timeout"`, `-32004 Unavailable` naming the service (never its URL) for the
   * other kinds; `undefined` (an internal error, reported) for an `"aborted"` call, which the
   * handler stopped itself.
   *
   * @returns The JSON-RPC error object, or `undefined`.
   * @example
   * ```ts
   * import { TransportError } from "./errors.ts";
   * new TransportError("http://10.0.0.5:5000/api", "network", "connection refused").rpcError();
   * // { code: -32004, message: "Unavailable: a service this call needs could not be reached" }
   * ```
   */
  rpcError(): { code: number; message: string } | undefined {
    // The name is the other service's own word (its rpc.discover): bounded, and no control characters.
    // eslint-disable-next-line no-control-regex -- control characters are what it removes
    const service = this.service?.replace(/[\0-\x1f\x7f-\x9f]/g, "").slice(0, 100) ?? "a service this call needs";
    const kind = this.kind;
    if (kind === "aborted") return undefined;
    return kind === "timeout"
      ? { code: -32002, message: `Timeout: ${service} did not answer in time` }
      : { code: -32004, message: `Unavailable: ${service} could not be reached` };
  }
}
