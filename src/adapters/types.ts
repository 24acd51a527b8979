/**
 * What every runtime adapter takes and gives back.
 *
 * @module
 */

/** Anything with a Web fetch handler: a {@linkcode Service}, or `{ fetch }` of your own. */
export interface FetchApp {
  /** Answers one HTTP request. */
  fetch(request: Request): Response | Promise<Response>;
}

/** Where to listen. */
export interface ServeOptions {
  /** The address to listen on. Default `"127.0.0.1"` (loopback only: say `"0.0.0.0"` to be reachable). */
  readonly hostname?: string;
  /** The port; `0` picks a free one. Default `8000`, as in the Python original. */
  readonly port?: number;
  /**
   * How long a client may take to send a whole request (headers and body), in ms, before it is
   * cut off; this stops slow clients from holding connections open. Default 30,000. Applied where
   * the runtime lets it be set (Node.js).
   */
  readonly requestTimeout?: number;
}

/** A running server. */
export interface ServerHandle {
  /** The address it listens on. */
  readonly hostname: string;
  /** The port it listens on (the real one when `0` was asked for). */
  readonly port: number;
  /** Its base URL, such as `http://127.0.0.1:5000` (no trailing slash). */
  readonly url: string;
  /**
   * Stops accepting connections, lets the requests in flight finish and be answered, then closes.
   * Resolves once the server is closed.
   */
  close(): Promise<void>;
}

/** The default listening address. */
export const DEFAULT_HOSTNAME = "127.0.0.1";
/** The default port. */
export const DEFAULT_PORT = 8000;
/** The default time a client has to send a whole request, in ms. */
export const DEFAULT_REQUEST_TIMEOUT = 30_000;

/**
 * Builds a server's base URL from its address and port; IPv6 addresses get brackets.
 *
 * @param hostname The listening address.
 * @param port The listening port.
 * @returns The URL, such as `http://[::1]:8080`.
 * @example
 * ```ts
 * import { baseUrl } from "./types.ts";
 * baseUrl("::1", 8080); // "http://[::1]:8080"
 * ```
 */
export function baseUrl(hostname: string, port: number): string {
  return `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
}
