/**
 * The Node.js adapter: serves a Web fetch handler with `node:http`.
 *
 * Requests to a service's JSON-RPC path take a direct route: the body is read from the socket and
 * handed to the endpoint as text, and the answer is written as it is, with no Web `Request` or
 * `Response` built in between (on Node.js those cost more than the JSON-RPC work itself). The
 * answers are the same as through `fetch`: both routes call the same endpoint function.
 *
 * @module
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathOf } from "../http/handler.ts";
import { BodyTooLargeError, decodeUtf8 } from "../http/read_body.ts";
import type { PlainReply, RpcEndpoint, RpcHttpRequest } from "../http/rpc_endpoint.ts";
import type { HeaderReader } from "../service/context.ts";
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
  const endpoint = rpcEndpointOf(app);
  let inFlight = 0;
  let closing = false;
  let drained: (() => void) | undefined;
  let closeStarted: Promise<void> | undefined;
  const closeTimeout = options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;

  const requestTimeout = options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT;
  const server = createServer({
    requestTimeout,
    headersTimeout: requestTimeout,
    // How often Node checks those timeouts: often enough that a short timeout is kept to.
    connectionsCheckingInterval: Math.min(1000, Math.max(10, requestTimeout / 4)),
  }, (incoming, outgoing) => {
    inFlight++;
    outgoing.once("close", () => {
      inFlight--;
      if (inFlight === 0) drained?.();
    });
    const exchange = new Exchange(incoming, outgoing, () => closing);
    if (endpoint !== undefined && pathOf(incoming.url ?? "/") === endpoint.path) {
      void exchange.answerDirectly(endpoint);
    } else {
      void exchange.answerThroughFetch(app, hostname);
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

  return {
    hostname,
    port,
    url: baseUrl(hostname, port),
    close(): Promise<void> {
      if (closeStarted !== undefined) return closeStarted;
      closing = true;
      const closed = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      server.closeIdleConnections();
      const finished = inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => {
        drained = resolve;
      });
      // Past the deadline, the calls still running lose their connections (and see their signal abort).
      const deadline = setTimeout(() => {
        server.closeAllConnections();
      }, closeTimeout);
      // Connections that were busy become idle once their answer is written: close them then.
      closeStarted = finished.then(() => {
        clearTimeout(deadline);
        server.closeIdleConnections();
        return closed;
      });
      return closeStarted;
    },
  };
}

/** The app's JSON-RPC endpoint, when it has one (a Service does). */
function rpcEndpointOf(app: FetchApp): RpcEndpoint | undefined {
  const candidate = app as Partial<RpcEndpoint>;
  return typeof candidate.path === "string" && typeof candidate.answerRpc === "function" ? (candidate as RpcEndpoint) : undefined;
}

/** One request and its response. */
class Exchange implements RpcHttpRequest {
  readonly #incoming: IncomingMessage;
  readonly #outgoing: ServerResponse;
  readonly #isClosing: () => boolean;
  #abort: AbortController | undefined;

  constructor(incoming: IncomingMessage, outgoing: ServerResponse, isClosing: () => boolean) {
    this.#incoming = incoming;
    this.#outgoing = outgoing;
    this.#isClosing = isClosing;
  }

  get method(): string {
    return this.#incoming.method ?? "GET";
  }

  readonly headers: HeaderReader = {
    get: (name: string): string | null => {
      const value = this.#incoming.headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(", ") : value;
    },
  };

  /** Made on first use only: most calls never look at it. */
  get signal(): AbortSignal {
    if (this.#abort === undefined) {
      const abort = new AbortController();
      this.#abort = abort;
      if (this.#outgoing.destroyed && !this.#outgoing.writableFinished) abort.abort();
      else {
        this.#outgoing.once("close", () => {
          if (!this.#outgoing.writableFinished) abort.abort();
        });
      }
    }
    return this.#abort.signal;
  }

