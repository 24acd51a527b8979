/**
 * One WebSocket connection as the JSON-RPC connection of `tsmicroservice/websocket` uses it,
 * whatever serves it: our RFC 6455 server on a Node.js socket, `Deno.upgradeWebSocket`'s socket,
 * or a `Bun.serve` websocket. Each runtime's side turns its own socket into a
 * {@linkcode MessageSocket} and tells the connection its events through {@linkcode MessageSocketEvents}.
 *
 * The runtime's side owns the transport rules (frames, masking, UTF-8, the message size limit,
 * pings and the idle timeout); the connection owns the JSON-RPC rules over whole text messages.
 *
 * @module
 */

/**
 * What the JSON-RPC connection may do with its socket.
 *
 * @example
 * ```ts
 * import type { MessageSocket } from "./message_socket.ts";
 * const echoBack = (socket: MessageSocket, text: string): void => {
 *   if (socket.bufferedAmount < 1_048_576) socket.send(text);
 *   else socket.close(1008, "the peer does not read");
 * };
 * ```
 */
export interface MessageSocket {
  /** Sends one text message (never throws: on a closed socket it is dropped). */
  send(text: string): void;
  /** The bytes given to `send` that are not yet written to the network. */
  readonly bufferedAmount: number;
  /**
   * Starts the close handshake with a code and a reason (at most 123 bytes of UTF-8); the peer's
   * answer, or a short wait for it, ends the connection. Calling it again does nothing.
   */
  close(code: number, reason: string): void;
  /** Drops the connection at once, without a close handshake (a peer that stopped answering). */
  terminate(): void;
}

/**
 * What the runtime's side tells the JSON-RPC connection of its socket.
 *
 * @example
 * ```ts
 * import type { MessageSocketEvents } from "./message_socket.ts";
 * const events: MessageSocketEvents = {
 *   message: (text) => console.log(`got ${text.length} characters`),
 *   close: (code) => console.log(`closed with ${code}`),
 * };
 * ```
 */
export interface MessageSocketEvents {
  /** A whole text message arrived (valid UTF-8, within the size limit). */
  message(text: string): void;
  /**
   * The connection ended, however it ended (close handshake, a protocol error, the idle timeout, a
   * dropped socket): told once, and nothing is told after it. `code` is the peer's close code, or
   * 1006 when there was no close frame.
   */
  close(code: number, reason: string): void;
  /** What was buffered went out (`bufferedAmount` fell back), where the runtime tells it. */
  drain?(): void;
}
