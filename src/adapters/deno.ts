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
  handler(request: Request): Response | Promise<Response>;
  onListen(addr: { hostname: string; port: number }): void;
  onError(error: unknown): Response;
}
interface DenoRuntime {
  serve(options: DenoServeInit): DenoHttpServer;
}

/**
 * Serves an app with `Deno.serve`.
 *
 * `close()` uses `Deno.serve`'s graceful shutdown: new connections are refused, calls in flight
 * finish and are answered, idle kept-alive connections are closed.
 *
 * @param app A service, or anything with a `fetch(request)` method.
 * @param options Where to listen.
 * @returns The running server, once it listens.
 * @throws {Error} When not running on Deno, or when the address cannot be listened on (a
 *   `Deno.errors.AddrInUse` when the port is taken).
 * @example
 * ```ts
 * import { serveDeno } from "./deno.ts";
 * const server = await serveDeno({ fetch: () => new Response("hi") }, { port: 0 });
 * console.log(server.url);
 * await server.close();
 * ```
 */
export function serveDeno(app: FetchApp, options: ServeOptions = {}): Promise<ServerHandle> {
  const deno = (globalThis as { Deno?: DenoRuntime }).Deno;
  if (deno === undefined) return Promise.reject(new Error("serveDeno needs the Deno runtime"));
  const hostname = options.hostname ?? DEFAULT_HOSTNAME;
  let server: DenoHttpServer;
  try {
    // Deno.serve listens synchronously: it throws here when the address is taken.
    server = deno.serve({
      hostname,
      port: options.port ?? DEFAULT_PORT,
      handler: (request) => app.fetch(request),
      onListen: () => {}, // Deno prints "Listening on ..." by default; a library stays quiet.
      // Same answer as the other adapters, and no error details for the client.
      onError: () => new Response("Internal Server Error", { status: 500 }),
    });
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  const port = server.addr.port;
  let closed: Promise<void> | undefined;
  return Promise.resolve({
    hostname,
    port,
    url: baseUrl(hostname, port),
    close(): Promise<void> {
      // A second close() waits for the same shutdown.
      closed ??= server.shutdown();
      return closed;
    },
  });
}
