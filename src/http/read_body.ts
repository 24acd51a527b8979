/**
 * Reads a request body counting its bytes, so an oversized body is refused before it is held or
 * parsed, with or without a `Content-Length`.
 *
 * @module
 */

// These errors never reach a caller or log (each is answered with a status): no `name`, to save bytes.

/** The body did not fit the limit. */
export class BodyTooLargeError extends Error {
  /** The limit, in bytes. */
  declare readonly limit: number;

  /** @param limit The limit that was exceeded, in bytes. */
  constructor(limit: number) {
    super(`The request body exceeds ${limit} bytes`);
    this.limit = limit;
  }
}

/** The body is not valid UTF-8. */
export class BodyEncodingError extends Error {
  constructor() {
    super("The request body is not valid UTF-8");
  }
}

/** The body did not all arrive in time. */
export class BodyTimeoutError extends Error {
  /** The deadline that passed, in ms. */
  declare readonly timeout: number;

  /** @param timeout The deadline that passed, in ms. */
  constructor(timeout: number) {
    super(`The request body did not arrive within ${timeout} ms`);
    this.timeout = timeout;
  }
}

/**
 * Where a chunked read keeps its reader, so a read given up on can be cancelled.
 *
 * @example
 * ```ts
 * import { type BodyReading, readBodyBytes } from "./read_body.ts";
 * const reading: BodyReading = { reader: undefined };
 * const read = readBodyBytes(new Request("http://localhost/", { method: "POST", body: "{}" }), 1024, reading);
 * await reading.reader?.cancel();
 * ```
 */
export interface BodyReading {
  /** The reader of a body read chunk by chunk, once there is one. */
  reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
}

/**
 * Starts reading a request's body, for {@linkcode bodyText} to check and decode. A declared length
 * within the limit is read whole; any other body chunk by chunk, given up on once past the limit.
 *
 * @param request The request.
 * @param limit The largest body accepted, in bytes.
 * @param reading Told the reader of a chunked read, so it can be cancelled.
 * @returns The body's bytes (none when there is no body).
 * @throws {BodyTooLargeError} When the body declares or reaches more than `limit` bytes.
 * @example
 * ```ts
 * import { bodyText, readBodyBytes } from "./read_body.ts";
 * const bytes = await readBodyBytes(new Request("http://localhost/", { method: "POST", body: "{}" }), 1024);
 * bodyText(bytes, 1024); // "{}"
 * ```
 */
export function readBodyBytes(request: Request, limit: number, reading?: BodyReading): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  const length = Number(declared ?? Number.NaN);
  if (length > limit) return Promise.reject(new BodyTooLargeError(limit));
  if (Number.isSafeInteger(length) && length >= 0) {
    // HTTP framing holds the body to its declared length, so a whole read (far cheaper, no stream)
    // is safe; bodyText counts again. No `async`: each promise turn is a few percent of a call.
    const body = request as Request & { bytes?: () => Promise<Uint8Array> };
    return typeof body.bytes === "function" ? body.bytes() : request.arrayBuffer().then((buffer) => new Uint8Array(buffer));
  }
  return readChunks(request, limit, reading);
}

/**
 * The text of a body read by {@linkcode readBodyBytes}.
 *
 * @param bytes The body.
 * @param limit The largest body accepted, in bytes.
 * @returns The body decoded as UTF-8, without a byte order mark.
 * @throws {BodyTooLargeError} When it is larger than `limit`.
 * @throws {BodyEncodingError} When it is not valid UTF-8.
 * @example
 * ```ts
 * import { bodyText } from "./read_body.ts";
 * bodyText(new TextEncoder().encode("{}"), 1024); // "{}"
 * ```
 */
export function bodyText(bytes: Uint8Array, limit: number): string {
  if (bytes.byteLength > limit) throw new BodyTooLargeError(limit);
  return decodeUtf8(bytes);
}

async function readChunks(request: Request, limit: number, reading: BodyReading | undefined): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  if (reading !== undefined) reading.reader = reader;
  const chunks = new BodyChunks(limit);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!chunks.add(value)) {
      // The caller answers 413 without reading the rest.
      reader.cancel().catch(() => {});
      throw new BodyTooLargeError(limit);
    }
  }
  return chunks.bytes();
}

/**
 * A body collected chunk by chunk and counted against a limit (for Web streams and Node's request
 * events alike).
 *
 * @example
 * ```ts
 * import { BodyChunks, bodyText } from "./read_body.ts";
 * const chunks = new BodyChunks(1024);
 * chunks.add(new TextEncoder().encode('{"jsonrpc":'));
 * chunks.add(new TextEncoder().encode('"2.0"}'));
 * bodyText(chunks.bytes(), 1024); // '{"jsonrpc":"2.0"}'
 * ```
 */
export class BodyChunks {
  /** The largest body accepted, in bytes. */
  declare readonly limit: number;
  #chunks: Uint8Array[] | undefined;
  #size = 0;

  /** @param limit The largest body accepted, in bytes. */
  constructor(limit: number) {
    this.limit = limit;
  }

  /**
   * Takes the next chunk, unless the body passes the limit with it.
   *
   * @param chunk The chunk.
   * @returns `false` once the body is over the limit (the chunk is then dropped).
   * @example
   * ```ts
   * import { BodyChunks } from "./read_body.ts";
   * new BodyChunks(2).add(new Uint8Array(3)); // false
   * ```
   */
  add(chunk: Uint8Array): boolean {
    this.#size += chunk.byteLength;
    if (this.#size > this.limit) return false;
    if (this.#chunks === undefined) this.#chunks = [chunk];
    else this.#chunks.push(chunk);
    return true;
  }

  /**
   * The whole body so far, as one array (no copy when it came in one chunk).
   *
   * @returns The bytes.
   * @example
   * ```ts
   * import { BodyChunks } from "./read_body.ts";
   * new BodyChunks(8).bytes().byteLength; // 0
   * ```
   */
  bytes(): Uint8Array {
    const chunks = this.#chunks;
    if (chunks === undefined) return new Uint8Array(0);
    return chunks.length === 1 ? chunks[0] as Uint8Array : concat(chunks, this.#size);
  }
}

// Lenient decoding is much faster (Deno's fast path); only a text with U+FFFD needs the strict check.
const lenient = new TextDecoder("utf-8");
const strict = new TextDecoder("utf-8", { fatal: true });

function decodeUtf8(bytes: Uint8Array): string {
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
