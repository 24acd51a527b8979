/**
 * The `webSocket()` plugin: the service's JSON-RPC path accepts a WebSocket upgrade on Node.js,
 * Deno and Bun (served by `serve()`), and speaks JSON-RPC 2.0 over it in both directions. See
 * docs/websocket.md for the wire.
 *
 * @module
 */

import type { CallContext, HeaderReader } from "../core/context.ts";
import { type DispatchTarget, targetOf } from "../core/dispatch.ts";
import { positiveLimit } from "../core/limits.ts";
import type { Handler } from "../core/method.ts";
import type { Plugin, PluginHost } from "../core/plugin.ts";
import type { JsonRpcParams } from "../protocol/messages.ts";
import { endpointOf } from "../http/endpoint_of.ts";
import { pathOf } from "../http/handler.ts";
import type { RpcEndpoint } from "../http/rpc_endpoint.ts";
import type { EndpointUpgrade } from "../http/upgrade.ts";
import { type ConnectionSettings, connectionOf, RpcConnection, watchedCall } from "./connection.ts";
import { watchStreams } from "../plugins/when_ended.ts";
import type { CallMiddleware } from "../core/call_middleware.ts";
import type { MessageSocket, MessageSocketEvents } from "./message_socket.ts";
import { acceptNodeUpgrade, type NodeRawSocket, type NodeUpgradeRequest, refuseNodeUpgrade } from "./node_socket.ts";
import { bunHandlers } from "./bun_socket.ts";
import { standardSocket, type StandardWebSocket } from "./standard_socket.ts";

/**
 * Options of {@linkcode webSocket}.
 *
 * @example
 * ```ts
 * import type { WebSocketOptions } from "./plugin.ts";
 * const options: WebSocketOptions = { maxConnections: 500, maxInFlight: 32, idleTimeout: 30_000 };
 * ```
 */
export interface WebSocketOptions {
  /** How many connections may be open at once; one more upgrade is answered 503. Default 1,000. */
  readonly maxConnections?: number | undefined;
  /** How many calls (streams included) may run at once on one connection; more get -32004. Default 64. */
  readonly maxInFlight?: number | undefined;
  /** The largest message, in bytes (a larger one closes the connection with 1009). Default: the service's `maxBodyBytes`. */
  readonly maxMessageBytes?: number | undefined;
  /** How long a connection may stay silent, in ms: a ping goes out after half of it, and no answer closes it. Default 60,000. */
  readonly idleTimeout?: number | undefined;
  /** The most bytes waiting for a peer that does not read; past it the connection is closed (1008). Default 4 MiB. */
  readonly maxBufferedBytes?: number | undefined;
  /** How long a stopping service waits for a connection's calls in flight before it closes it (1001), in ms. Default 10,000. */
  readonly closeTimeout?: number | undefined;
  /** How long a stream may last, in ms; then it ends with -32002. Default one hour. */
  readonly streamLifetime?: number | undefined;
  /**
   * The `Origin`s a browser's upgrade may come from (such as `"https://app.example"`); others are
   * answered 403. Default: any (credentials are tokens, which a page of another origin does not hold).
   */
  readonly origins?: readonly string[] | undefined;
}

/**
 * The plugin, as {@linkcode webSocket} gives it: also the service's open connections.
 *
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { webSocket, type WebSocketPlugin } from "./plugin.ts";
 * const sockets: WebSocketPlugin = webSocket();
 * new Service({ name: "prices" }).use(sockets);
 * setInterval(() => sockets.broadcast("price", [Math.random()]), 1_000);
 * ```
 */
export interface WebSocketPlugin extends Plugin {
  /** The open connections. */
  readonly connections: ReadonlySet<RpcConnection>;
  /**
   * Sends a notification on every open connection.
   *
   * @param method The notification's method.
   * @param params Its params.
   * @returns On how many connections it was sent.
   */
  broadcast(method: string, params?: JsonRpcParams): number;
}

const DEFAULT_MAX_CONNECTIONS = 1_000;
const DEFAULT_MAX_IN_FLIGHT = 64;
const DEFAULT_IDLE_TIMEOUT = 60_000;
const DEFAULT_MAX_BUFFERED = 4 * 1024 * 1024;
const DEFAULT_CLOSE_TIMEOUT = 10_000;
const DEFAULT_STREAM_LIFETIME = 3_600_000;

/** The subprotocol answered to a client that offers it (a browser must get one of those it offered). */
const SUBPROTOCOL = "jsonrpc";
/** A subprotocol that carries a token, for browsers, which cannot set headers: `bearer.<token>`. */
const TOKEN_PROTOCOL = /^bearer\.(.+)$/;

