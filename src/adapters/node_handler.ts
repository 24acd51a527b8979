/**
 * A service inside a Node.js app you already have: `tsmicroservice/node-handler`.
 * {@linkcode toNodeHandler} makes a `node:http` request listener that is also Connect-style
 * middleware (Express, Connect, Koa through `ctx.req`/`ctx.res`, plain `node:http`);
 * {@linkcode toFastifyPlugin} makes a Fastify plugin. Both hand each request to `service.fetch`
 * as a Web `Request` and write its `Response` back, so the service answers exactly as under
 * `serve()`: the same paths (relative to where it is mounted), body limits, content types, status
 * codes and JSON-RPC answers. (Frameworks built on the Web API, such as hono and Next.js route
 * handlers, take `service.fetch` itself.)
 *
 * Neither starts the service: the app's server is not the service's, so call
 * `await service.startup()` before listening when its plugins need a start (events
 * subscriptions, periodic tasks, a health check that answers 200), and `service.shutdown()` when
 * the app stops.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { Service } from "../../mod.ts";
 * import { toNodeHandler } from "./node_handler.ts";
 * const service = new Service({ name: "hello" }).publicMethod("say_hello", (name: string) => `hello ${name}`);
 * const server = createServer(toNodeHandler(service)).listen(0, "127.0.0.1"); // POST /api
 * server.close();
 * ```
 *
 * @module
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { bodyStream, drainOrClose } from "./node_streams.ts";
import type { FetchApp } from "./types.ts";

/**
 * Options of {@linkcode toNodeHandler}.
 *
 * @example
 * ```ts
 * import type { NodeHandlerOptions } from "./node_handler.ts";
 * // Koa and plain node:http do not strip a mount path: say which one to strip.
 * const options: NodeHandlerOptions = { prefix: "/rpc" };
 * ```
 */
export interface NodeHandlerOptions {
  /**
   * A path prefix to take off each request's path before the service sees it, for servers that do
   * not strip a mount path themselves (plain `node:http`, Koa). With `"/rpc"`, `POST /rpc/api`
   * reaches a service's `/api`, and a path outside `/rpc` is passed on (`next()`) or answered 404.
   * Express and Connect strip the path given to `app.use()` already: leave it out there.
   * Default: none.
   */
  readonly prefix?: string | undefined;
}

/**
 * A `node:http` request listener that is also Connect-style middleware: given a `next`, it hands
 * on what the service does not serve (its 404s) and the errors it cannot answer itself.
 *
 * @param request The Node.js request (Express's and Koa's `req` are ones).
 * @param response The Node.js response.
 * @param next Express's or Connect's `next`, when it is middleware.
 * @returns Once the answer is written (or handed on).
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { Service } from "../../mod.ts";
 * import { type NodeHandler, toNodeHandler } from "./node_handler.ts";
 * const handler: NodeHandler = toNodeHandler(new Service({ name: "s" }));
 * createServer(handler).close();
 * ```
 */
export type NodeHandler = (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void) => Promise<void>;

/**
 * Makes a Node.js request listener, and Connect-style middleware, of a service (or any
 * `{ fetch }` app): `createServer(toNodeHandler(service))`, or `app.use("/rpc",
 * toNodeHandler(service))` in Express, where the service's paths are under the mount path
 * (`/rpc/api`, `/rpc/health`; a service with `path: "/"` answers JSON-RPC at `/rpc` itself).
 *
 * - **The body.** Mounted before any body parser, the handler reads the body itself, as `serve()`
 *   does: the service's `maxBodyBytes` and content-type rules, and its JSON-RPC parse errors.
 *   Mounted after one that consumed the body (`express.json()`, `express.text()`,
 *   `express.raw()`), it takes what the parser left in `req.body` (parsed JSON is written back to
 *   JSON text) and the service answers from that; the parser's own limit (100 kB by default for
 *   `express.json()`) and its own errors (a 400 for invalid JSON) then come first. A body that
 *   was consumed and left nowhere is an error handed to `next` (a plain 500 without one).
 * - **What it does not serve.** Given `next`, a path the service answers 404 goes on to the rest
 *   of the app; without it, the 404 is sent.
 * - **A client that goes away** aborts the signal its calls see, as under `serve()`.
 *
 * @param app The service, or any app with `fetch(request)`.
 * @param options A prefix to strip from the path (for `node:http` and Koa).
 * @returns The listener.
 * @example
 * ```ts
 * import express from "express";
 * import { Service } from "../../mod.ts";
 * import { toNodeHandler } from "./node_handler.ts";
 * const service = new Service({ name: "hello" }).publicMethod("say_hello", (name: string) => `hello ${name}`);
 * const app = express();
 * app.use("/rpc", toNodeHandler(service)); // POST /rpc/api
 * app.use(express.json()); // the app's own routes after it may parse bodies as they like
 * ```
 */
