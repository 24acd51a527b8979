/**
 * The Node.js adapter: serves a Web fetch handler with `node:http`.
 *
 * Requests to a service's JSON-RPC path take a direct route: the body is read from the socket and
 * handed to the endpoint as text, and the answer is written as it is, with no Web `Request` or
 * `Response` built in between (on Node.js those cost more than the JSON-RPC work itself). The
 * answers are the same as through `fetch`: both routes call the same endpoint function.
 *
 * Import it as `@tsmicroservice/tsmicroservice/node` (JSR) or `tsmicroservice/node` (npm) to pin
 * the runtime. `serveNode` only listens: it never calls an app's `startup` or `shutdown`, so a
 * service's `onStart`, `onStop` and periodic tasks do not run, and its static folders have no file
 * access unless its `files` option gives one. `serve()` from the main module picks the adapter and
 * does all of that: prefer it.
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
import { INTERNAL_ERROR_REPLY, internalServerError, pathOf } from "../http/handler.ts";
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
  const state: ServerState = { closing: false, watchedSignals: 0, signalsSettled: undefined };

  const requestTimeout = options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT;
  const server = createServer({
    // The headers get requestTimeout, and the whole request the service's bodyTimeout more: Node
    // itself cuts a body that trickles in (its bare 408, then the connection closes), which costs
    // the direct path nothing per request, where watching each body in JavaScript cost ~5%.
    requestTimeout: requestTimeout + (endpoint?.bodyDeadline?.timeout ?? 0),
    headersTimeout: requestTimeout,
    // How often Node checks those timeouts: often enough that a short timeout is kept to.
    connectionsCheckingInterval: Math.min(1000, Math.max(10, Math.floor(requestTimeout / 4))),
  }, (incoming, outgoing) => {
    if (endpoint !== undefined && pathOf(incoming.url ?? "/") === endpoint.path) {
      answerDirectly(endpoint, incoming, outgoing, state);
    } else {
      void answerThroughFetch(app, hostname, incoming, outgoing, state);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_PORT, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const stop = (): Promise<void> => {
    // From now on every answer closes its connection, so the server closes once the calls in
    // flight are answered; no request is counted on the way (that would cost every request).
    state.closing = true;
    return new Promise<void>((resolve) => {
      // An answer that was already on its way keeps its connection alive: close those as they
      // become idle.
      const sweep = setInterval(() => {
        server.closeIdleConnections();
      }, CLOSE_SWEEP_MS);
      // server.close() closes the idle connections at once, and calls back once none is left;
      // then close() waits for the calls that watch their signal to have seen it abort.
      server.close(() => {
        clearInterval(sweep);
        if (state.watchedSignals === 0) resolve();
        else state.signalsSettled = resolve;
      });
    });
  };
  // Past the deadline, the calls still running lose their connections (and see their signal abort).
  const close = closeWithin(stop, options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT, () => {
    server.closeAllConnections();
    return false;
  });
  return { hostname, port, url: baseUrl(hostname, port), close };
}

/** How often `close()` looks for connections that became idle, in ms. */
const CLOSE_SWEEP_MS = 10;

/** What every request of one server shares. */
interface ServerState {
  /** Whether `close()` has begun: answers then close their connections. */
  closing: boolean;
  /** How many abort signals handed out still wait for their response to close. */
  watchedSignals: number;
  /** Called when the last of them has. */
  signalsSettled: (() => void) | undefined;
}

/** Node's request headers, read the way Web `Headers` are (any case). */
class NodeHeaders implements HeaderReader {
  readonly #incoming: IncomingMessage;

  constructor(incoming: IncomingMessage) {
    this.#incoming = incoming;
  }

  get(name: string): string | null {
    const lower = name.toLowerCase();
    const value = this.#incoming.headers[lower];
    if (value === undefined) return null;
    if (Array.isArray(value)) return value.join(", ");
    if (!KEPT_ONCE.has(lower)) return value;
    // Node keeps only the first of these when they repeat; Web Headers (Deno, Bun, fetch) join them
    // all. Joined here too, a repeated Content-Type or Authorization is as ambiguous, and as
    // refused, on every runtime.
    const raw = this.#incoming.rawHeaders;
    let joined: string | undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const key = raw[i] as string;
      if (key.length === lower.length && key.toLowerCase() === lower) joined = joined === undefined ? raw[i + 1] : `${joined}, ${raw[i + 1] as string}`;
    }
    return joined ?? value;
  }
}

/** The request headers of which Node.js keeps only the first when they repeat (the ones read here). */
const KEPT_ONCE = new Set(["authorization", "content-type", "content-length"]);

/**
 * An abort signal that fires when the client goes away before its answer is written. The server
 * counts the signals still watching, so `close()` resolves only once they have fired.
 */
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

/** Where an exchange keeps itself on its request, so the body listeners need no closure (a private key: no description needed). */
const EXCHANGE = Symbol();
type CarryingRequest = IncomingMessage & { [EXCHANGE]?: DirectExchange | undefined };

