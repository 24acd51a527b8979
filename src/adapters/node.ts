/**
 * The Node.js adapter: serves a Web fetch handler with `node:http`.
 *
 * Requests to the JSON-RPC path skip the Web `Request` and `Response` (on Node.js they cost more
 * than the JSON-RPC work): the body goes to the endpoint as text and its answer is written as is,
 * the same answers as through `fetch`.
 *
 * Import it as `@tsmicroservice/tsmicroservice/node` (JSR) or `tsmicroservice/node` (npm) to pin
 * the runtime. `serveNode` only listens: no `startup` or `shutdown`, so no `onStart`, `onStop`,
 * periodic tasks, or file access for static folders (unless `staticFiles()`'s `files` gives one).
 * Prefer `serve()`, which does all of that.
 *
 * @example
 * ```ts
 * import { serveNode } from "./node.ts";
 * import { Service } from "../core/service.ts";
 * const service = new Service({ name: "hello" }).publicMethod("say_hello", (name: string) => `hello ${name}`);
 * const server = await serveNode(service, { port: 0 });
 * console.log(`${server.url}/api`);
 * await server.close();
 * ```
 *
 * @module
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { INTERNAL_ERROR_REPLY, internalServerError, pathOf, toResponse } from "../http/handler.ts";
import { BodyChunks, bodyText, BodyTooLargeError } from "../http/read_body.ts";
import { endpointOf } from "../http/endpoint_of.ts";
import type { PlainReply, RpcEndpoint } from "../http/rpc_endpoint.ts";
import type { HeaderReader, RequestContext } from "../core/context.ts";
import { bodyStream, drainOrClose } from "./node_streams.ts";
import { closeWithin } from "./shared.ts";
import {
  baseUrl,
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_HOSTNAME,
  DEFAULT_PORT,
  DEFAULT_REQUEST_TIMEOUT,
  type FetchApp,
  type ServeOptions,
  type ServerHandle,
} from "./types.ts";

/**
 * Serves an app with `node:http`.
 *
 * @param app A service, or anything with a `fetch(request)` method.
 * @param options Where to listen, how long a client may take to send a request, and how long
 *   `close()` waits for calls in flight.
 * @returns The running server, once it listens.
 * @throws When the address cannot be listened on (for example, the port is taken).
 * @example
 * ```ts
 * import { serveNode } from "./node.ts";
 * const server = await serveNode({ fetch: () => new Response("hi") }, { port: 0 });
 * console.log(server.url);
 * await server.close();
 * ```
 */
export async function serveNode(app: FetchApp, options: ServeOptions = {}): Promise<ServerHandle> {
  const hostname = options.hostname ?? DEFAULT_HOSTNAME;
  const endpoint = endpointOf(app);
  const state: ServerState = { closing: false, watchedSignals: 0 };

  const requestTimeout = options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT;
  const server = createServer({
    // Node's own timeout cuts a trickling body (bare 408): free, where a JavaScript watch cost ~5%.
    requestTimeout: requestTimeout + (endpoint?.bodyDeadline?.timeout ?? 0),
    headersTimeout: requestTimeout,
    connectionsCheckingInterval: Math.min(1000, Math.max(10, Math.floor(requestTimeout / 4))),
  }, (incoming, outgoing) => {
    if (endpoint !== undefined && pathOf(incoming.url ?? "/") === endpoint.path) {
      new DirectExchange(endpoint, incoming, outgoing, state).start();
    } else {
      void answerThroughFetch(app, hostname, incoming, outgoing, state);
    }
  });

  // Only with a seam: a server that listens for upgrades answers no upgrade request as a plain one.
  if (endpoint?.upgrade) server.on("upgrade", endpoint.upgrade.node);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_PORT, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const stop = (): Promise<void> => {
    // Every answer now closes its connection: no per-request counting needed to drain.
    state.closing = true;
    return new Promise<void>((resolve) => {
      // Answers already on their way keep their connection alive: close those once idle.
      const sweep = setInterval(() => {
        server.closeIdleConnections();
      }, CLOSE_SWEEP_MS);
      // Then wait for the calls watching their signal to have seen it abort.
      server.close(() => {
        clearInterval(sweep);
        if (state.watchedSignals === 0) resolve();
        else state.signalsSettled = resolve;
      });
    });
  };
  const close = closeWithin(stop, options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT, () => {
    server.closeAllConnections();
    return false;
  });
  return { hostname, port, url: baseUrl(hostname, port), close };
}

