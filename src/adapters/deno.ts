/**
 * The Deno adapter: serves a Web fetch handler with `Deno.serve`.
 *
 * Import it as `@tsmicroservice/tsmicroservice/deno` (JSR) or `tsmicroservice/deno` (npm) to pin
 * the runtime. `serveDeno` only listens, without `startup` or `shutdown` (see the Node.js
 * adapter): prefer `serve()`.
 *
 * @example
 * ```ts
 * import { serveDeno } from "./deno.ts";
 * import { Service } from "../core/service.ts";
 * const service = new Service({ name: "hello" }).publicMethod("say_hello", (name: string) => `hello ${name}`);
 * const server = await serveDeno(service, { port: 0 });
 * console.log(`${server.url}/api`);
 * await server.close();
 * ```
 *
 * @module
 */

import { asError } from "../core/as_error.ts";
import { internalServerError, pathOf } from "../http/handler.ts";
import { answerEndpointRequest } from "../http/endpoint_request.ts";
import { endpointOf } from "../http/endpoint_of.ts";
import { normalisedRequest } from "../http/normal_path.ts";
import { denoResponse } from "./deno_response.ts";
import { closeWithin } from "./shared.ts";
import { baseUrl, DEFAULT_CLOSE_TIMEOUT, DEFAULT_HOSTNAME, DEFAULT_PORT, type FetchApp, type ServeOptions, type ServerHandle } from "./types.ts";

// Declared here so no Deno type package is needed.
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
  upgradeWebSocket(request: Request, options: { idleTimeout?: number }): { socket: unknown; response: Response };
}

/**
 * Serves an app with `Deno.serve`; `close()` is its graceful shutdown, answering 503 to requests
 * still unanswered after `closeTimeout`.
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
  const waiting = new WaitList();
  // No body deadline here: Deno keeps reading a slow client's body whatever the service answers,
  // so the watch spared nothing and cost every call ~6% (see README.md, "Limits and security defaults").
  const endpoint = endpointOf(app);
  // Deno alone hands over paths as sent (see normal_path.ts).
  const answer = endpoint === undefined
    ? (request: Request) => app.fetch(normalisedRequest(request, pathOf(request.url)).request)
    : (request: Request) => {
      const path = pathOf(request.url);
      if (path !== endpoint.path) return app.fetch(normalisedRequest(request, path).request);
      return endpoint.upgrade?.deno(request, (upgraded, init) => deno.upgradeWebSocket(upgraded, init)) ?? answerEndpointRequest(endpoint, request, denoResponse, undefined);
    };
  let server: DenoHttpServer;
  try {
    // Throws here when the address is taken: Deno.serve listens synchronously.
    server = deno.serve({
      hostname,
      port: options.port ?? DEFAULT_PORT,
      handler: (request) => answerUnlessCut(answer, request, waiting),
      onListen: () => {}, // Deno prints "Listening on ..." by default; a library stays quiet.
      onError: internalServerError,
    });
  } catch (error) {
    return Promise.reject(asError(error));
  }
  const port = server.addr.port;
  // Deno cannot cut a connection once shutdown() has begun (aborting then throws an uncatchable
  // BadResource): past the deadline, requests still running get a 503.
  const close = closeWithin(() => server.shutdown(), options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT, () => {
    waiting.answerAll(() => new Response("Service Unavailable: the server stopped", { status: 503 }));
    server.unref();
    return true;
  });
  return Promise.resolve({ hostname, port, url: baseUrl(hostname, port), close });
}

interface Waiter {
  readonly answer: (response: Response | Promise<Response>) => void;
  prev: Waiter | undefined;
  next: Waiter | undefined;
  linked: boolean;
}

/** A linked list: far cheaper per request than a set (no hashing). */
class WaitList {
  #head: Waiter | undefined;

  add(waiter: Waiter): void {
    waiter.next = this.#head;
    if (this.#head !== undefined) this.#head.prev = waiter;
    this.#head = waiter;
  }

  remove(waiter: Waiter): void {
    if (!waiter.linked) return;
    waiter.linked = false;
    if (waiter.prev === undefined) this.#head = waiter.next;
    else waiter.prev.next = waiter.next;
    if (waiter.next !== undefined) waiter.next.prev = waiter.prev;
  }

  answerAll(make: () => Response): void {
    for (let waiter = this.#head; waiter !== undefined; waiter = waiter.next) {
      waiter.linked = false;
      waiter.answer(make());
    }
    this.#head = undefined;
  }
}

function answerUnlessCut(answerOf: (request: Request) => Response | Promise<Response>, request: Request, waiting: WaitList): Promise<Response> {
  let answer: Response | Promise<Response>;
  try {
    answer = answerOf(request);
  } catch (error) {
    return Promise.reject(asError(error));
  }
  let waiter!: Waiter;
  const cuttable = new Promise<Response>((resolve) => {
    waiter = { answer: resolve, prev: undefined, next: undefined, linked: true };
  });
  waiting.add(waiter);
  Promise.resolve(answer).then((response) => {
    waiting.remove(waiter);
    waiter.answer(response);
  }, (error: unknown) => {
    waiting.remove(waiter);
    // Resolving with a rejected promise rejects the answer: Deno's onError makes it a plain 500.
    waiter.answer(Promise.reject(asError(error)));
  });
  return cuttable;
}
