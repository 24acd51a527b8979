/**
 * Our RFC 6455 WebSocket server on Node.js, with no dependency: the handshake on the raw socket a
 * `node:http` server's `upgrade` event gives, then the socket as a {@linkcode MessageSocket}.
 *
 * No `node:*` import: the request and the socket are typed by the few members used, so this file
 * type-checks and bundles for any runtime (it only runs on Node.js) and the SHA-1 of the handshake
 * is WebCrypto's.
 *
 * @module
 */

import { encodeCloseFrame, encodeFrame, encodeTextFrame, FrameParser, frameHeader, ONE_ARRAY_TEXT, OPCODE_PING, OPCODE_PONG, OPCODE_TEXT } from "./frames.ts";
import type { MessageSocket, MessageSocketEvents } from "./message_socket.ts";

/**
 * The request of a `node:http` server's `upgrade` event, as far as the handshake reads it
 * (Node's `IncomingMessage` is one).
 *
 * @example
 * ```ts
 * import type { NodeUpgradeRequest } from "./node_socket.ts";
 * const request: NodeUpgradeRequest = {
 *   method: "GET",
 *   httpVersion: "1.1",
 *   headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" },
 * };
 * ```
 */
export interface NodeUpgradeRequest {
  readonly method?: string | undefined;
  /** The request target (not read here: the caller routes). */
  readonly url?: string | undefined;
  readonly httpVersion: string;
  /** Lower-cased names; Node joins repeats of most headers with ", ". */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * The raw socket of a `node:http` server's `upgrade` event, as far as the server uses it (Node's
 * `net.Socket`, typed there as a `stream.Duplex`, is one).
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import type { NodeRawSocket } from "./node_socket.ts";
 * const server = createServer();
 * server.on("upgrade", (_request, socket) => {
 *   const raw: NodeRawSocket = socket;
 *   raw.destroy();
 * });
 * ```
 */
export interface NodeRawSocket {
  write(data: Uint8Array | string): boolean;
  end(): unknown;
  destroy(): unknown;
  cork?(): void;
  uncork?(): void;
  setNoDelay?(noDelay?: boolean): unknown;
  /** Bytes written but not yet sent. */
  readonly writableLength: number;
  readonly destroyed: boolean;
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown;
  on(event: "drain" | "end" | "close", listener: () => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
}

/**
 * How an accepted WebSocket behaves.
 *
 * @example
 * ```ts
 * import type { NodeWebSocketOptions } from "./node_socket.ts";
 * const options: NodeWebSocketOptions = {
 *   maxMessageBytes: 1 << 20,
 *   idleTimeout: 60_000,
 *   protocol: (offered) => (offered.includes("jsonrpc") ? "jsonrpc" : undefined),
 * };
 * ```
 */
export interface NodeWebSocketOptions {
  /** The largest message a client may send, in bytes (over it: close 1009). */
  readonly maxMessageBytes: number;
  /**
   * After this many ms without a byte from the peer the socket is dropped (told as close 1006);
   * after half of it a ping asks the peer for a sign of life. 0 or undefined: never.
   */
  readonly idleTimeout?: number | undefined;
  /**
   * The subprotocol to answer: a name, or a function choosing from those the client offered
   * (`Sec-WebSocket-Protocol`, in its order). Undefined answers none; a name the client did not
   * offer is not answered (RFC 6455 §4.2.2).
   */
  readonly protocol?: string | ((offered: readonly string[]) => string | undefined) | undefined;
  /** How long a close handshake waits for the peer's close frame, in ms. Default 1,000. */
  readonly closeWait?: number | undefined;
}

/**
 * What the handshake tells the opener of the accepted socket.
 *
 * @example
 * ```ts
 * import type { NodeWebSocketInfo } from "./node_socket.ts";
 * const info: NodeWebSocketInfo = { protocol: "jsonrpc", offered: ["jsonrpc", "bearer.abc"] };
 * ```
 */
export interface NodeWebSocketInfo {
  /** The subprotocol answered, if any. */
  readonly protocol: string | undefined;
  /** The subprotocols the client offered, in its order (a browser's `bearer.<token>` among them). */
  readonly offered: readonly string[];
}

/**
 * Why a request cannot be upgraded: the HTTP answer to refuse it with.
 *
 * @example
 * ```ts
 * import type { UpgradeRefusal } from "./node_socket.ts";
 * const refusal: UpgradeRefusal = { status: 426, headers: { "sec-websocket-version": "13" }, body: "WebSocket version 13 only" };
 * ```
 */
export interface UpgradeRefusal {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
// Base64 of 16 bytes: 22 characters, then "==".
const KEY_PATTERN = /^[A-Za-z0-9+/]{22}==$/;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

function hasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  for (const part of value.split(",")) if (part.trim().toLowerCase() === token) return true;
  return false;
}

/**
 * Checks a request's WebSocket handshake (RFC 6455 §4.2.1): GET over HTTP/1.1, `Upgrade:
 * websocket`, `Connection: upgrade`, `Sec-WebSocket-Version: 13` (else 426 naming 13), and a
 * `Sec-WebSocket-Key` that is the base64 of 16 bytes (else 400).
 *
 * @param request The upgrade request.
 * @returns Undefined when the handshake is valid, else the answer to refuse it with.
 * @example
 * ```ts
 * import { upgradeRefusal } from "./node_socket.ts";
 * const refusal = upgradeRefusal({ method: "POST", httpVersion: "1.1", headers: {} });
 * console.log(refusal?.status); // 405
 * ```
 */
export function upgradeRefusal(request: NodeUpgradeRequest): UpgradeRefusal | undefined {
  const headers = request.headers;
  if (request.method !== "GET") return { status: 405, headers: { allow: "GET" }, body: "A WebSocket upgrade must be a GET" };
  if (request.httpVersion !== "1.1") return { status: 400, headers: {}, body: "A WebSocket upgrade must be HTTP/1.1" };
  if (!hasToken(single(headers["upgrade"]), "websocket")) return { status: 400, headers: {}, body: "Upgrade: websocket expected" };
  if (!hasToken(single(headers["connection"]), "upgrade")) return { status: 400, headers: {}, body: "Connection: upgrade expected" };
  if (single(headers["sec-websocket-version"])?.trim() !== "13") {
    return { status: 426, headers: { "sec-websocket-version": "13" }, body: "WebSocket version 13 only" };
  }
  const key = single(headers["sec-websocket-key"])?.trim();
  if (key === undefined || !KEY_PATTERN.test(key)) return { status: 400, headers: {}, body: "Sec-WebSocket-Key must be the base64 of 16 bytes" };
  return undefined;
}

/**
 * The `Sec-WebSocket-Accept` answering a `Sec-WebSocket-Key`: base64 of the SHA-1 of the key and
 * the protocol's GUID (WebCrypto).
 *
 * @param key The client's key.
 * @returns The accept value.
 * @example
 * ```ts
 * import { acceptValue } from "./node_socket.ts";
 * console.log(await acceptValue("dGhlIHNhbXBsZSBub25jZQ==")); // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" (RFC 6455's example)
 * ```
 */
export async function acceptValue(key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(key + ACCEPT_GUID)));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  426: "Upgrade Required",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

// Pings are not answered while more than this waits to be written.
const PONG_BACKLOG = 1 << 20;

// A refused or closing socket whose peer does not close its side is dropped after this.
const LINGER_MS = 1000;

/**
 * Refuses an upgrade with a plain HTTP response (`Connection: close`, the body as
 * `text/plain` unless `headers` says otherwise), then closes the socket; a peer that does not close
 * its side is dropped after a second.
 *
 * @param socket The upgrade's raw socket.
 * @param status The HTTP status (e.g. 400, 401, 503).
 * @param body The response body.
 * @param headers More response headers (a header with CR or LF in its name or value is left out).
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { refuseNodeUpgrade } from "./node_socket.ts";
 * const server = createServer();
 * server.on("upgrade", (_request, socket) => {
 *   refuseNodeUpgrade(socket, 503, "Service Unavailable: the service is stopping", { "retry-after": "1" });
 * });
 * ```
 */
