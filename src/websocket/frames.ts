/**
 * The WebSocket frame codec of our Node.js server (RFC 6455 §5): an incremental parser of the
 * client's frames, with every rule a server must enforce, and the writer of the server's frames.
 *
 * Runtime-neutral (Uint8Array, TextDecoder): no `node:*` import, so it bundles anywhere.
 *
 * @module
 */

/** Opcode of a continuation frame (the second and later fragments of a message). */
export const OPCODE_CONTINUATION = 0x0;
/** Opcode of a text frame. */
export const OPCODE_TEXT = 0x1;
/** Opcode of a binary frame (our server refuses binary messages with 1003). */
export const OPCODE_BINARY = 0x2;
/** Opcode of a close frame. */
export const OPCODE_CLOSE = 0x8;
/** Opcode of a ping frame. */
export const OPCODE_PING = 0x9;
/** Opcode of a pong frame. */
export const OPCODE_PONG = 0xa;

/**
 * What the parser tells of the frames it read. After `close` or `fail` it tells nothing more.
 *
 * @example
 * ```ts
 * import type { FrameEvents } from "./frames.ts";
 * const events: FrameEvents = {
 *   text: (message) => console.log(message),
 *   ping: () => {},
 *   pong: () => {},
 *   close: (code, reason) => console.log("peer closed", code, reason),
 *   fail: (code, reason) => console.log("protocol error", code, reason),
 * };
 * ```
 */
export interface FrameEvents {
  /** A whole text message (all its fragments), valid UTF-8, within the size limit. */
  text(message: string): void;
  /** A ping's payload (at most 125 bytes; valid until `push` returns). */
  ping(payload: Uint8Array): void;
  /** A pong's payload (at most 125 bytes; valid until `push` returns). */
  pong(payload: Uint8Array): void;
  /** The peer's close frame: its code (1005 when it gave none) and reason. */
  close(code: number, reason: string): void;
  /**
   * The peer broke a rule: the close code to fail the connection with (1002 protocol, 1003
   * binary, 1007 invalid UTF-8, 1009 too big) and a short reason for the close frame.
   */
  fail(code: number, reason: string): void;
}

/**
 * How the parser reads.
 *
 * @example
 * ```ts
 * import type { FrameParserOptions } from "./frames.ts";
 * const options: FrameParserOptions = { maxMessageBytes: 1 << 20 };
 * ```
 */
export interface FrameParserOptions {
  /** The largest message, in bytes of payload summed over its fragments; more is failed with 1009. */
  readonly maxMessageBytes: number;
}

// Parser states.
const HEADER = 0;
const PAYLOAD = 1;
const DONE = 2;

const MAX_HEADER = 14; // 2 + 8 (64-bit length) + 4 (mask key)

/**
 * Reads a client's frames from chunks of bytes as they arrive (any split, down to a byte at a
 * time) and tells whole messages and control frames. Client frames must be masked. A frame's
 * declared length is checked against the limit before its payload is read, so no more than the
 * limit is ever buffered. The chunks given to `push` are unmasked in place: they become the parser's.
 *
 * @example
 * ```ts
 * import { encodeFrame, FrameParser, OPCODE_TEXT } from "./frames.ts";
 * const got: string[] = [];
 * const parser = new FrameParser({ maxMessageBytes: 1024 }, {
 *   text: (message) => got.push(message),
 *   ping: () => {},
 *   pong: () => {},
 *   close: () => {},
 *   fail: (code) => got.push(`failed ${code}`),
 * });
 * const frame = encodeFrame(OPCODE_TEXT, new TextEncoder().encode("hello"), { mask: new Uint8Array([1, 2, 3, 4]) });
 * parser.push(frame.subarray(0, 3));
 * parser.push(frame.subarray(3));
 * console.log(got); // ["hello"]
 * ```
 */
export class FrameParser {
  readonly #max: number;
  readonly #events: FrameEvents;
  #state = HEADER;
  // A header split across chunks is gathered here (at most 14 bytes).
  readonly #header = new Uint8Array(MAX_HEADER);
  #headerLength = 0;
  // The frame being read.
  #fin = false;
  #opcode = 0;
  readonly #mask = new Uint8Array(4);
  #remaining = 0;
  #payloadLength = 0;
  #parts: Uint8Array[] = [];
  // The message being read (the fragments so far).
  #inMessage = false;
  #messageBytes = 0;
  #messageText = "";
  readonly #stream = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

