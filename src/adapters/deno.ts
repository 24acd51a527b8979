/**
 * The Deno adapter: serves a Web fetch handler with `Deno.serve`.
 *
 * @module
 */

import { baseUrl, DEFAULT_HOSTNAME, DEFAULT_PORT, type FetchApp, type ServeOptions, type ServerHandle } from "./types.ts";

// The few parts of Deno's API this adapter uses, declared here so no Deno type package is needed.
interface DenoHttpServer {
  readonly addr: { readonly hostname: string; readonly port: number };
  shutdown(): Promise<void>;
}
interface DenoServeInit {
  hostname: string;
  port: number;
  onListen(addr: { hostname: string; port: number }): void;
}
interface DenoRuntime {
  serve(options: DenoServeInit, handler: (request: Request) => Response | Promise<Response>): DenoHttpServer;
}

/**
 * Serves an app with `Deno.serve`.
 *
 * @param app A service, or anything with a `fetch(request)` method.
 * @param options Where to listen.
 * @returns The running server, once it listens.
 * @throws {Error} When not running on Deno, or when the address cannot be listened on.
 * @example
 * ```ts
 * import { serveDeno } from "./deno.ts";
 * const server = await serveDeno({ fetch: () => new Response("hi") }, { port: 0 });
 * await server.close();
 * ```
 */
export function serveDeno(app: FetchApp, options: ServeOptions = {}): Promise<ServerHandle> {
  const deno = (globalThis as { Deno?: DenoRuntime }).Deno;
  if (deno === undefined) return Promise.reject(new Error("serveDeno needs the Deno runtime"));
  const hostname = options.hostname ?? DEFAULT_HOSTNAME;
  return new Promise((resolve) => {
    const server = deno.serve({
      hostname,
      port: options.port ?? DEFAULT_PORT,
      onListen: () => {}, // Deno prints a line by default; a library stays quiet.
    }, (request) => app.fetch(request));
    const port = server.addr.port;
    resolve({ hostname, port, url: baseUrl(hostname, port), close: () => server.shutdown() });
  });
}
