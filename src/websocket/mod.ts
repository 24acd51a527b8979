/**
 * `tsmicroservice/websocket`: JSON-RPC 2.0 over a WebSocket, both ways on one connection. On the
 * server, {@linkcode webSocket} lets the service's JSON-RPC path accept an upgrade on Node.js
 * (our own RFC 6455 server: no dependency), Deno and Bun; on the client, {@linkcode openWebSocket}
 * is an upstream `createClient` and `connect` call through, with the runtime's `WebSocket`.
 * See docs/websocket.md for the wire.
 *
 * @example
 * ```ts
 * import { connect, Service } from "../../mod.ts";
 * import { streams } from "../plugins/streams/streams.ts";
 * import { openWebSocket, webSocket } from "./mod.ts";
 * const service = new Service({ name: "clock" })
 *   .use(streams())
 *   .use(webSocket())
 *   .publicMethod("ticks", async function* (count: number) {
 *     for (let tick = 1; tick <= count; tick++) yield { tick };
 *   });
 * // elsewhere, once it is served:
 * const socket = openWebSocket("ws://127.0.0.1:5000/api");
 * const remote = await connect<typeof service>(socket, { streams: socket.streams });
 * for await (const { tick } of remote.methods.ticks(3)) console.log(tick);
 * ```
 *
 * @module
 */

export { webSocket, type WebSocketOptions, type WebSocketPlugin } from "./plugin.ts";
export { type ConnectionSettings, RpcConnection } from "./connection.ts";
export { openWebSocket, type WebSocketClient } from "./client.ts";
export type { CallHandler, NotificationHandler } from "./client_peer.ts";
export type { DialOptions, WebSocketConstructor, WebSocketLike } from "./client_socket.ts";
export type { ReconnectOptions, WebSocketClientOptions, WebSocketState } from "./client_wire.ts";
export type { MessageSocket, MessageSocketEvents } from "./message_socket.ts";
export type { CallerConnection } from "../core/context.ts";