const CLOSE_SWEEP_MS = 10;

interface ServerState {
  closing: boolean;
  // Abort signals handed out whose response has not closed yet; close() waits for them.
  watchedSignals: number;
  signalsSettled?: (() => void) | undefined;
}

/** The request's headers as Web `Headers.get` gives them, read from Node's without a copy. */
function nodeHeaders(incoming: IncomingMessage): HeaderReader {
  return {
    get(name: string): string | null {
      const lower = name.toLowerCase();
      const value = incoming.headers[lower];
      if (value === undefined) return null;
      if (Array.isArray(value)) return value.join(", ");
      if (!KEPT_ONCE.has(lower)) return value;
      // Node keeps only the first of these; Web Headers join repeats, so a repeated one is refused alike everywhere.
      const raw = incoming.rawHeaders;
      let joined: string | undefined;
      for (let i = 0; i < raw.length; i += 2) {
        const key = raw[i] as string;
        if (key.length === lower.length && key.toLowerCase() === lower) joined = joined === undefined ? raw[i + 1] : `${joined}, ${raw[i + 1] as string}`;
      }
      return joined ?? value;
    },
  };
}

const KEPT_ONCE = new Set(["authorization", "content-type", "content-length"]);

/** Counted, so that `close()` resolves only once every such signal has settled. */
function closeSignal(outgoing: ServerResponse, state: ServerState): AbortSignal {
  const abort = new AbortController();
  if (outgoing.destroyed) {
    if (!outgoing.writableFinished) abort.abort();
  } else {
    state.watchedSignals++;
    outgoing.once("close", () => {
      if (!outgoing.writableFinished) abort.abort();
      state.watchedSignals--;
      if (state.watchedSignals === 0) state.signalsSettled?.();
    });
  }
  return abort.signal;
}

// Kept on the request, so the body listeners need no closure.
const EXCHANGE = Symbol();
type CarryingRequest = IncomingMessage & { [EXCHANGE]?: DirectExchange | undefined };

class DirectExchange implements RequestContext {
  declare readonly headers: HeaderReader;
  readonly #endpoint: RpcEndpoint;
  readonly #incoming: IncomingMessage;
  readonly #outgoing: ServerResponse;
  readonly #state: ServerState;
  #signal: AbortSignal | undefined;
  readonly #body: BodyChunks;

  constructor(endpoint: RpcEndpoint, incoming: IncomingMessage, outgoing: ServerResponse, state: ServerState) {
    this.headers = nodeHeaders(incoming);
    this.#endpoint = endpoint;
    this.#incoming = incoming;
    this.#outgoing = outgoing;
    this.#state = state;
    this.#body = new BodyChunks(endpoint.maxBodyBytes);
  }