/**
 * Lets the service's JSON-RPC path accept WebSocket connections (served by `serve()` on Node.js,
 * Deno or Bun): each text message a request, a batch or an answer, as over HTTP; a streaming
 * method's items as notifications; `ctx.notify` and `ctx.connection` for the handlers.
 *
 * @param options Limits (see {@linkcode WebSocketOptions}).
 * @returns The plugin, with its open `connections` and `broadcast`.
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { streams } from "../plugins/streams/streams.ts";
 * import { webSocket } from "./plugin.ts";
 * import type { CallContext } from "../core/context.ts";
 * const service = new Service({ name: "clock" })
 *   .use(streams())
 *   .use(webSocket())
 *   .publicMethod("ticks", async function* (count: number) {
 *     for (let tick = 1; tick <= count; tick++) yield { tick };
 *   })
 *   .publicMethod("hello", (name: string, ctx: CallContext) => {
 *     ctx.notify?.("greeted", [name]);
 *     return `hello ${name}`;
 *   }, { context: true });
 * ```
 */
export function webSocket(options: WebSocketOptions = {}): WebSocketPlugin {
  const maxConnections = positiveLimit("maxConnections", options.maxConnections, DEFAULT_MAX_CONNECTIONS);
  const idleTimeout = positiveLimit("idleTimeout", options.idleTimeout, DEFAULT_IDLE_TIMEOUT);
  const closeTimeout = positiveLimit("closeTimeout", options.closeTimeout, DEFAULT_CLOSE_TIMEOUT);
  const settings: ConnectionSettings = {
    maxInFlight: positiveLimit("maxInFlight", options.maxInFlight, DEFAULT_MAX_IN_FLIGHT),
    maxBufferedBytes: positiveLimit("maxBufferedBytes", options.maxBufferedBytes, DEFAULT_MAX_BUFFERED),
    streamLifetime: positiveLimit("streamLifetime", options.streamLifetime, DEFAULT_STREAM_LIFETIME),
    stopping: () => stopping || host?.state === "stopping",
  };
  const origins = options.origins === undefined ? undefined : new Set(options.origins);
  const connections = new Set<RpcConnection>();
  let host: PluginHost | undefined;
  let target: DispatchTarget | undefined;
  // 0 until setup: then the service's maxBodyBytes, unless given.
  let maxMessageBytes = positiveLimit("maxMessageBytes", options.maxMessageBytes, 0);
  let stopping = false;
  // Upgrades admitted whose socket has not opened yet.
  let opening = 0;

  /** Whether a connection may open, and with what: the refusal, or the call headers and subprotocol. */
  const admit = (headers: HeaderReader): Refusal | Admission => {
    if (target === undefined || settings.stopping()) return { status: 503, body: "Service Unavailable: the service is stopping" };
    if (connections.size + opening >= maxConnections) return { status: 503, body: `Service Unavailable: too many WebSocket connections (at most ${maxConnections})` };
    const origin = headers.get("origin");
    if (origins !== undefined && origin !== null && !origins.has(origin)) return { status: 403, body: "Forbidden: this origin may not connect" };
    let protocol: string | undefined;
    let token: string | undefined;
    for (const offered of (headers.get("sec-websocket-protocol") ?? "").split(",")) {
      const name = offered.trim();
      if (name === SUBPROTOCOL) protocol = name;
      else token ??= TOKEN_PROTOCOL.exec(name)?.[1];
    }
    // Counted from here: the socket opens a moment later, once the runtime has answered the upgrade.
    opening++;
    let counted = true;
    const settle = (): void => {
      if (counted) opening--;
      counted = false;
    };
    return { protocol, headers: callHeaders(headers, token), settle };
  };

  /** A connection over an accepted socket, counted until it closes. */
  const open = (socket: MessageSocket, admitted: Admission): MessageSocketEvents => {
    admitted.settle();
    const connection = new RpcConnection(socket, target as DispatchTarget, admitted.headers, settings);
    connections.add(connection);
    void connection.closed.then(() => connections.delete(connection));
    return connection.events;
  };

  const seam: EndpointUpgrade = {
    node: (incoming, socket, head) => {
      const request = incoming as NodeUpgradeRequest;
      const headers = nodeHeaders(request.headers);
      const refused = pathOf(request.url ?? "/") === host?.path ? undefined : { status: 404, body: "Not Found" };
      const admitted = refused ?? admit(headers);
      if ("status" in admitted) {
        refuseNodeUpgrade(socket as NodeRawSocket, admitted.status, admitted.body);
        return;
      }
      acceptNodeUpgrade(request, socket as NodeRawSocket, head, {
        maxMessageBytes,
        idleTimeout,
        protocol: admitted.protocol,
      }, (accepted) => open(accepted, admitted), admitted.settle);
    },
    deno(request, upgradeWebSocket) {
      if (!asksForWebSocket(request)) return undefined;
      // A copy: the runtime lets go of the request's headers once the upgrade is answered.
      const admitted = admit(new Headers(request.headers));
      if ("status" in admitted) return new Response(admitted.body, { status: admitted.status });
      const { socket, response } = upgradeWebSocket(request, { idleTimeout: Math.ceil(idleTimeout / 1000) });
      // Set here, not as the option: Deno finds an offered protocol only in a list split at ", ".
      if (admitted.protocol !== undefined) response.headers.set("sec-websocket-protocol", admitted.protocol);
      standardSocket(socket as StandardWebSocket, maxMessageBytes, (accepted) => open(accepted, admitted), admitted.settle);
      return response;
    },
    bun(request, server) {
      if (!asksForWebSocket(request)) return undefined;
      const admitted = admit(new Headers(request.headers));
      if ("status" in admitted) return new Response(admitted.body, { status: admitted.status });
      const session = { open: (socket: MessageSocket) => open(socket, admitted) };
      const upgraded = (server as BunUpgrader).upgrade(request, {
        data: session,
        headers: admitted.protocol === undefined ? {} : { "sec-websocket-protocol": admitted.protocol },
      });
      if (upgraded) return null;
      admitted.settle();
      return new Response("Bad Request: not a WebSocket upgrade", { status: 400 });
    },
    get bunHandlers() {
      return bunHandlers({ maxMessageBytes, idleTimeout, maxBufferedBytes: settings.maxBufferedBytes });
    },
  };

  // Used after metrics(), openTelemetry() or callLog(): they are told a stream's end, as streams() tells them over SSE.
  const observe: CallMiddleware = watchStreams((call) => {
    const running = watchedCall(call.headers);
    return running === undefined ? undefined : {
      watch: () => {
        running.watched = true;
      },
      end: () => running.end,
    };
  });

  const plugin: WebSocketPlugin & { call?: CallMiddleware } = {
    name: "webSocket",
    get connections() {
      return connections;
    },
    broadcast(method, params) {
      let sent = 0;
      for (const connection of connections) if (connection.notify(method, params)) sent++;
      return sent;
    },
    setup(service) {
      host = service;
      target = targetOf(service as unknown as Parameters<typeof targetOf>[0]);
      const endpoint = endpointOf(service) as RpcEndpoint;
      if (maxMessageBytes === 0) maxMessageBytes = endpoint.maxBodyBytes;
      endpoint.upgrade = seam;
      // Only with observers before it: otherwise calls go on without a middleware of ours.
      if (target.call !== undefined) plugin.call = observe;
      // A stopping service ends its connections before its server drains (Node's waits for them,
      // Deno's cuts them): new calls refused, streams ended, calls in flight answered, then 1001.
      const stoppable = service as unknown as { shutdown(drain?: () => Promise<void>): Promise<void> };
      const shutdown = stoppable.shutdown.bind(stoppable);
      stoppable.shutdown = (drain) => shutdown(async () => {
        stopping = true;
        try {
          await Promise.all([...connections].map((connection) => connection.stop(closeTimeout)));
        } finally {
          stopping = false;
        }
        await drain?.();
      });
    },
    prepare(method) {
      return method.takesContext ? { ...method, handler: withConnection(method.handler) } : method;
    },
  };
  return plugin;
}

