/**
 * Opening one WebSocket for `openWebSocket`: which constructor, how the credentials go with the
 * upgrade, and how long the opening handshake may take. Web APIs only (no `node:*`), so it runs in
 * browsers too.
 *
 * @module
 */

import { TransportError } from "../client/errors.ts";

/**
 * The part of a WebSocket the client uses, typed structurally: the runtime's own `WebSocket`
 * (browsers, Node.js 22+, Deno, Bun) and the `ws` package's both fit.
 *
 * @example
 * ```ts
 * import type { WebSocketLike } from "./client_socket.ts";
 * const sayHello = (socket: WebSocketLike): void => {
 *   socket.addEventListener("open", () => socket.send('{"jsonrpc":"2.0","method":"say_hello","params":["ann"],"id":1}'));
 * };
 * ```
 */
export interface WebSocketLike {
  /** Sends one text message. */
  send(text: string): void;
  /** Starts the close handshake. */
  close(code?: number, reason?: string): void;
  /** Listens to `open`, `message` (its `data`), `close` (its `code` and `reason`) and `error`. */
  addEventListener(type: string, listener: (event: unknown) => void): void;
}

/**
 * A WebSocket constructor: the global `WebSocket`, or one passed in (such as the `ws` package's).
 * On Node.js, Deno and Bun the client calls it with `{ headers }` as its second argument (each of
 * them takes that), in a browser with the subprotocols.
 *
 * @example
 * ```ts
 * import type { WebSocketConstructor } from "./client_socket.ts";
 * const Native: WebSocketConstructor | undefined = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
 * ```
 */
export type WebSocketConstructor = new (url: string, protocols?: string[]) => WebSocketLike;

/**
 * How the client's socket reaches the service: the constructor, the credentials, the handshake's limit.
 *
 * @example
 * ```ts
 * import type { DialOptions } from "./client_socket.ts";
 * const options: DialOptions = { token: () => "fresh token", tokenHeader: "X-Service-Token", headers: { "x-client": "dashboard" } };
 * ```
 */
export interface DialOptions {
  /**
   * The API token sent at the upgrade (every call on the connection is checked with it): in the
   * `tokenHeader` header on Node.js, Deno and Bun; in a browser, which cannot set headers, as the
   * subprotocol `bearer.<token>` next to `jsonrpc`. A function is asked at each (re)connect.
   */
  readonly token?: string | (() => string | Promise<string>) | undefined;
  /** The header that carries the token. Default `"X-Api-Token"`. */
  readonly tokenHeader?: string | undefined;
  /** Extra headers sent with the upgrade (not in a browser, which cannot set them). */
  readonly headers?: HeadersInit | undefined;
  /** The WebSocket constructor. Default: the runtime's global `WebSocket`. */
  readonly WebSocket?: WebSocketConstructor | undefined;
  /** How long the opening handshake may take, in ms. Default 10,000. */
  readonly openTimeout?: number | undefined;
}

/**
 * Whether the runtime's WebSocket constructor takes `{ headers }` (Node.js, Deno, Bun, and the
 * `ws` package on Node.js); a browser's takes only subprotocols.
 */
const takesHeaders = (): boolean => {
  const global = globalThis as { Deno?: unknown; Bun?: unknown; process?: { versions?: { node?: unknown } } };
  return global.Deno !== undefined || global.Bun !== undefined || typeof global.process?.versions?.node === "string";
};

/**
 * Opens one WebSocket and waits for its handshake.
 *
 * @param url The `ws://` or `wss://` URL.
 * @param options The constructor, credentials and handshake limit.
 * @returns The open socket.
 * @throws {TransportError} `"network"` when it could not open (refused, a failed upgrade such as
 *   a 401), `"timeout"` when the handshake took longer than `openTimeout`.
 * @throws {TypeError} When there is no WebSocket constructor (Node.js before 22: pass the `ws`
 *   package's as `WebSocket`).
 * @example
 * ```ts
 * import { dial } from "./client_socket.ts";
 * const socket = await dial("ws://127.0.0.1:5000/api", { token: "hello_world_token" });
 * socket.close(1000);
 * ```
 */
export async function dial(url: string, options: DialOptions): Promise<WebSocketLike> {
  const Constructor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (Constructor === undefined) throw new TypeError("No WebSocket in this runtime (Node.js before 22): pass one as the WebSocket option, such as the ws package's");
  const token = typeof options.token === "function" ? await options.token() : options.token;
  let socket: WebSocketLike;
  const headers = takesHeaders();
  try {
    if (headers) {
      const sent: Record<string, string> = {};
      new Headers(options.headers).forEach((value, name) => {
        sent[name] = value;
      });
      const header = options.tokenHeader ?? "X-Api-Token";
      // As the HTTP client sends it: the token as it is.
      if (token !== undefined) sent[header.toLowerCase()] = token;
      socket = new (Constructor as unknown as new (url: string, init: object) => WebSocketLike)(url, { headers: sent });
    } else {
      socket = new Constructor(url, token === undefined ? ["jsonrpc"] : ["jsonrpc", `bearer.${token}`]);
    }
  } catch (error) {
    // A bad URL, or a token that is no valid subprotocol: the constructor's SyntaxError, without the token.
    const hint = headers || token === undefined ? "" : " (a token goes as a subprotocol here: letters, digits and !#$%&'*+-.^_`|~ only)";
    // (Without the cause when there is a token: a browser's message quotes the subprotocol, token and all.)
    throw new TransportError(url, "network", `cannot open a WebSocket: ${error instanceof Error ? error.name : "error"}${hint}`, undefined, token === undefined ? error : undefined);
  }
  const limit = options.openTimeout ?? 10_000;
  return new Promise((resolve, reject) => {
    let detail = "";
    const timer = setTimeout(() => {
      reject(new TransportError(url, "timeout", `the WebSocket did not open within ${limit} ms`));
      socket.close();
    }, limit);
    socket.addEventListener("open", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.addEventListener("error", (event) => {
      // Node's and Deno's events say why (such as "Unexpected server response: 401"); a browser's never do.
      const message = (event as { message?: unknown; error?: { message?: unknown } } | null)?.message ?? (event as { error?: { message?: unknown } } | null)?.error?.message;
      if (typeof message === "string") detail = message;
    });
    socket.addEventListener("close", (event) => {
      clearTimeout(timer);
      const code = (event as { code?: unknown }).code;
      reject(new TransportError(url, "network", `the WebSocket did not open (${detail || `close code ${String(code)}`})`));
    });
  });
}

/**
 * How long to wait before the `attempt`-th reconnect: `delay` doubled at each attempt, at most
 * `maxDelay`, and a random half of it taken off (jitter), so clients dropped together do not all
 * come back at once.
 *
 * @param attempt The attempt, from 1.
 * @param delay The first wait, in ms.
 * @param maxDelay The longest wait, in ms.
 * @returns The wait, in ms.
 * @example
 * ```ts
 * import { backoff } from "./client_socket.ts";
 * backoff(3, 200, 10_000); // between 400 and 800
 * ```
 */
export function backoff(attempt: number, delay: number, maxDelay: number): number {
  const ceiling = Math.min(maxDelay, delay * 2 ** (attempt - 1));
  return ceiling / 2 + (Math.random() * ceiling) / 2;
}
