/**
 * The Node.js adapter: serves a Web fetch handler with `node:http`.
 *
 * @module
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  baseUrl,
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
 * @param options Where to listen.
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
  let inFlight = 0;
  let closing = false;
  let drained: (() => void) | undefined;

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
    void respond(app, incoming, outgoing, hostname, () => closing);
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
      // Connections that were busy become idle once their answer is written: close them then.
      return finished.then(() => {
        server.closeIdleConnections();
        return closed;
      });
    },
  };
}

async function respond(
  app: FetchApp,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  hostname: string,
  isClosing: () => boolean,
): Promise<void> {
  const abort = new AbortController();
  outgoing.once("close", () => {
    if (!outgoing.writableFinished) abort.abort();
  });
  let response: Response;
  try {
    response = await app.fetch(toRequest(incoming, hostname, abort.signal));
  } catch {
    response = new Response("Internal Server Error", { status: 500 });
  }
  if (outgoing.destroyed) {
    await response.body?.cancel().catch(() => {});
    return;
  }
  // A body left unread (refused as too large, say) cannot be skipped on a kept-alive connection.
  if (isClosing() || !incoming.complete) outgoing.setHeader("connection", "close");
  await writeResponse(response, outgoing);
}

function toRequest(incoming: IncomingMessage, hostname: string, signal: AbortSignal): Request {
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  const method = incoming.method ?? "GET";
  const url = new URL(incoming.url ?? "/", `http://${safeHost(incoming.headers.host) ?? hostname}`).href;
  const hasBody = method !== "GET" && method !== "HEAD";
  // `duplex` is required by Node's fetch for a streamed body, and missing from the DOM typings.
  const init: RequestInit & { duplex?: "half" } = { method, headers, signal };
  if (hasBody) {
    init.body = bodyStream(incoming);
    init.duplex = "half";
  }
  return new Request(url, init);
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
  try {
    for await (const chunk of response.body) {
      if (outgoing.destroyed) break;
      if (!outgoing.write(chunk)) await drainOrClose(outgoing);
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
