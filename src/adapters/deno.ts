/**
 * The Deno adapter: serves a Web fetch handler with `Deno.serve`.
 *
 * Import it as `@tsmicroservice/tsmicroservice/deno` (JSR) or `tsmicroservice/deno` (npm) to pin
 * the runtime. `serveDeno` only listens: it never calls an app's `startup` or `shutdown`, so a
 * service's `onStart`, `onStop` and periodic tasks do not run, and its static folders have no file
 * access unless its `files` option gives one. `serve()` from the main module picks the adapter and
 * does all of that: prefer it.
 *
 * @example
 * ```ts
 * import { serveDeno } from "./deno.ts";
 * import { Service } from "../service.ts";
 * const service = new Service({ name: "hello" }).publicMethod("say_hello", (name: string) => `hello ${name}`);
 * const server = await serveDeno(service, { port: 0 });
 * console.log(`${server.url}/api`);
 * await server.close();
 * ```
 *
 * @module
 */

import { baseUrl, DEFAULT_CLOSE_TIMEOUT, DEFAULT_HOSTNAME, DEFAULT_PORT, type FetchApp, type ServeOptions, type ServerHandle } from "./types.ts";

// The few parts of Deno's API this adapter uses, declared here so no Deno type package is needed.
interface DenoHttpServer {
  readonly addr: { readonly hostname: string; readonly port: number };
  shutdown(): Promise<void>;
  unref(): void;
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
 * finish and are answered, idle kept-alive connections are closed; after `closeTimeout`, requests
 * still unanswered get a 503.
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
  // The resolvers of the requests not answered yet, so close() can answer them at its deadline.
  const waiting = new Set<(response: Response) => void>();
  let server: DenoHttpServer;
  try {
    // Deno.serve listens synchronously: it throws here when the address is taken.
    server = deno.serve({
      hostname,
      port: options.port ?? DEFAULT_PORT,
      handler: (request) => answerUnlessCut(app, request, waiting),
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
      closed ??= new Promise<void>((resolve, reject) => {
        // Deno cannot cut a connection once shutdown() has begun (aborting the server's signal
        // then throws an uncatchable BadResource): past the deadline, the requests still running
        // are answered 503, and the server no longer keeps the process alive.
        const deadline = setTimeout(() => {
          for (const answer of waiting) answer(new Response("Service Unavailable: the server stopped", { status: 503 }));
          waiting.clear();
          server.unref();
          resolve();
        }, options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT);
        server.shutdown().then(resolve, reject).finally(() => {
          clearTimeout(deadline);
        });
      });
      return closed;
    },
  });
}

/** The app's answer, unless close() answers first at its deadline. */
function answerUnlessCut(app: FetchApp, request: Request, waiting: Set<(response: Response) => void>): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    waiting.add(resolve);
    const settle = (): void => {
      waiting.delete(resolve);
    };
    try {
      Promise.resolve(app.fetch(request)).then((response) => {
        settle();
        resolve(response);
      }, (error: unknown) => {
        settle();
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    } catch (error) {
      settle();
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