export function toNodeHandler(app: FetchApp, options: NodeHandlerOptions = {}): NodeHandler {
  const prefix = options.prefix?.replace(/\/+$/, "") ?? "";
  return async (incoming, outgoing, next) => {
    const target = withoutPrefix(incoming.url ?? "/", prefix);
    if (target === undefined) {
      passOn(outgoing, next);
      return;
    }
    let response: Response;
    try {
      response = await app.fetch(toRequest(incoming, outgoing, target));
    } catch (error) {
      if (error instanceof ConsumedBodyError && next !== undefined) {
        next(error);
        return;
      }
      response = error instanceof ConsumedBodyError
        ? new Response(error.message, { status: 500, headers: { "content-type": "text/plain;charset=UTF-8" } })
        : new Response("Internal Server Error", { status: 500, headers: { "content-type": "text/plain;charset=UTF-8" } });
    }
    if (response.status === 404 && next !== undefined) {
      await response.body?.cancel().catch(() => {});
      next();
      return;
    }
    await writeResponse(response, incoming, outgoing);
  };
}

/**
 * The part of a Fastify instance {@linkcode toFastifyPlugin} uses (typed here, so the library
 * depends on no Fastify package).
 *
 * @example
 * ```ts
 * import type { FastifyInstanceLike } from "./node_handler.ts";
 * const describe = (instance: FastifyInstanceLike): string => `mounted at ${instance.prefix || "/"}`;
 * ```
 */
export interface FastifyInstanceLike {
  /** The prefix the plugin was registered with. */
  readonly prefix: string;
  /** Drops the content-type parsers (of this plugin's scope). */
  removeAllContentTypeParsers(): void;
  /** Adds a content-type parser (to this plugin's scope). */
  addContentTypeParser(
    contentType: string,
    parser: (request: unknown, payload: unknown, done: (error: Error | null, body?: unknown) => void) => void,
  ): void;
  /** Routes every HTTP method of a path. */
  all(path: string, handler: (request: { readonly raw: IncomingMessage }, reply: { readonly raw: ServerResponse; hijack(): void }) => Promise<void>): void;
}

/**
 * Makes a Fastify plugin of a service: `fastify.register(toFastifyPlugin(service), { prefix:
 * "/rpc" })` serves the service's paths under the prefix (`POST /rpc/api`). Inside the plugin's
 * scope, Fastify's body parsing is off: the service reads each body itself, with its own limits and
 * answers, as under `serve()` (the Fastify `bodyLimit` does not apply there). Other routes of the
 * app keep their parsers.
 *
 * @param app The service, or any app with `fetch(request)`.
 * @returns The plugin, to `register`.
 * @example
 * ```ts
 * import Fastify from "fastify";
 * import { Service } from "../../mod.ts";
 * import { toFastifyPlugin } from "./node_handler.ts";
 * const service = new Service({ name: "hello" }).publicMethod("say_hello", (name: string) => `hello ${name}`);
 * const fastify = Fastify();
 * await fastify.register(toFastifyPlugin(service), { prefix: "/rpc" }); // POST /rpc/api
 * await fastify.close();
 * ```
 */
