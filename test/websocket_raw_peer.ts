/**
 * A WebSocket client over a bare `node:net` socket, for tests that must send what no client
 * library would: hand-made frames (unmasked, oversized, fragmented, invalid UTF-8), a handshake
 * cut short or dripped. Used by test/websocket_node_socket.test.ts (our RFC 6455 server alone) and
 * test/runtime/websocket_protocol.test.ts (the service's server on Node.js, Deno and Bun).
 *
 * @module
 */

import assert from "node:assert/strict";
import { connect as netConnect, type Socket } from "node:net";
import { encodeFrame, OPCODE_CLOSE, OPCODE_TEXT } from "../src/websocket/frames.ts";
import { until } from "./helpers.ts";

/** The mask every hand-made client frame carries (any will do; a fixed one reads well in a dump). */
export const MASK: Uint8Array = new Uint8Array([0xa1, 0xb2, 0xc3, 0xd4]);

/** RFC 6455's own example key (its accept value is "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="). */
export const KEY = "dGhlIHNhbXBsZSBub25jZQ==";

/**
 * A text's UTF-8 bytes.
 *
 * @example
 * ```ts
 * import { utf8 } from "./websocket_raw_peer.ts";
 * utf8("€").length; // 3
 * ```
 */
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A close as told: its code (1005 for a close frame without one) and reason. */
export interface Told {
  code: number;
  reason: string;
}

/** A frame the server sent. */
export interface ServerFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/**
 * A client over a bare TCP socket: writes what it is told, reads the handshake and the frames.
 *
 * @example
 * ```ts
 * import { RawPeer, handshake } from "./websocket_raw_peer.ts";
 * const peer = new RawPeer(5000);
 * peer.socket.write(handshake());
 * ```
 */
export class RawPeer {
  readonly socket: Socket;
  received: Buffer = Buffer.alloc(0);
  ended = false;
  /** Resolves once the TCP connection is closed (by either side). */
  readonly closed: Promise<void>;

  constructor(port: number, host = "127.0.0.1") {
    this.socket = netConnect(port, host);
    this.socket.on("data", (chunk: Buffer) => (this.received = Buffer.concat([this.received, chunk])));
    this.socket.on("error", () => {});
    this.closed = new Promise((resolve) => this.socket.on("close", () => {
      this.ended = true;
      resolve();
    }));
  }

  /** The HTTP head of the answer, once whole. */
  get head(): string | undefined {
    const end = this.received.indexOf("\r\n\r\n");
    return end < 0 ? undefined : this.received.subarray(0, end).toString("latin1");
  }

  /** The whole server frames after the head so far. */
  get frames(): ServerFrame[] {
    const end = this.received.indexOf("\r\n\r\n");
    if (end < 0) return [];
    const frames: ServerFrame[] = [];
    let at = end + 4;
    const bytes = this.received;
    while (bytes.length - at >= 2) {
      const b1 = bytes[at + 1]!;
      assert.equal(b1 & 0x80, 0, "a server frame is never masked");
      let length = b1 & 0x7f;
      let header = 2;
      if (length === 126) {
        if (bytes.length - at < 4) break;
        length = bytes.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (bytes.length - at < 10) break;
        length = Number(bytes.readBigUInt64BE(at + 2));
        header = 10;
      }
      if (bytes.length - at < header + length) break;
      frames.push({ fin: (bytes[at]! & 0x80) !== 0, opcode: bytes[at]! & 0x0f, payload: bytes.subarray(at + header, at + header + length) });
      at += header + length;
    }
    return frames;
  }

  /** The text messages received (each in one frame: servers do not fragment what we send them). */
  texts(): string[] {
    return this.frames.filter((frame) => frame.opcode === OPCODE_TEXT).map((frame) => frame.payload.toString());
  }

  /** The server's close frame, if one came. */
  closeFrame(): Told | undefined {
    const close = this.frames.find((frame) => frame.opcode === OPCODE_CLOSE);
    if (close === undefined) return undefined;
    return close.payload.length === 0 ? { code: 1005, reason: "" } : { code: close.payload.readUInt16BE(0), reason: close.payload.subarray(2).toString() };
  }

  write(...frames: Uint8Array[]): void {
    for (const frame of frames) this.socket.write(frame);
  }
}

/**
 * An upgrade request's text: RFC 6455's example handshake, with headers changed (an empty value
 * leaves one out).
 *
 * @example
 * ```ts
 * import { handshake } from "./websocket_raw_peer.ts";
 * handshake({ "sec-websocket-version": "8" }, "GET /api HTTP/1.1");
 * ```
 */
export function handshake(headers: Record<string, string> = {}, first = "GET /api HTTP/1.1"): string {
  const all: Record<string, string> = {
    host: "127.0.0.1",
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-key": KEY,
    "sec-websocket-version": "13",
    ...headers,
  };
  return `${first}\r\n${Object.entries(all).filter(([, value]) => value !== "").map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`;
}

/**
 * A raw peer past a successful handshake (a 101 answer).
 *
 * @example
 * ```ts
 * import { frame, openRaw } from "./websocket_raw_peer.ts";
 * import { OPCODE_TEXT } from "../src/websocket/frames.ts";
 * const peer = await openRaw(5000);
 * peer.write(frame(OPCODE_TEXT, "hello"));
 * ```
 */
export async function openRaw(port: number, headers: Record<string, string> = {}, first?: Uint8Array, path = "/api"): Promise<RawPeer> {
  const peer = new RawPeer(port);
  const request = handshake(headers, `GET ${path} HTTP/1.1`);
  peer.socket.write(first === undefined ? request : Buffer.concat([Buffer.from(request), first]));
  await until(() => peer.head !== undefined || peer.ended);
  assert.match(peer.head ?? "", /^HTTP\/1\.1 101 /);
  return peer;
}

/**
 * A client frame, masked as a client's must be (`fin` false for a fragment that is not the last).
 *
 * @example
 * ```ts
 * import { frame } from "./websocket_raw_peer.ts";
 * import { OPCODE_CONTINUATION, OPCODE_TEXT } from "../src/websocket/frames.ts";
 * const parts = [frame(OPCODE_TEXT, "hel", false), frame(OPCODE_CONTINUATION, "lo")];
 * ```
 */
export const frame = (opcode: number, payload: Uint8Array | string, fin = true): Uint8Array =>
  encodeFrame(opcode, typeof payload === "string" ? utf8(payload) : payload, { fin, mask: MASK });
