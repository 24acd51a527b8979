/**
 * What every runtime adapter takes and gives back.
 *
 * @module
 */

import type { RuntimeFacilities } from "../http/file_access.ts";

/**
 * Anything with a Web fetch handler: a {@linkcode Service}, or `{ fetch }` of your own.
 *
 * @example
 * ```ts
 * import { serve } from "../serve.ts";
 * import type { FetchApp } from "./types.ts";
 * const app: FetchApp = { fetch: () => new Response("hello") };
 * const server = await serve(app, { port: 0 });
 * await server.close();
 * ```
 */
export interface FetchApp {
  /**
   * Answers one HTTP request.
   *
   * @param request The incoming request.
   * @returns The response.
   * @example
   * ```ts
   * import { serve } from "../serve.ts";
   * import type { FetchApp } from "./types.ts";
   * const app: FetchApp = { fetch: (request) => new Response(`you asked for ${new URL(request.url).pathname}`) };
   * const server = await serve(app, { port: 0 });
   * await server.close();
   * ```
   */
  fetch(request: Request): Response | Promise<Response>;
  /**
   * Optional: called by `serve()` before it listens, with the runtime's facilities (its file
   * access). If it throws, `serve()` rejects without listening.
   *
   * @param facilities The runtime's facilities.
   * @returns Once the app is ready to serve.
   * @example
   * ```ts
   * import { serve } from "../serve.ts";
   * import type { FetchApp } from "./types.ts";
   * let ready = false;
   * const app: FetchApp = {
   *   fetch: () => new Response(ready ? "ready" : "starting"),
   *   startup: async () => {
   *     ready = await Promise.resolve(true); // open a database, warm a cache...
   *   },
   * };
   * const server = await serve(app, { port: 0 }); // startup() ran first
   * await server.close();
   * ```
   */
  startup?(facilities: RuntimeFacilities): void | Promise<void>;
  /**
   * Optional: called by the server's `close()` with `drain`, which stops the server and waits for
   * calls in flight; the app stops around it. (Not `stop`: `bun run` takes a default export with
   * a `stop` method for a running server and does not serve it.)
   *
   * @param drain Stops the server and waits for the calls in flight; the app must call it.
   * @returns Once the app has stopped.
   * @example
   * ```ts
   * import { serve } from "../serve.ts";
   * import type { FetchApp } from "./types.ts";
   * const app: FetchApp = {
   *   fetch: () => new Response("hello"),
   *   shutdown: async (drain) => {
   *     await drain(); // every call in flight is answered
   *     console.log("closed: flush logs, close the database...");
   *   },
   * };
   * const server = await serve(app, { port: 0 });
   * await server.close(); // runs shutdown()
   * ```
   */
  shutdown?(drain: () => Promise<void>): void | Promise<void>;
}

/**
 * Where to listen.
 *
 * @example
 * ```ts
 * import { serve } from "../serve.ts";
 * import { Service } from "../core/service.ts";
 * import type { ServeOptions } from "./types.ts";
 * const options: ServeOptions = { hostname: "0.0.0.0", port: 8080, requestTimeout: 10_000, closeTimeout: 20_000, signals: true };
 * await serve(new Service({ name: "s" }), options);
 * ```
 */
export interface ServeOptions {
  /** The address to listen on. Default `"127.0.0.1"` (loopback only: say `"0.0.0.0"` to be reachable). */
  readonly hostname?: string | undefined;
  /** The port; `0` picks a free one. Default `8000`, as in the Python original. */
  readonly port?: number | undefined;
  /**
   * How long a client may take to send a request's headers, in ms, so slow clients cannot hold
   * connections. Default 30,000. Node.js only (there the whole request may take this plus the
   * service's `bodyTimeout`, then Node answers 408); Bun cuts slow headers after about 10 s on its
   * own, Deno never (see README.md, "Limits and security defaults").
   */
  readonly requestTimeout?: number | undefined;
  /**
   * How long `close()` lets calls in flight run, in ms, before cutting the connections still open
   * (on Deno, which cannot cut them while shutting down, unanswered requests get a 503).
   * Default 10,000.
   */
  readonly closeTimeout?: number | undefined;
  /**
   * How long `close()` keeps answering requests before it stops listening, in ms, while the service
   * already reports itself stopping (health 503): time for a load balancer or Kubernetes to take
   * the instance out, so no caller meets a refused connection. Default 0.
   */
  readonly drainDelay?: number | undefined;
  /**
   * Whether `SIGINT` and `SIGTERM` run `close()` and then end the process (exit code 0, or 1 when
   * the stop failed); a second signal ends it at once. Only for a program that is the service: put
   * clean-up in `onStop`. Default `false`.
   */
  readonly signals?: boolean | undefined;
}

/**
 * A running server.
 *
 * @example
 * ```ts
 * import { serve } from "../serve.ts";
 * import { Service } from "../core/service.ts";
 * const server = await serve(new Service({ name: "s" }), { port: 0 });
 * console.log(`listening on port ${server.port}: ${server.url}/api`);
 * await server.close();
 * ```
 */
export interface ServerHandle {
  /** The address it listens on. */
  readonly hostname: string;
  /** The port it listens on (the real one when `0` was asked for). */
  readonly port: number;
  /** Its base URL, such as `http://127.0.0.1:5000` (no trailing slash). */
  readonly url: string;
  /**
   * Stops accepting connections, lets requests in flight be answered (up to `closeTimeout`), then
   * closes. A second call waits for the same close.
   *
   * @returns Once the server is closed (and, for a service, its `onStop` has run).
   * @throws Whatever the app's `shutdown` throws (a service's `onStop`).
   * @example
   * ```ts
   * import { serve } from "../serve.ts";
   * import { Service } from "../core/service.ts";
   * const server = await serve(new Service({ name: "s" }), { port: 0, closeTimeout: 5_000 });
   * await server.close();
   * ```
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
 * The default time `close()` lets calls in flight run, in ms.
 *
 * @example
 * ```ts
 * import { serve } from "../serve.ts";
 * import { Service } from "../core/service.ts";
 * import { DEFAULT_CLOSE_TIMEOUT } from "./types.ts";
 * // Long calls: give them three times the default to finish when the server closes.
 * const server = await serve(new Service({ name: "s" }), { port: 0, closeTimeout: 3 * DEFAULT_CLOSE_TIMEOUT });
 * await server.close();
 * ```
 */
export const DEFAULT_CLOSE_TIMEOUT = 10_000;

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