  readBody(limit: number): Promise<string> {
    const incoming = this.#incoming;
    const declared = Number(incoming.headers["content-length"]);
    if (declared > limit) return Promise.reject(new BodyTooLargeError(limit));
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer): void => {
        size += chunk.byteLength;
        if (size > limit) {
          cleanUp();
          // Stop reading: the answer is 413, and the connection closes after it.
          incoming.pause();
          reject(new BodyTooLargeError(limit));
        } else {
          chunks.push(chunk);
        }
      };
      const onEnd = (): void => {
        cleanUp();
        try {
          resolve(decodeUtf8(chunks.length === 1 ? chunks[0] as Buffer : Buffer.concat(chunks, size)));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      };
      const onGone = (): void => {
        cleanUp();
        reject(new Error("The client went away while sending"));
      };
      const cleanUp = (): void => {
        incoming.off("data", onData);
        incoming.off("end", onEnd);
        incoming.off("error", onGone);
        incoming.off("aborted", onGone);
      };
      incoming.on("data", onData);
      incoming.on("end", onEnd);
      incoming.on("error", onGone);
      incoming.on("aborted", onGone);
    });
  }

  async answerDirectly(endpoint: RpcEndpoint): Promise<void> {
    let reply: PlainReply;
    try {
      reply = await endpoint.answerRpc(this);
    } catch {
      reply = { status: 500, headers: { "content-type": "text/plain;charset=UTF-8" }, body: "Internal Server Error" };
    }
    const outgoing = this.#outgoing;
    if (outgoing.destroyed) return;
    for (const [name, value] of Object.entries(reply.headers)) outgoing.setHeader(name, value);
    this.#keepAliveOrNot();
    outgoing.statusCode = reply.status;
    if (reply.body === null) {
      outgoing.end();
    } else {
      outgoing.setHeader("content-length", Buffer.byteLength(reply.body));
      outgoing.end(reply.body);
    }
  }

  async answerThroughFetch(app: FetchApp, hostname: string): Promise<void> {
    let response: Response;
    try {
      response = await app.fetch(this.#toRequest(hostname));
    } catch {
      response = new Response("Internal Server Error", { status: 500 });
    }
    if (this.#outgoing.destroyed) {
      await response.body?.cancel().catch(() => {});
      return;
    }
    this.#keepAliveOrNot();
    await writeResponse(response, this.#outgoing);
  }

  /** A body left unread (refused as too large, say) cannot be skipped on a kept-alive connection. */
  #keepAliveOrNot(): void {
    if (this.#isClosing() || !this.#incoming.complete) this.#outgoing.setHeader("connection", "close");
  }

  #toRequest(hostname: string): Request {
    const incoming = this.#incoming;
    const headers = new Headers();
    const raw = incoming.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
    const method = this.method;
    const url = new URL(incoming.url ?? "/", `http://${safeHost(incoming.headers.host) ?? hostname}`).href;
    // `duplex` is required by Node's fetch for a streamed body, and missing from the DOM typings.
    const init: RequestInit & { duplex?: "half" } = { method, headers, signal: this.signal };
    if (method !== "GET" && method !== "HEAD") {
      init.body = bodyStream(incoming);
      init.duplex = "half";
    }
    return new Request(url, init);
  }
}

/** The Host header when it looks like a host (it comes from the client, so it is checked). */
function safeHost(host: string | undefined): string | undefined {
  return host !== undefined && /^[\w.-]+(?::\d+)?$|^\[[\da-fA-F:.]+\](?::\d+)?$/.test(host) ? host : undefined;
}

/** A Web stream over the request body, pausing the socket while the reader is behind. */
function bodyStream(incoming: IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      incoming.on("data", (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) incoming.pause();
      });
      incoming.once("end", () => {
        controller.close();
      });
      incoming.once("error", (error) => {
        controller.error(error);
      });
      incoming.once("aborted", () => {
        controller.error(new Error("The client aborted the request"));
      });
    },
    pull() {
      incoming.resume();
    },
    cancel() {
      incoming.pause();
    },
  }, { highWaterMark: 1 });
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

/** Waits until the socket takes more data, or is gone. */
function drainOrClose(outgoing: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      outgoing.off("drain", done);
      outgoing.off("close", done);
      resolve();
    };
    outgoing.once("drain", done);
    outgoing.once("close", done);
  });
}