  /**
   * @param options The message size limit.
   * @param events Where to tell what was read.
   */
  constructor(options: FrameParserOptions, events: FrameEvents) {
    this.#max = options.maxMessageBytes;
    this.#events = events;
  }

  /**
   * Reads the next bytes from the peer. Ignored once a close frame was read or a rule was broken.
   *
   * @param chunk The bytes (unmasked in place).
   * @example
   * ```ts
   * import { FrameParser } from "./frames.ts";
   * const parser = new FrameParser({ maxMessageBytes: 1024 }, {
   *   text: () => {}, ping: () => {}, pong: () => {}, close: () => {},
   *   fail: (code, reason) => console.log(code, reason), // 1002 "frames must be masked"
   * });
   * parser.push(new Uint8Array([0x81, 0x00])); // an unmasked empty text frame
   * ```
   */
  push(chunk: Uint8Array): void {
    let offset = 0;
    const end = chunk.length;
    while (offset < end && this.#state !== DONE) {
      if (this.#state === HEADER) {
        if (this.#headerLength === 0 && end - offset >= 2 && end - offset >= headerSize(chunk[offset + 1] as number)) {
          // The whole header is in this chunk: the common case, no copy.
          offset = this.#readHeader(chunk, offset);
        } else {
          offset = this.#gatherHeader(chunk, offset);
        }
      } else {
        const available = end - offset;
        if (this.#parts.length === 0 && available >= this.#remaining) {
          const payload = chunk.subarray(offset, offset + this.#remaining);
          offset += this.#remaining;
          this.#remaining = 0;
          this.#frame(payload);
        } else {
          const take = Math.min(available, this.#remaining);
          this.#parts.push(chunk.subarray(offset, offset + take));
          offset += take;
          this.#remaining -= take;
          if (this.#remaining === 0) {
            const payload = concat(this.#parts, this.#payloadLength);
            this.#parts = [];
            this.#frame(payload);
          }
        }
      }
    }
  }

  /** Copies header bytes into the scratch until the header is whole; returns the new offset. */
  #gatherHeader(chunk: Uint8Array, offset: number): number {
    const header = this.#header;
    while (offset < chunk.length) {
      header[this.#headerLength++] = chunk[offset++] as number;
      if (this.#headerLength >= 2) {
        if (this.#headerLength === 2 && !this.#checkFirstBytes(header[0] as number, header[1] as number)) return offset;
        if (this.#headerLength === headerSize(header[1] as number)) {
          this.#headerLength = 0;
          this.#readHeader(header, 0);
          return offset;
        }
      }
    }
    return offset;
  }

  /** The rules the first two bytes alone decide; fails and returns false when one is broken. */
  #checkFirstBytes(b0: number, b1: number): boolean {
    if ((b0 & 0x70) !== 0) return this.#fail(1002, "reserved bits set without an extension");
    if ((b1 & 0x80) === 0) return this.#fail(1002, "client frames must be masked");
    const opcode = b0 & 0x0f;
    const fin = (b0 & 0x80) !== 0;
    if (opcode >= 0x8) {
      if (opcode > OPCODE_PONG) return this.#fail(1002, "unknown opcode");
      if (!fin) return this.#fail(1002, "fragmented control frame");
      if ((b1 & 0x7f) > 125) return this.#fail(1002, "control frame over 125 bytes");
    } else if (opcode === OPCODE_CONTINUATION) {
      if (!this.#inMessage) return this.#fail(1002, "continuation without a message");
    } else if (opcode === OPCODE_TEXT) {
      if (this.#inMessage) return this.#fail(1002, "a new message before the last one ended");
    } else if (opcode === OPCODE_BINARY) {
      return this.#fail(1003, "binary messages are not accepted");
    } else {
      return this.#fail(1002, "unknown opcode");
    }
    return true;
  }

  /** Reads a whole header at `at` in `bytes`; returns the offset after it. */
  #readHeader(bytes: Uint8Array, at: number): number {
    const b0 = bytes[at] as number;
    const b1 = bytes[at + 1] as number;
    if (!this.#checkFirstBytes(b0, b1)) return at + 2;
    let length = b1 & 0x7f;
    let pos = at + 2;
    if (length === 126) {
      length = ((bytes[pos] as number) << 8) | (bytes[pos + 1] as number);
      pos += 2;
    } else if (length === 127) {
      const high = (((bytes[pos] as number) << 24) | ((bytes[pos + 1] as number) << 16) | ((bytes[pos + 2] as number) << 8) | (bytes[pos + 3] as number)) >>> 0;
      const low = (((bytes[pos + 4] as number) << 24) | ((bytes[pos + 5] as number) << 16) | ((bytes[pos + 6] as number) << 8) | (bytes[pos + 7] as number)) >>> 0;
      pos += 8;
      if (high >= 0x80000000) {
        this.#fail(1002, "the length's most significant bit must be 0");
        return pos;
      }
      length = high * 0x100000000 + low;
    }
    const opcode = b0 & 0x0f;
    if (opcode < 0x8 && this.#messageBytes + length > this.#max) {
      this.#fail(1009, "message too big");
      return pos;
    }
    const mask = this.#mask;
    mask[0] = bytes[pos] as number;
    mask[1] = bytes[pos + 1] as number;
    mask[2] = bytes[pos + 2] as number;
    mask[3] = bytes[pos + 3] as number;
    this.#fin = (b0 & 0x80) !== 0;
    this.#opcode = opcode;
    this.#payloadLength = length;
    this.#remaining = length;
    this.#state = PAYLOAD;
    if (length === 0) this.#frame(EMPTY);
    return pos + 4;
  }

  /** A whole frame's payload (still masked) was read. */
  #frame(payload: Uint8Array): void {
    this.#state = HEADER;
    unmask(payload, this.#mask);
    const opcode = this.#opcode;
    if (opcode < 0x8) {
      this.#messageBytes += payload.length;
      if (this.#fin && !this.#inMessage) {
        // A whole message in one frame: decode it at once.
        let text: string;
        try {
          text = this.#stream.decode(payload);
        } catch {
          this.#fail(1007, "invalid UTF-8");
          return;
        }
        this.#messageBytes = 0;
        this.#events.text(text);
        return;
      }
      // A fragment: decoded as a stream, so invalid UTF-8 fails at the fragment that shows it.
      this.#inMessage = true;
      try {
        this.#messageText += this.#stream.decode(payload, { stream: !this.#fin });
      } catch {
        this.#fail(1007, "invalid UTF-8");
        return;
      }
      if (this.#fin) {
        const text = this.#messageText;
        this.#messageText = "";
        this.#messageBytes = 0;
        this.#inMessage = false;
        this.#events.text(text);
      }
    } else if (opcode === OPCODE_PING) {
      this.#events.ping(payload);
    } else if (opcode === OPCODE_PONG) {
      this.#events.pong(payload);
    } else {
      this.#closeFrame(payload);
    }
  }

  #closeFrame(payload: Uint8Array): void {
    if (payload.length === 1) {
      this.#fail(1002, "a close frame of 1 byte");
      return;
    }
    let code = 1005;
    let reason = "";
    if (payload.length >= 2) {
      code = ((payload[0] as number) << 8) | (payload[1] as number);
      if (!isValidCloseCode(code)) {
        this.#fail(1002, "invalid close code");
        return;
      }
      try {
        reason = CLOSE_DECODER.decode(payload.subarray(2));
      } catch {
        this.#fail(1007, "invalid UTF-8 in the close reason");
        return;
      }
    }
    this.#state = DONE;
    this.#events.close(code, reason);
  }

  #fail(code: number, reason: string): false {
    this.#state = DONE;
    this.#parts = [];
    this.#events.fail(code, reason);
    return false;
  }
}

const EMPTY = new Uint8Array(0);
const CLOSE_DECODER = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A header's size in bytes from its second byte (extended length and mask key included). */
function headerSize(b1: number): number {
  const length = b1 & 0x7f;
  return (length === 126 ? 4 : length === 127 ? 10 : 2) + ((b1 & 0x80) !== 0 ? 4 : 0);
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const whole = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  return whole;
}

/**
 * Whether a close frame may carry this code (RFC 6455 §7.4): the defined codes a peer may send
 * (1000–1003, 1007–1014) and the ranges for libraries and applications (3000–4999). 1004–1006 and
 * 1015 are never sent on the wire.
 *
 * @param code The code read from a close frame.
 * @returns Whether it is valid on the wire.
 * @example
 * ```ts
 * import { isValidCloseCode } from "./frames.ts";
 * console.log(isValidCloseCode(1000), isValidCloseCode(1006), isValidCloseCode(4000)); // true false true
 * ```
 */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

// The mask key rotated to a word's phase, read as a native-endian 32-bit word.
const MASK_BYTES = new Uint8Array(4);
const MASK_WORD = new Uint32Array(MASK_BYTES.buffer);
// Below this, setting up the word view costs more than it saves.
const WORD_MIN = 32;

/**
 * XORs data with a 4-byte mask key in place (masking and unmasking are the same), a 32-bit word
 * at a time over the 4-byte aligned middle of the data.
 *
 * @param data The bytes, changed in place.
 * @param mask The 4-byte mask key.
 * @example
 * ```ts
 * import { unmask } from "./frames.ts";
 * const data = new TextEncoder().encode("hello");
 * const mask = new Uint8Array([9, 8, 7, 6]);
 * unmask(data, mask);
 * unmask(data, mask);
 * console.log(new TextDecoder().decode(data)); // "hello"
 * ```
 */
export function unmask(data: Uint8Array, mask: Uint8Array): void {
  const length = data.length;
  let i = 0;
  if (length >= WORD_MIN) {
    const lead = (4 - (data.byteOffset & 3)) & 3;
    for (; i < lead; i++) data[i] = (data[i] as number) ^ (mask[i & 3] as number);
    MASK_BYTES[0] = mask[lead & 3] as number;
    MASK_BYTES[1] = mask[(lead + 1) & 3] as number;
    MASK_BYTES[2] = mask[(lead + 2) & 3] as number;
    MASK_BYTES[3] = mask[(lead + 3) & 3] as number;
    const word = MASK_WORD[0] as number;
    const count = (length - lead) >>> 2;
    const words = new Uint32Array(data.buffer, data.byteOffset + lead, count);
    for (let w = 0; w < count; w++) words[w] = (words[w] as number) ^ word;
    i = lead + count * 4;
  }
  for (; i < length; i++) data[i] = (data[i] as number) ^ (mask[i & 3] as number);
}

/**
 * How to write a frame (a server's frames are final and unmasked unless told).
 *
 * @example
 * ```ts
 * import type { FrameOptions } from "./frames.ts";
 * const firstFragment: FrameOptions = { fin: false };
 * ```
 */
export interface FrameOptions {
  /** Whether this is the message's last frame. Default true. */
  readonly fin?: boolean | undefined;
  /** A 4-byte mask key: a client's frames are masked with one (a server's never are). */
  readonly mask?: Uint8Array | undefined;
}

/**
 * A frame's header: FIN and opcode, the 7, 16 or 64-bit length, and the mask key if any.
 *
 * @param opcode The frame's opcode.
 * @param length The payload's length in bytes.
 * @param options FIN and the mask key.
 * @returns The header's bytes (2 to 14).
 * @example
 * ```ts
 * import { frameHeader, OPCODE_TEXT } from "./frames.ts";
 * console.log(frameHeader(OPCODE_TEXT, 70_000)); // 10 bytes: 0x81, 127, then the 64-bit length
 * ```
 */
export function frameHeader(opcode: number, length: number, options: FrameOptions = {}): Uint8Array {
  const size = (length < 126 ? 2 : length < 0x10000 ? 4 : 10) + (options.mask === undefined ? 0 : 4);
  const header = new Uint8Array(size);
  writeHeader(header, 0, opcode, length, options.fin ?? true, options.mask);
  return header;
}

/** Writes a header at `at`; returns the offset after it. */
function writeHeader(into: Uint8Array, at: number, opcode: number, length: number, fin: boolean, mask: Uint8Array | undefined): number {
  into[at] = (fin ? 0x80 : 0) | opcode;
  const maskBit = mask === undefined ? 0 : 0x80;
  let pos = at + 2;
  if (length < 126) {
    into[at + 1] = maskBit | length;
  } else if (length < 0x10000) {
    into[at + 1] = maskBit | 126;
    into[pos++] = length >>> 8;
    into[pos++] = length & 0xff;
  } else {
    into[at + 1] = maskBit | 127;
    const high = Math.floor(length / 0x100000000);
    into[pos++] = high >>> 24;
    into[pos++] = (high >>> 16) & 0xff;
    into[pos++] = (high >>> 8) & 0xff;
    into[pos++] = high & 0xff;
    into[pos++] = length >>> 24;
    into[pos++] = (length >>> 16) & 0xff;
    into[pos++] = (length >>> 8) & 0xff;
    into[pos++] = length & 0xff;
  }
  if (mask !== undefined) {
    into.set(mask.subarray(0, 4), pos);
    pos += 4;
  }
  return pos;
}

/**
 * One frame, header and payload in one array (masked with `options.mask` when given; the payload
 * given is not changed).
 *
 * @param opcode The frame's opcode.
 * @param payload The payload.
 * @param options FIN and the mask key.
 * @returns The frame's bytes.
 * @example
 * ```ts
 * import { encodeFrame, OPCODE_PING } from "./frames.ts";
 * const ping = encodeFrame(OPCODE_PING, new Uint8Array([1, 2]));
 * console.log(ping); // Uint8Array [0x89, 2, 1, 2]
 * ```
 */
export function encodeFrame(opcode: number, payload: Uint8Array, options: FrameOptions = {}): Uint8Array {
  const length = payload.length;
  const size = (length < 126 ? 2 : length < 0x10000 ? 4 : 10) + (options.mask === undefined ? 0 : 4);
  const frame = new Uint8Array(size + length);
  writeHeader(frame, 0, opcode, length, options.fin ?? true, options.mask);
  frame.set(payload, size);
  if (options.mask !== undefined) unmask(frame.subarray(size), options.mask);
  return frame;
}

const ENCODER = new TextEncoder();

/**
 * Up to this many UTF-16 units, a text frame is encoded straight into one array sized for the
 * worst case (3 bytes a unit); longer texts are encoded first and sent as header + payload.
 */
export const ONE_ARRAY_TEXT = 16_384;

/**
 * A final, unmasked text frame: header and UTF-8 payload in one array, encoded in place.
 *
 * @param text The message.
 * @returns The frame's bytes.
 * @example
 * ```ts
 * import { encodeTextFrame } from "./frames.ts";
 * console.log(encodeTextFrame("hi")); // Uint8Array [0x81, 2, 0x68, 0x69]
 * ```
 */
export function encodeTextFrame(text: string): Uint8Array {
  if (text.length > ONE_ARRAY_TEXT) return encodeFrame(OPCODE_TEXT, ENCODER.encode(text));
  // The payload is written after the largest header that may be needed, then the header just before it.
  const buffer = new Uint8Array(10 + text.length * 3);
  const written = ENCODER.encodeInto(text, buffer.subarray(10)).written;
  const headerLength = written < 126 ? 2 : written < 0x10000 ? 4 : 10;
  const start = 10 - headerLength;
  writeHeader(buffer, start, OPCODE_TEXT, written, true, undefined);
  return buffer.subarray(start, 10 + written);
}

/**
 * A close frame with a code and a reason cut to the 123 bytes a control frame leaves it (at a
 * character's boundary), or an empty close frame when `code` is undefined.
 *
 * @param code The close code, or undefined for none.
 * @param reason Why (UTF-8).
 * @returns The frame's bytes.
 * @example
 * ```ts
 * import { encodeCloseFrame } from "./frames.ts";
 * console.log(encodeCloseFrame(1000, "bye").length); // 2 + 2 + 3
 * ```
 */
export function encodeCloseFrame(code: number | undefined, reason: string): Uint8Array {
  if (code === undefined) return encodeFrame(OPCODE_CLOSE, EMPTY);
  const payload = new Uint8Array(2 + 123);
  payload[0] = code >>> 8;
  payload[1] = code & 0xff;
  // encodeInto never writes a partial character: a long reason is cut at a boundary.
  const written = ENCODER.encodeInto(reason, payload.subarray(2)).written;
  return encodeFrame(OPCODE_CLOSE, payload.subarray(0, 2 + written));
}
