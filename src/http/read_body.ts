/**
 * Reads a request body as text while counting its bytes, so an oversized body is refused before it
 * is held in memory or parsed, whether or not it declared a `Content-Length`.
 *
 * @module
 */

import type { BodyDeadline } from "./body_deadline.ts";

/** The body did not fit the limit. */
export class BodyTooLargeError extends Error {
  /** The limit, in bytes. */
  readonly limit: number;

  /** @param limit The limit that was exceeded, in bytes. */
  constructor(limit: number) {
    super(`The request body exceeds ${limit} bytes`);
    this.name = "BodyTooLargeError";
    this.limit = limit;
  }
}

/** The body is not valid UTF-8. */
export class BodyEncodingError extends Error {
  constructor() {
    super("The request body is not valid UTF-8");
    this.name = "BodyEncodingError";
  }
}

/**
 * Reads a request's body as UTF-8 text, at most `limit` bytes, and, given a deadline, only while
 * its time is not up.
 *
 * @param request The request.
 * @param limit The largest body accepted, in bytes.
 * @param deadline How long the body may take to arrive. Default: as long as it takes.
 * @returns The body text (empty when there is no body).
 * @throws {BodyTooLargeError} When the body is larger than `limit`; the rest is not read.
 * @throws {BodyEncodingError} When the body is not valid UTF-8.
 * @throws {BodyTimeoutError} When the body has not all arrived by the deadline.
 * @example
 * ```ts
 * import { readBodyText } from "./read_body.ts";
 * await readBodyText(new Request("http://localhost/", { method: "POST", body: "{}" }), 1024); // "{}"
 * ```
 */
export function readBodyText(request: Request, limit: number, deadline?: BodyDeadline): Promise<string> {
  if (deadline === undefined) return readText(request, limit, undefined);
  // A chunked read given up on is cancelled; a whole-body read cannot be, and ends when the
  // connection does.
  const reading: Reading = { reader: undefined };
  return deadline.race(readText(request, limit, reading), () => {
    reading.reader?.cancel().catch(() => {});
  });
}

/** Where a chunked read keeps its reader, so it can be cancelled. */
interface Reading {
  reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
}

async function readText(request: Request, limit: number, reading: Reading | undefined): Promise<string> {
  const declared = request.headers.get("content-length");
  const length = declared === null ? Number.NaN : Number(declared);
  if (length > limit) throw new BodyTooLargeError(limit);
  if (Number.isSafeInteger(length) && length >= 0) {
    // A declared length within the limit (HTTP framing holds the body to it): read it whole, which
    // costs far less than a chunk-by-chunk read (not even a stream object is made), and check the
    // count all the same.
    // bytes() where the runtime has it (Deno, Bun, Node.js 22): no ArrayBuffer to wrap.
    const body = request as Request & { bytes?: () => Promise<Uint8Array> };
    const bytes = typeof body.bytes === "function" ? await body.bytes() : new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength > limit) throw new BodyTooLargeError(limit);
    return decodeUtf8(bytes);
  }
  if (request.body === null) return "";
  const reader = request.body.getReader();
  if (reading !== undefined) reading.reader = reader;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Stop the transfer: the caller answers 413 without reading the rest.
      reader.cancel().catch(() => {});
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  return decodeUtf8(chunks.length === 1 ? chunks[0] as Uint8Array : concat(chunks, size));
}

// Runtimes decode leniently much faster than strictly (Deno has a fast path for it only): invalid
// bytes then become U+FFFD, so only a text with one needs the strict decoder's verdict.
const lenient = new TextDecoder("utf-8");
const strict = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes a whole body as UTF-8, refusing invalid bytes (a byte order mark is dropped).
 *
 * @param bytes The body.
 * @returns The text.
 * @throws {BodyEncodingError} When the bytes are not valid UTF-8.
 * @example
 * ```ts
 * import { decodeUtf8 } from "./read_body.ts";
 * decodeUtf8(new TextEncoder().encode("{}")); // "{}"
 * ```
 */
export function decodeUtf8(bytes: Uint8Array): string {
  const text = lenient.decode(bytes);
  if (text.includes("\uFFFD")) {
    try {
      strict.decode(bytes);
    } catch {
      throw new BodyEncodingError();
    }
  }
  return text;
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