export function refuseNodeUpgrade(socket: NodeRawSocket, status: number, body: string, headers: Readonly<Record<string, string>> = {}): void {
  if (socket.destroyed) return;
  const bytes = new TextEncoder().encode(body);
  let head = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Error"}\r\nconnection: close\r\n`;
  let typed = false;
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) continue;
    if (name.toLowerCase() === "content-type") typed = true;
    if (name.toLowerCase() === "content-length" || name.toLowerCase() === "connection") continue;
    head += `${name}: ${value}\r\n`;
  }
  if (!typed) head += "content-type: text/plain; charset=utf-8\r\n";
  head += `content-length: ${bytes.length}\r\n\r\n`;
  socket.on("error", ignore);
  socket.write(head);
  socket.write(bytes);
  socket.end();
  lingerThenDestroy(socket);
}

function ignore(): void {}

function lingerThenDestroy(socket: NodeRawSocket): void {
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  (timer as { unref?: () => void }).unref?.();
  socket.on("close", () => { clearTimeout(timer); });
}

/**
 * Accepts a WebSocket upgrade from a `node:http` server's `upgrade` event: checks the handshake
 * (refusing a bad one with 400, 405 or 426 and closing), answers 101 (with the subprotocol
 * `options.protocol` picks), then calls `open` with the socket as a {@linkcode MessageSocket} and
 * feeds the {@linkcode MessageSocketEvents} it returns. `head`, the bytes read past the request, is
 * parsed first.
 *
 * The server answers pings, pings a peer silent for half of `idleTimeout` and drops it after a
 * whole one, fails a peer that breaks a rule with the close code the rule names (the code told to
 * `close` is then that code), echoes a peer's close frame and ends the connection, and tells a
 * dropped socket as close 1006.
 *
 * The 101 waits for WebCrypto's SHA-1 (a promise); nothing is returned and nothing throws: a
 * socket gone meanwhile is let go, and an `open` that throws closes the socket with 1011.
 *
 * @param request The upgrade request.
 * @param socket Its raw socket.
 * @param head The bytes after the request's headers.
 * @param options The limits, the idle timeout and the subprotocol choice.
 * @param open Called once the 101 is written, with the socket and the handshake's subprotocols;
 *   returns where to tell the socket's events.
 * @param failed Told (once) instead of `open` when the socket does not open: a handshake refused,
 *   or the socket gone before the 101.
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { acceptNodeUpgrade } from "./node_socket.ts";
 * const server = createServer();
 * server.on("upgrade", (request, socket, head) => {
 *   acceptNodeUpgrade(request, socket, head, { maxMessageBytes: 1 << 20, idleTimeout: 60_000 }, (webSocket) => ({
 *     message: (text) => webSocket.send(text), // echo
 *     close: (code) => console.log("closed", code),
 *   }));
 * });
 * server.listen(0);
 * server.close();
 * ```
 */
