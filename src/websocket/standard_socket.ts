/**
 * A standard `WebSocket` on the server's side (Deno's `Deno.upgradeWebSocket` gives one) as a
 * {@linkcode MessageSocket}: the runtime keeps the frames, pings and idle timeout; this checks
 * the message size and refuses binary messages.
 *
 * @module
 */

import type { MessageSocket, MessageSocketEvents } from "./message_socket.ts";

/**
 * What is used of a standard `WebSocket`.
 *
 * @example
 * ```ts
 * import type { StandardWebSocket } from "./standard_socket.ts";
 * const isOpen = (socket: StandardWebSocket): boolean => socket.readyState === 1;
 * ```
 */
export interface StandardWebSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/**
 * Serves a standard `WebSocket`: once open, `open` is given the socket and gives the events to tell.
 *
 * @param socket The runtime's socket, not yet open.
 * @param maxMessageBytes The largest message, in bytes: a larger one closes with 1009.
 * @param open Makes the connection over the socket.
 * @param failed Told when the socket closes without having opened.
 * @example
 * ```ts
 * import { type StandardWebSocket, standardSocket } from "./standard_socket.ts";
 * declare const socket: StandardWebSocket; // from Deno.upgradeWebSocket(request)
 * standardSocket(socket, 1_048_576, (accepted) => ({ message: (text) => accepted.send(text), close: () => {} }));
 * ```
 */
export function standardSocket(socket: StandardWebSocket, maxMessageBytes: number, open: (socket: MessageSocket) => MessageSocketEvents, failed?: () => void): void {
  let events: MessageSocketEvents | undefined;
  const wrapped: MessageSocket = {
    send(text) {
      if (socket.readyState === 1) socket.send(text);
    },
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    close(code, reason) {
      if (socket.readyState <= 1) socket.close(code, reason);
    },
    terminate() {
      if (socket.readyState <= 1) socket.close(1001, "gone silent");
    },
  };
  let opened = false;
  const tellClosed = (code: number, reason: string): void => {
    const told = events;
    events = undefined;
    told?.close(code, reason);
  };
  // Told at once, as on Node.js and Bun, which end the TCP connection: Deno keeps a socket it
  // closes until the peer's close frame comes back, with no timeout, and a peer that never sends
  // it would stay counted (against maxConnections) for good.
  const refuse = (code: number, reason: string): void => {
    wrapped.close(code, reason);
    tellClosed(code, reason);
  };
  socket.onopen = () => {
    opened = true;
    events = open(wrapped);
  };
  socket.onmessage = ({ data }) => {
    if (typeof data !== "string") {
      refuse(1003, "binary messages are not accepted: send JSON text");
      return;
    }
    if (tooBig(data, maxMessageBytes)) {
      refuse(1009, `a message over ${maxMessageBytes} bytes`);
      return;
    }
    events?.message(data);
  };
  socket.onclose = ({ code, reason }) => {
    if (!opened) failed?.();
    tellClosed(code, reason);
  };
  // An error is followed by a close, which tells the connection.
  socket.onerror = () => {};
}

/** Whether a text's UTF-8 is over `limit` bytes (counted only when its length cannot say). */
function tooBig(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  return new TextEncoder().encode(text).byteLength > limit;
}
