/**
 * Bun's server WebSockets (`Bun.serve`'s `websocket` handlers) as {@linkcode MessageSocket}s: Bun
 * keeps the frames, the message size limit, pings, the idle timeout and the back-pressure limit;
 * this refuses binary messages and tells each socket's connection its events.
 *
 * @module
 */

import type { MessageSocket, MessageSocketEvents } from "./message_socket.ts";

/**
 * What is used of a Bun server WebSocket; its `data` is what the upgrade gave it.
 *
 * @example
 * ```ts
 * import type { BunWebSocket } from "./bun_socket.ts";
 * const bye = (socket: BunWebSocket): void => socket.close(1000, "bye");
 * ```
 */
export interface BunWebSocket {
  readonly data: BunSession;
  send(text: string): number;
  close(code?: number, reason?: string): void;
  terminate(): void;
  getBufferedAmount(): number;
}

/**
 * What an upgrade gives a Bun socket as its `data`: how to make its connection, then the events.
 *
 * @example
 * ```ts
 * import type { BunSession } from "./bun_socket.ts";
 * const session: BunSession = { open: (socket) => ({ message: (text) => socket.send(text), close: () => {} }) };
 * ```
 */
export interface BunSession {
  open(socket: MessageSocket): MessageSocketEvents;
  events?: MessageSocketEvents | undefined;
}

/**
 * The `websocket` member of `Bun.serve`'s options for a service's connections.
 *
 * @param limits The largest message, the idle timeout (ms) and the most bytes buffered for a peer.
 * @returns The handlers and settings.
 * @example
 * ```ts
 * import { bunHandlers } from "./bun_socket.ts";
 * const websocket = bunHandlers({ maxMessageBytes: 1_048_576, idleTimeout: 60_000, maxBufferedBytes: 4_194_304 });
 * ```
 */
export function bunHandlers(limits: { readonly maxMessageBytes: number; readonly idleTimeout: number; readonly maxBufferedBytes: number }): object {
  return {
    open(socket: BunWebSocket) {
      socket.data.events = socket.data.open({
        send(text) {
          socket.send(text);
        },
        get bufferedAmount() {
          return socket.getBufferedAmount();
        },
        close(code, reason) {
          socket.close(code, reason);
        },
        terminate() {
          socket.terminate();
        },
      });
    },
    message(socket: BunWebSocket, message: unknown) {
      if (typeof message !== "string") socket.close(1003, "binary messages are not accepted: send JSON text");
      else socket.data.events?.message(message);
    },
    close(socket: BunWebSocket, code: number, reason: string) {
      const told = socket.data.events;
      socket.data.events = undefined;
      told?.close(code, reason);
    },
    drain(socket: BunWebSocket) {
      socket.data.events?.drain?.();
    },
    maxPayloadLength: limits.maxMessageBytes,
    // Seconds; Bun pings a quiet socket and closes one that does not answer.
    idleTimeout: Math.min(960, Math.max(1, Math.ceil(limits.idleTimeout / 1000))),
    sendPings: true,
    backpressureLimit: limits.maxBufferedBytes,
    closeOnBackpressureLimit: true,
    perMessageDeflate: false,
  };
}