export function acceptNodeUpgrade(
  request: NodeUpgradeRequest,
  socket: NodeRawSocket,
  head: Uint8Array,
  options: NodeWebSocketOptions,
  open: (socket: MessageSocket, info: NodeWebSocketInfo) => MessageSocketEvents,
  failed?: () => void,
): void {
  void accept(request, socket, head, options, open).then((opened) => {
    if (!opened) failed?.();
  });
}

/** Whether `open` was called. */
async function accept(
  request: NodeUpgradeRequest,
  socket: NodeRawSocket,
  head: Uint8Array,
  options: NodeWebSocketOptions,
  open: (socket: MessageSocket, info: NodeWebSocketInfo) => MessageSocketEvents,
): Promise<boolean> {
  // Until the connection is set up, an error only drops the socket (never the process), and the
  // peer's end is remembered: it may come in the same read as the request, before the 101.
  socket.on("error", ignore);
  const early = { ended: false };
  socket.on("end", () => {
    early.ended = true;
  });
  const refusal = upgradeRefusal(request);
  if (refusal !== undefined) {
    refuseNodeUpgrade(socket, refusal.status, refusal.body, refusal.headers);
    return false;
  }
  const acceptHeader = await acceptValue((single(request.headers["sec-websocket-key"]) as string).trim());
  if (socket.destroyed) return false;
  const offered: string[] = [];
  for (const part of (single(request.headers["sec-websocket-protocol"]) ?? "").split(",")) {
    const name = part.trim();
    if (name !== "") offered.push(name);
  }
  const choice = options.protocol;
  let protocol = offered.length === 0 ? undefined : typeof choice === "function" ? choice(offered) : choice;
  if (protocol !== undefined && !offered.includes(protocol)) protocol = undefined;
  socket.write(
    "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n" +
      `sec-websocket-accept: ${acceptHeader}\r\n` +
      (protocol === undefined ? "" : `sec-websocket-protocol: ${protocol}\r\n`) +
      "\r\n",
  );
  socket.setNoDelay?.(true);
  const connection = new NodeWebSocket(socket, options);
  let events: MessageSocketEvents;
  try {
    events = open(connection, { protocol, offered });
  } catch {
    // The opener could not take the socket: close it as a server error (and never reject).
    connection.close(1011, "internal error");
    connection.start({ message: ignore, close: ignore }, EMPTY, early.ended);
    return true;
  }
  connection.start(events, head, early.ended);
  return true;
}

