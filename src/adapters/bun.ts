/**
 * The Bun adapter: serves a Web fetch handler with `Bun.serve`.
 *
 * @module
 */

import { baseUrl, DEFAULT_HOSTNAME, DEFAULT_PORT, type FetchApp, type ServeOptions, type ServerHandle } from "./types.ts";

// The few parts of Bun's API this adapter uses, declared here so no Bun type package is needed.
interface BunServer {
  readonly port: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}
interface BunServeInit {
  hostname: string;
  port: number;
  fetch(request: Request): Response | Promise<Response>;
}
interface BunRuntime {
  serve(options: BunServeInit): BunServer;
}

/**
 * Serves an app with `Bun.serve`.
 *
 * @param app A service, or anything with a `fetch(request)` method.
 * @param options Where to listen.
 * @returns The running server, once it listens.
 * @throws {Error} When not running on Bun, or when the address cannot be listened on.
 * @example
 * ```ts
 * import { serveBun } from "./bun.ts";
 * const server = await serveBun({ fetch: () => new Response("hi") }, { port: 0 });
 * await server.close();
 * ```
 */
export function serveBun(app: FetchApp, options: ServeOptions = {}): Promise<ServerHandle> {
  const bun = (globalThis as { Bun?: BunRuntime }).Bun;
  if (bun === undefined) return Promise.reject(new Error("serveBun needs the Bun runtime"));
  const hostname = options.hostname ?? DEFAULT_HOSTNAME;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  return new Promise((resolve) => {
    const server = bun.serve({
      hostname,
      port: options.port ?? DEFAULT_PORT,
      // Count calls in flight so close() can wait for their answers.
      fetch: async (request) => {
        inFlight++;
        try {
          return await app.fetch(request);
        } finally {
          inFlight--;
          if (inFlight === 0) drained?.();
        }
      },
    });
    const port = server.port;
    resolve({
      hostname,
      port,
      url: baseUrl(hostname, port),
      async close(): Promise<void> {
        const stopping = server.stop(false);
        if (inFlight > 0) await new Promise<void>((done) => (drained = done));
        await stopping;
        await server.stop(true);
      },
    });
  });
}
