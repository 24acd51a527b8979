/**
 * A stand-in, replaced by the RFC 6455 server of the `wsnode` branch: until then, Node.js refuses
 * WebSocket upgrades with 501.
 *
 * @module
 */

import type { MessageSocket, MessageSocketEvents } from "./message_socket.ts";

/**
 * Refuses (see the module documentation).
 *
 * @param _incoming The request.
 * @param socket The socket.
 * @example
 * ```ts
 * import { acceptNodeUpgrade } from "./node_socket.ts";
 * typeof acceptNodeUpgrade; // "function"
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- the signature of the real one
export function acceptNodeUpgrade(_incoming: unknown, socket: unknown, ..._rest: [Uint8Array, { maxMessageBytes: number; idleTimeout: number; protocol: string | undefined }, (socket: MessageSocket) => MessageSocketEvents]): void {
  refuseNodeUpgrade(socket, 501, "Not Implemented");
}

/**
 * Answers an upgrade with an HTTP status and closes.
 *
 * @param socket The socket.
 * @param status The status.
 * @param body A short text.
 * @example
 * ```ts
 * import { refuseNodeUpgrade } from "./node_socket.ts";
 * typeof refuseNodeUpgrade; // "function"
 * ```
 */
export function refuseNodeUpgrade(socket: unknown, status: number, body: string): void {
  (socket as { end(text: string): void }).end(`HTTP/1.1 ${status} ${body}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}