/** One accepted connection: the frames both ways, the close handshake, the idle watch. */
class NodeWebSocket implements MessageSocket {
  readonly #socket: NodeRawSocket;
  readonly #parser: FrameParser;
  readonly #idle: number;
  readonly #closeWait: number;
  #events: MessageSocketEvents | undefined;
  // A close frame went out: nothing more is sent.
  #closeSent = false;
  // The peer's close code, or the code a broken rule failed the connection with.
  #code = 1006;
  #reason = "";
  #told = false;
  #ending = false;
  #corked = false;
  #lastHeard = 0;
  #pinged = false;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(socket: NodeRawSocket, options: NodeWebSocketOptions) {
    this.#socket = socket;
    this.#idle = options.idleTimeout ?? 0;
    this.#closeWait = options.closeWait ?? LINGER_MS;
    this.#parser = new FrameParser({ maxMessageBytes: options.maxMessageBytes }, {
      text: (message) => this.#events?.message(message),
      ping: (payload) => {
        // A peer that pings without reading the pongs would grow our buffer: past a bound, pings go unanswered.
        if (!this.#closeSent && socket.writableLength <= PONG_BACKLOG) this.#write(encodeFrame(OPCODE_PONG, payload));
      },
      pong: () => {},
      close: (code, reason) => { this.#peerClosed(code, reason); },
      fail: (code, reason) => { this.#fail(code, reason); },
    });
  }