/** An upgrade refused: the HTTP status and a short text. */
interface Refusal {
  readonly status: number;
  readonly body: string;
}

/** An upgrade admitted: the subprotocol to answer, and the headers every call is checked with. */
interface Admission {
  readonly protocol: string | undefined;
  readonly headers: HeaderReader;
  /** Ends the count of this upgrade as opening (it opened, or never will). */
  readonly settle: () => void;
}


/** What the plugin uses of Bun's server. */
interface BunUpgrader {
  upgrade(request: Request, options: { data: { open(socket: MessageSocket): MessageSocketEvents }; headers: Record<string, string> }): boolean;
}

/** Whether a request asks for a WebSocket (the runtime checks the rest of the handshake). */
function asksForWebSocket(request: Request): boolean {
  return request.method === "GET" && /^websocket$/i.test(request.headers.get("upgrade") ?? "");
}

/** Node's header record as a reader (names are lower case there; repeated ones are joined). */
function nodeHeaders(headers: NodeUpgradeRequest["headers"]): HeaderReader {
  return {
    get(name) {
      const value = headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
    },
  };
}

/**
 * The headers a connection's calls are checked with: the upgrade's, with a token offered as a
 * subprotocol read as `Authorization: Bearer`, and the subprotocol list hidden (it holds the token).
 */
function callHeaders(headers: HeaderReader, token: string | undefined): HeaderReader {
  if (token === undefined) return headers;
  return {
    get(name) {
      const lower = name.toLowerCase();
      if (lower === "sec-websocket-protocol") return null;
      if (lower === "authorization") return headers.get(name) ?? `Bearer ${token}`;
      return headers.get(name);
    },
  };
}

/** A handler given `ctx.notify` and `ctx.connection` when its call came over a WebSocket. */
function withConnection(handler: Handler): Handler {
  const wrapped: Handler = (...args: never[]) => {
    const last = args.length - 1;
    const ctx = args[last] as unknown as CallContext;
    const connection = connectionOf(ctx.headers);
    if (connection !== undefined) {
      (args as unknown[])[last] = Object.create(ctx, {
        notify: { value: (method: string, params?: JsonRpcParams) => connection.notify(method, params), enumerable: true },
        connection: { value: connection, enumerable: true },
      }) as CallContext;
    }
    return handler(...args);
  };
  // Still known for what it is: `streams()` marks an `async function*` as streaming by this tag.
  const tag = (handler as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
  if (tag === "AsyncGeneratorFunction") Object.defineProperty(wrapped, Symbol.toStringTag, { value: tag });
  return wrapped;
}