  // Made on first use: most calls never look at it.
  get signal(): AbortSignal {
    return (this.#signal ??= closeSignal(this.#outgoing, this.#state));
  }

  start(): void {
    const incoming = this.#incoming;
    const early = this.#endpoint.answerHead(incoming.method ?? "GET", this.headers);
    const limit = this.#endpoint.maxBodyBytes;
    if (early !== undefined) {
      this.send(early);
    } else if (Number(incoming.headers["content-length"]) > limit) {
      this.send(this.#endpoint.answerUnreadBody(new BodyTooLargeError(limit), this.headers));
    } else {
      (incoming as CarryingRequest)[EXCHANGE] = this;
      incoming.on("data", onBodyData);
      incoming.on("end", onBodyEnd);
      // A client that leaves, or that Node cuts off, emits no `end`: nothing to answer.
    }
  }

  take(chunk: Buffer): void {
    if (this.#body.add(chunk)) return;
    // Too large: stop reading, answer 413.
    const incoming = this.#incoming;
    incoming.off("data", onBodyData);
    incoming.off("end", onBodyEnd);
    (incoming as CarryingRequest)[EXCHANGE] = undefined;
    incoming.pause();
    this.send(this.#endpoint.answerUnreadBody(new BodyTooLargeError(this.#endpoint.maxBodyBytes), this.headers));
  }

  finish(): void {
    const bytes = this.#body.bytes();
    let reply: PlainReply | Promise<PlainReply>;
    try {
      const text = bodyText(bytes, this.#endpoint.maxBodyBytes);
      try {
        reply = this.#endpoint.answerBody(text, this, bytes.byteLength);
      } catch {
        reply = INTERNAL_ERROR_REPLY;
      }
    } catch (error) {
      // Not text: the body's own refusal (413, or -32700 for bytes that are not UTF-8).
      reply = this.#endpoint.answerUnreadBody(error, this.headers);
    }
    if (reply instanceof Promise) {
      reply.then((settled) => {
        this.send(settled);
      }, () => {
        this.send(INTERNAL_ERROR_REPLY);
      });
    } else {
      this.send(reply);
    }
  }

  send(reply: PlainReply): void {
    const outgoing = this.#outgoing;
    if (outgoing.destroyed) return;
    // A stream's events (the streams plugin's) go out as they come, as a fetch answer's body does.
    if (typeof reply.body === "object" && reply.body !== null) {
      void writeResponse(toResponse(reply), outgoing);
      return;
    }
    // A flat list: on Node.js 20 an object made by a spread costs several µs per request here.
    const headers: (string | number)[] = [];
    for (const name in reply.headers) headers.push(name, reply.headers[name] as string);
    if (reply.body !== null) headers.push("content-length", Buffer.byteLength(reply.body));
    // An unread body (refused as too large, say) cannot be skipped on a kept-alive connection.
    if ((this.#state.closing || !this.#incoming.complete) && reply.headers["connection"] === undefined) headers.push("connection", "close");
    outgoing.writeHead(reply.status, headers as string[]);
    outgoing.end(reply.body ?? undefined);
  }
}


function onBodyData(this: CarryingRequest, chunk: Buffer): void {
  this[EXCHANGE]?.take(chunk);
}

function onBodyEnd(this: CarryingRequest): void {
  const exchange = this[EXCHANGE];
  this[EXCHANGE] = undefined;
  exchange?.finish();
}

async function answerThroughFetch(
  app: FetchApp,
  hostname: string,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  state: ServerState,
): Promise<void> {
  let response: Response;
  try {
    response = await app.fetch(toRequest(incoming, outgoing, hostname, state));
  } catch {
    response = internalServerError();
  }
  if (outgoing.destroyed) {
    await response.body?.cancel().catch(() => {});
    return;
  }
  // A body left unread cannot be skipped on a kept-alive connection.
  if (state.closing || !incoming.complete) outgoing.setHeader("connection", "close");
  await writeResponse(response, outgoing);
}

function toRequest(incoming: IncomingMessage, outgoing: ServerResponse, hostname: string, state: ServerState): Request {
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  const method = incoming.method ?? "GET";
  const target = incoming.url ?? "/";
  const base = `http://${safeHost(incoming.headers.host) ?? hostname}`;
  // A target starting with "//" is a path; resolved against the base, it would become a host.
  const url = (target.startsWith("/") ? new URL(base + target) : new URL(target, base)).href;
  // `duplex` is required by Node's fetch for a streamed body, and missing from the DOM typings.
  const init: RequestInit & { duplex?: "half" } = { method, headers, signal: closeSignal(outgoing, state) };
  if (method !== "GET" && method !== "HEAD") {
    init.body = bodyStream(incoming);
    init.duplex = "half";
  }
  return new Request(url, init);
}

// The Host header comes from the client: checked before it goes into a URL.
function safeHost(host: string | undefined): string | undefined {
  return host !== undefined && /^[\w.-]+(?::\d+)?$|^\[[\da-fA-F:.]+\](?::\d+)?$/.test(host) ? host : undefined;
}

async function writeResponse(response: Response, outgoing: ServerResponse): Promise<void> {
  outgoing.statusCode = response.status;
  const cookies = response.headers.getSetCookie();
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") outgoing.setHeader(name, value);
  }
  if (cookies.length > 0) outgoing.setHeader("set-cookie", cookies);
  if (response.body === null) {
    outgoing.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    const first = await reader.read();
    if (first.done) {
      outgoing.end();
      return;
    }
    // (An event stream starts with two chunks at once, so its first is not held back here.)
    const second = await reader.read();
    if (second.done) {
      // One write with its length: no chunked framing, no small writes for Nagle and delayed ACKs to stall on.
      if (!outgoing.hasHeader("content-length")) outgoing.setHeader("content-length", first.value.byteLength);
      outgoing.end(first.value);
      return;
    }
    outgoing.write(first.value);
    for (let next: ReadableStreamReadResult<Uint8Array> = second; !next.done; next = await reader.read()) {
      if (outgoing.destroyed) {
        await reader.cancel();
        return;
      }
      if (!outgoing.write(next.value)) await drainOrClose(outgoing);
    }
  } catch {
    outgoing.destroy();
    return;
  }
  outgoing.end();
}