/**
 * A request to the JSON-RPC path, answered straight from `node:http`: the body is collected from
 * the request's events and handed to the endpoint as text, and its answer is written with one
 * `writeHead` and one `end`. A sync call is answered within the request's `end` event.
 */
class DirectExchange implements RequestContext {
  declare readonly headers: NodeHeaders;
  readonly #endpoint: RpcEndpoint;
  readonly #incoming: IncomingMessage;
  readonly #outgoing: ServerResponse;
  readonly #state: ServerState;
  #signal: AbortSignal | undefined;
  readonly #body: BodyChunks;

  constructor(endpoint: RpcEndpoint, incoming: IncomingMessage, outgoing: ServerResponse, state: ServerState) {
    this.headers = new NodeHeaders(incoming);
    this.#endpoint = endpoint;
    this.#incoming = incoming;
    this.#outgoing = outgoing;
    this.#state = state;
    this.#body = new BodyChunks(endpoint.maxBodyBytes);
  }

  /** Made on first use only: most calls never look at it. */
  get signal(): AbortSignal {
    this.#signal ??= closeSignal(this.#outgoing, this.#state);
    return this.#signal;
  }

  start(): void {
    const incoming = this.#incoming;
    const early = this.#endpoint.answerHead(incoming.method ?? "GET", this.headers);
    if (early !== undefined) {
      this.send(early);
      return;
    }
    const limit = this.#endpoint.maxBodyBytes;
    if (Number(incoming.headers["content-length"]) > limit) {
      this.send(this.#endpoint.answerUnreadBody(new BodyTooLargeError(limit), this.headers));
      return;
    }
    (incoming as CarryingRequest)[EXCHANGE] = this;
    incoming.on("data", onBodyData);
    incoming.on("end", onBodyEnd);
    // A client that goes away while sending, or that Node cuts off as too slow, is not answered
    // here: its request emits no `end`, and the exchange ends with it.
  }

  /** One more piece of the body; past the limit, the rest is not read. */
  take(chunk: Buffer): void {
    if (!this.#body.add(chunk)) this.#refuseBody(new BodyTooLargeError(this.#endpoint.maxBodyBytes));
  }

  /** Stops reading the body and answers why; the connection closes after the answer. */
  #refuseBody(error: Error): void {
    const incoming = this.#incoming;
    incoming.off("data", onBodyData);
    incoming.off("end", onBodyEnd);
    (incoming as CarryingRequest)[EXCHANGE] = undefined;
    incoming.pause();
    this.send(this.#endpoint.answerUnreadBody(error, this.headers));
  }

  /** The whole body is there: answer it. */
  finish(): void {
    let text: string;
    const bytes = this.#body.bytes();
    try {
      text = bodyText(bytes, this.#endpoint.maxBodyBytes);
    } catch (error) {
      this.send(this.#endpoint.answerUnreadBody(error, this.headers));
      return;
    }
    let reply: PlainReply | Promise<PlainReply>;
    try {
      reply = this.#endpoint.answerBody(text, this, bytes.byteLength);
    } catch {
      reply = INTERNAL_ERROR_REPLY;
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

  /** Writes an answer in one go: status and headers (with the body's length), then the body. */
  send(reply: PlainReply): void {
    const outgoing = this.#outgoing;
    if (outgoing.destroyed) return;
    // A flat list of names and values: on Node.js 20, writing an object made by a spread here costs
    // several µs per request, a list nothing measurable.
    const headers: (string | number)[] = [];
    for (const name in reply.headers) headers.push(name, reply.headers[name] as string);
    if (reply.body !== null) headers.push("content-length", Buffer.byteLength(reply.body));
    // A body left unread (refused as too large, say) cannot be skipped on a kept-alive connection.
    if ((this.#state.closing || !this.#incoming.complete) && reply.headers["connection"] === undefined) headers.push("connection", "close");
    outgoing.writeHead(reply.status, headers as string[]);
    if (reply.body === null) outgoing.end();
    else outgoing.end(reply.body);
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

function answerDirectly(endpoint: RpcEndpoint, incoming: IncomingMessage, outgoing: ServerResponse, state: ServerState): void {
  new DirectExchange(endpoint, incoming, outgoing, state).start();
}

/** Any other request: a Web `Request` for the app's `fetch`, and its `Response` written back. */
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
  // A target starting with "//" is a path, not another host: resolved against the base, it would be.
  const url = (target.startsWith("/") ? new URL(base + target) : new URL(target, base)).href;
  // `duplex` is required by Node's fetch for a streamed body, and missing from the DOM typings.
  const init: RequestInit & { duplex?: "half" } = { method, headers, signal: closeSignal(outgoing, state) };
  if (method !== "GET" && method !== "HEAD") {
    init.body = bodyStream(incoming);
    init.duplex = "half";
  }
  return new Request(url, init);
}

/** The Host header when it looks like a host (it comes from the client, so it is checked). */
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
    const second = await reader.read();
    if (second.done) {
      // A body of one chunk goes out in one write with its length: no chunked framing, and no
      // small writes for Nagle's algorithm and delayed ACKs to stall on.
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
