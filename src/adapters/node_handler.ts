/**
 * A service inside an existing Node.js app (`tsmicroservice/node-handler`):
 * {@linkcode toNodeHandler} for `node:http`, Express, Connect and Koa, {@linkcode toFastifyPlugin}
 * for Fastify. Both go through `service.fetch`, so the service answers exactly as under `serve()`,
 * relative to where it is mounted. (Web-API frameworks such as hono take `service.fetch` itself.)
 *
 * Neither starts the service: call `await service.startup()` before listening when its plugins
 * need a start, and `service.shutdown()` when the app stops.
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
   * A prefix to strip from each path, for servers that do not strip a mount path (`node:http`,
   * Koa; not Express or Connect). With `"/rpc"`, `POST /rpc/api` reaches `/api`; paths outside are
   * passed on (`next()`) or answered 404. Default: none.
   */
  readonly prefix?: string | undefined;
}

/**
 * A `node:http` request listener that is also Connect-style middleware: given a `next`, it hands
 * on the service's 404s and the errors it cannot answer.
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
 * Makes a Node.js request listener and Connect-style middleware of a service (or any `{ fetch }`
 * app): `createServer(toNodeHandler(service))`, or `app.use("/rpc", toNodeHandler(service))` in
 * Express, serving the service's paths under the mount path (`/rpc/api`).
 *
 * - **The body.** Before any body parser, the service reads it with its own limits and errors, as
 *   under `serve()`. After one (`express.json()`, `.text()`, `.raw()`), it answers from `req.body`
 *   (parsed JSON re-serialised), and the parser's limit and errors come first. A body consumed and
 *   kept nowhere is an error for `next` (a plain 500 without one).
 * - **Not served.** Given `next`, the service's 404s go on to the rest of the app.
 * - **A client that goes away** aborts its calls' signal, as under `serve()`.
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
 * The part of a Fastify instance {@linkcode toFastifyPlugin} uses (so no Fastify package is needed).
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
 * "/rpc" })` serves its paths under the prefix (`POST /rpc/api`). In the plugin's scope Fastify's
 * body parsing (and `bodyLimit`) is off: the service reads bodies itself, as under `serve()`.
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

class ConsumedBodyError extends Error {
  constructor() {
    super(
      "tsmicroservice: the request body was read by a middleware before the service's handler and not kept in req.body: " +
        "mount toNodeHandler() before the body parser",
    );
    this.name = "ConsumedBodyError";
  }
}

function withoutPrefix(target: string, prefix: string): string | undefined {
  if (prefix === "") return target;
  if (!target.startsWith(prefix)) return undefined;
  const rest = target.slice(prefix.length);
  if (rest === "") return "/";
  if (rest.startsWith("/")) return rest;
  return rest.startsWith("?") ? `/${rest}` : undefined;
}

function passOn(outgoing: ServerResponse, next: ((error?: unknown) => void) | undefined): void {
  if (next !== undefined) {
    next();
    return;
  }
  outgoing.writeHead(404, { "content-type": "text/plain;charset=UTF-8" });
  outgoing.end("Not Found");
}

// They describe the body as sent, wrong for a body re-serialised from req.body.
const BODY_FRAMING = ["content-length", "transfer-encoding", "content-encoding"];

function toRequest(incoming: IncomingMessage, outgoing: ServerResponse, target: string): Request {
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  const method = incoming.method ?? "GET";
  const host = incoming.headers.host;
  const base = `http://${host !== undefined && /^[\w.-]+(?::\d+)?$|^\[[\da-fA-F:.]+\](?::\d+)?$/.test(host) ? host : "localhost"}`;
  // A target starting with "//" is a path; resolved against the base, it would become a host.
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
  // An unread body cannot be skipped on a kept-alive connection.
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

function isGone(outgoing: ServerResponse): boolean {
  return outgoing.destroyed;
}