export function toFastifyPlugin(app: FetchApp): (instance: FastifyInstanceLike) => Promise<void> {
  return (instance) => {
    // In this plugin's scope only: the body stays unread for the service.
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser("*", (_request, _payload, done) => {
      done(null, undefined);
    });
    const handler = toNodeHandler(app, { prefix: instance.prefix });
    const route = async (request: { readonly raw: IncomingMessage }, reply: { readonly raw: ServerResponse; hijack(): void }): Promise<void> => {
      reply.hijack(); // The handler writes the answer itself.
      await handler(request.raw, reply.raw);
    };
    instance.all("/", route);
    instance.all("/*", route);
    return Promise.resolve();
  };
}

/** Thrown when a middleware before the handler read the body and kept nothing of it. */
class ConsumedBodyError extends Error {
  constructor() {
    super(
      "tsmicroservice: the request body was read by a middleware before the service's handler and not kept in req.body: " +
        "mount toNodeHandler() before the body parser",
    );
    this.name = "ConsumedBodyError";
  }
}

/** The request target without the prefix, or `undefined` when it is outside the prefix. */
function withoutPrefix(target: string, prefix: string): string | undefined {
  if (prefix === "") return target;
  if (!target.startsWith(prefix)) return undefined;
  const rest = target.slice(prefix.length);
  if (rest === "") return "/";
  if (rest.startsWith("/")) return rest;
  return rest.startsWith("?") ? `/${rest}` : undefined;
}

/** Nothing here for this request: the next middleware's, or a 404. */
function passOn(outgoing: ServerResponse, next: ((error?: unknown) => void) | undefined): void {
  if (next !== undefined) {
    next();
    return;
  }
  outgoing.writeHead(404, { "content-type": "text/plain;charset=UTF-8" });
  outgoing.end("Not Found");
}

/** The request headers that describe a body as it was sent, wrong for a body written again. */
const BODY_FRAMING = ["content-length", "transfer-encoding", "content-encoding"];

function toRequest(incoming: IncomingMessage, outgoing: ServerResponse, target: string): Request {
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  const method = incoming.method ?? "GET";
  const host = incoming.headers.host;
  const base = `http://${host !== undefined && /^[\w.-]+(?::\d+)?$|^\[[\da-fA-F:.]+\](?::\d+)?$/.test(host) ? host : "localhost"}`;
  // A target starting with "//" is a path, not another host: resolved against the base, it would be.
  const url = target.startsWith("/") ? base + target : new URL(target, base).href;
  const abort = new AbortController();
  outgoing.once("close", () => {
    if (!outgoing.writableFinished) abort.abort();
  });
  // `duplex` is required by Node's fetch for a streamed body, and missing from the DOM typings.
  const init: RequestInit & { duplex?: "half" } = { method, headers, signal: abort.signal };
  if (method !== "GET" && method !== "HEAD") {
    const parsed = (incoming as IncomingMessage & { body?: unknown }).body;
    if (incoming.readableEnded || incoming.readableDidRead) {
      // A body parser was here first: take what it kept.
      if (parsed === undefined) throw new ConsumedBodyError();
      for (const name of BODY_FRAMING) headers.delete(name);
      init.body = typeof parsed === "string" ? parsed : parsed instanceof Uint8Array ? new Uint8Array(parsed) : JSON.stringify(parsed);
    } else {
      init.body = bodyStream(incoming);
      init.duplex = "half";
    }
  }
  return new Request(url, init);
}

async function writeResponse(response: Response, incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
  if (isGone(outgoing)) {
    await response.body?.cancel().catch(() => {});
    return;
  }
  outgoing.statusCode = response.status;
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") outgoing.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) outgoing.setHeader("set-cookie", cookies);
  // A body left unread (refused as too large, say) cannot be skipped on a kept-alive connection.
  if (!incoming.complete && !incoming.readableEnded) outgoing.setHeader("connection", "close");
  if (response.body === null) {
    outgoing.end();
    return;
  }
  try {
    for await (const chunk of response.body) {
      if (isGone(outgoing)) break;
      if (!outgoing.write(chunk)) await drainOrClose(outgoing);
    }
  } catch {
    outgoing.destroy();
    return;
  }
  outgoing.end();
}

/** Whether the connection is gone (the client went away, or the answer was cut). */
function isGone(outgoing: ServerResponse): boolean {
  return outgoing.destroyed;
}
