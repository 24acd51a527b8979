/**
 * The Bun adapter: serves a Web fetch handler with `Bun.serve`.
 *
 * Import it as `@tsmicroservice/tsmicroservice/bun` (JSR) or `tsmicroservice/bun` (npm) to pin
 * the runtime. `serveBun` only listens, without `startup` or `shutdown` (see the Node.js
 * adapter): prefer `serve()`.
 *
 * @example
 * ```ts
 * import { serveBun } from "./bun.ts";
 * import { Service } from "../core/service.ts";
 * const service = new Service({ name: "hello" }).publicMethod("say_hello", (name: string) => `hello ${name}`);
 * const server = await serveBun(service, { port: 0 });
 * console.log(`${server.url}/api`);
 * await server.close();
 * ```
 *
 * @module
 */

import { DeadlineWatch, type Watched } from "../http/deadline_watch.ts";
import { answerEndpointRequest, type CallRunning } from "../http/endpoint_request.ts";
import { asError } from "../core/as_error.ts";
import { internalServerError, pathOf, toResponse } from "../http/handler.ts";
import { endpointOf } from "../http/endpoint_of.ts";
import { closeWithin } from "./shared.ts";
import { baseUrl, DEFAULT_CLOSE_TIMEOUT, DEFAULT_HOSTNAME, DEFAULT_PORT, type FetchApp, type ServeOptions, type ServerHandle } from "./types.ts";

// Declared here so no Bun type package is needed.
interface BunServer {
  readonly port: number;
  stop(closeActiveConnections?: boolean): Promise<void>;
  timeout(request: Request, seconds: number): void;
}
interface BunServeInit {
  hostname: string;
  port: number;
  idleTimeout: number;
  websocket: object | undefined;
  fetch(request: Request, server: BunServer): Response | undefined | Promise<Response>;
  error(error: unknown): Response;
}
interface BunRuntime {
  serve(options: BunServeInit): BunServer;
}

// Bun's default.
const IDLE_TIMEOUT_SECONDS = 10;

class LongCall implements Watched {
  readonly #server: BunServer;
  readonly #request: Request;
  #timeoutOff = false;

  constructor(server: BunServer, request: Request) {
    this.#server = server;
    this.#request = request;
  }

  expire(): void {
    this.#timeoutOff = true;
    this.#server.timeout(this.#request, 0);
  }

  end(watch: DeadlineWatch): void {
    watch.done(this);
    if (this.#timeoutOff) this.#server.timeout(this.#request, IDLE_TIMEOUT_SECONDS);
  }
}

/**
 * Bun's idle timeout also runs while a handler works, so a slow method would lose its answer (and
 * a retrying client run it twice): halfway through, it is turned off until the answer is sent.
 */
function whileRunning<T>(answer: Promise<T>, request: Request, server: BunServer, slowCalls: DeadlineWatch): Promise<T> {
  const call = new LongCall(server, request);
  slowCalls.watch(call);
  return answer.finally(() => {
    call.end(slowCalls);
  });
}

/**
 * Serves an app with `Bun.serve`; `close()` is its graceful stop, cutting the connections still
 * open after `closeTimeout`.
 *
 * @param app A service, or anything with a `fetch(request)` method.
 * @param options Where to listen.
 * @returns The running server, once it listens.
 * @throws {Error} When not running on Bun, or when the address cannot be listened on (code
 *   `EADDRINUSE` when the port is taken).
 * @example
 * ```ts
 * import { serveBun } from "./bun.ts";
 * const server = await serveBun({ fetch: () => new Response("hi") }, { port: 0 });
 * console.log(server.url);
 * await server.close();
 * ```
 */
export function serveBun(app: FetchApp, options: ServeOptions = {}): Promise<ServerHandle> {
  const bun = (globalThis as { Bun?: BunRuntime }).Bun;
  if (bun === undefined) return Promise.reject(new Error("serveBun needs the Bun runtime"));
  const hostname = options.hostname ?? DEFAULT_HOSTNAME;
  const slowCalls = new DeadlineWatch((IDLE_TIMEOUT_SECONDS * 1000) / 2);
  const endpoint = endpointOf(app);
  // `server` is set before Bun hands over the first request.
  const running: CallRunning = (answer, request) => whileRunning(answer, request, server, slowCalls);
  let server: BunServer;
  try {
    // Throws here when the address is taken: Bun.serve listens synchronously.
    server = bun.serve({
      hostname,
      port: options.port ?? DEFAULT_PORT,
      idleTimeout: IDLE_TIMEOUT_SECONDS,
      websocket: endpoint?.upgrade?.bunHandlers,
      fetch: (request) => {
        // The JSON-RPC path skips the service's fetch: same answers, fewer promise turns.
        if (endpoint !== undefined && pathOf(request.url) === endpoint.path) {
          // null: upgraded to a WebSocket, which Bun answers itself.
          const upgraded = endpoint.upgrade?.bun(request, server);
          if (upgraded !== undefined) return upgraded ?? undefined;
          return answerEndpointRequest(endpoint, request, toResponse, endpoint.bodyDeadline, running);
        }
        const answer = app.fetch(request);
        return answer instanceof Promise ? whileRunning(answer, request, server, slowCalls) : answer;
      },
      // Without it, Bun answers a thrown error with an HTML page showing the stack and source.
      error: internalServerError,
    });
  } catch (error) {
    return Promise.reject(asError(error));
  }
  const port = server.port;
  // Past the deadline, stop(true) cuts the connections still open.
  const close = closeWithin(() => Promise.resolve(server.stop()), options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT, () => {
    void server.stop(true);
    return false;
  });
  return Promise.resolve({ hostname, port, url: baseUrl(hostname, port), close });
}