  start(events: MessageSocketEvents, head: Uint8Array, peerEnded: boolean): void {
    this.#events = events;
    const socket = this.#socket;
    socket.on("data", (chunk) => { this.#read(chunk); });
    socket.on("drain", () => this.#events?.drain?.());
    // The peer ended its side without a close handshake (or after it): end ours.
    socket.on("end", () => { this.#endSocket(); });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => { this.#ended(); });
    if (socket.destroyed) {
      this.#ended();
      return;
    }
    this.#lastHeard = Date.now();
    if (this.#idle > 0) this.#watchIdle(this.#idle / 2);
    if (head.length > 0) this.#read(head);
    if (peerEnded) this.#endSocket();
  }

  #read(chunk: Uint8Array): void {
    this.#lastHeard = Date.now();
    this.#pinged = false;
    try {
      this.#parser.push(chunk);
    } catch {
      // What the connection did with a message threw: it cannot go on sanely.
      this.#fail(1011, "internal error");
    }
  }

  /** Ends our side of the TCP connection (once), and drops it if the peer does not end its side. */
  #endSocket(): void {
    if (this.#ending) return;
    this.#ending = true;
    this.#socket.end();
    lingerThenDestroy(this.#socket);
  }

  get bufferedAmount(): number {
    return this.#socket.writableLength;
  }

  send(text: string): void {
    const socket = this.#socket;
    if (this.#closeSent || socket.destroyed) return;
    // The messages sent in one turn of the event loop go out in one write (one system call for a
    // pipelined batch of answers, not one each); the turn's end uncorks.
    if (!this.#corked && socket.cork !== undefined) {
      this.#corked = true;
      socket.cork();
      afterTurn(this.#uncork);
    }
    if (text.length <= ONE_ARRAY_TEXT) {
      socket.write(encodeTextFrame(text));
      return;
    }
    const payload = ENCODER.encode(text);
    socket.write(frameHeader(OPCODE_TEXT, payload.length));
    socket.write(payload);
  }

  readonly #uncork = (): void => {
    this.#corked = false;
    this.#socket.uncork?.();
  };

  close(code: number, reason: string): void {
    if (this.#closeSent || this.#socket.destroyed) return;
    this.#closeSent = true;
    this.#write(encodeCloseFrame(code, reason));
    // Wait for the peer's close frame, then drop it however it stands.
    this.#closeTimer = setTimeout(() => this.#socket.destroy(), this.#closeWait);
  }

  terminate(): void {
    this.#socket.destroy();
  }

  #write(frame: Uint8Array): void {
    if (!this.#socket.destroyed) this.#socket.write(frame);
  }

  /** The peer's close frame: echo its code (if we did not close first), then end the TCP connection. */
  #peerClosed(code: number, reason: string): void {
    this.#code = code;
    this.#reason = reason;
    if (!this.#closeSent) {
      this.#closeSent = true;
      this.#write(encodeCloseFrame(code === 1005 ? undefined : code, ""));
    }
    // The server closes the TCP connection first (RFC 6455 §7.1.1).
    this.#endSocket();
  }

  /** The peer broke a rule: send the close code it names and end the connection without waiting. */
  #fail(code: number, reason: string): void {
    if (this.#told) return;
    this.#code = code;
    this.#reason = reason;
    if (!this.#closeSent) {
      this.#closeSent = true;
      this.#write(encodeCloseFrame(code, reason));
    }
    this.#endSocket();
  }

  #watchIdle(delay: number): void {
    this.#idleTimer = setTimeout(() => {
      const silent = Date.now() - this.#lastHeard;
      if (silent >= this.#idle) {
        // Told as 1006 (no close frame came), unless the peer's close frame already set its code.
        this.#socket.destroy();
        return;
      }
      if (silent >= this.#idle / 2 && !this.#pinged) {
        this.#pinged = true;
        if (!this.#closeSent) this.#write(encodeFrame(OPCODE_PING, EMPTY));
      }
      // Next: when the peer would have been silent half the timeout, or the whole of it after a ping.
      this.#watchIdle(Math.max(1, (this.#pinged ? this.#idle : this.#idle / 2) - silent));
    }, delay);
    (this.#idleTimer as { unref?: () => void }).unref?.();
  }

  #ended(): void {
    if (this.#told) return;
    this.#told = true;
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#closeTimer);
    this.#events?.close(this.#code, this.#reason);
  }
}

const EMPTY = new Uint8Array(0);
const ENCODER = new TextEncoder();

// After the I/O callbacks of this turn of the event loop and the promises they settled: Node's
// setImmediate (this file runs on Node.js only; typed without Node's types).
const afterTurn: (callback: () => void) => void = (globalThis as { setImmediate?: (callback: () => void) => void }).setImmediate ?? queueMicrotask;
