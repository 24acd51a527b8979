/**
 * HTTP/1.1 over a raw socket, for requests `fetch` would refuse or rewrite (dot segments, repeated
 * headers, `//host` paths): the bytes go out exactly as written, and the answer is read whole.
 *
 * @module
 */

import { connect } from "node:net";
import { HOST } from "./processes.ts";

/** An answer read off the wire. */
export interface RawAnswer {
  /** The status code (0 when the server closed without answering). */
  readonly status: number;
  /** The headers, names in lower case; a repeated header's values joined with `, `. */
  readonly headers: ReadonlyMap<string, string>;
  /** The body, with chunked framing removed. */
  readonly body: Buffer;
}

/**
 * Sends a request as it is written and reads the answer until the server closes the connection
 * (so send `Connection: close`, as {@linkcode rawRequest} does).
 *
 * @param port The server's port on the loopback address.
 * @param data The whole request.
 * @param timeoutMs When to give up.
 * @returns The answer.
 * @example
 * ```ts
 * import { rawExchange, rawRequest } from "./raw_http.ts";
 * // (await rawExchange(5000, rawRequest("GET", "/api/../api"))).status; // 405
 * ```
 */
export function rawExchange(port: number, data: string | Buffer, timeoutMs = 15_000): Promise<RawAnswer> {
  const bodyless = data.slice(0, 5).toString() === "HEAD ";
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, HOST, () => socket.write(data));
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    const finish = (): void => {
      socket.destroy();
      resolve(parseAnswer(Buffer.concat(chunks), bodyless));
    };
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      // Some runtimes keep the connection open a while after `Connection: close`: a whole answer is enough.
      if (isComplete(Buffer.concat(chunks), bodyless)) finish();
    });
    socket.on("error", (error) => {
      // A server that answered before reading the whole body (a 413) may reset the connection.
      if (chunks.length > 0) finish();
      else reject(error);
    });
    // A server may reset a connection it refused after writing its answer: what came is the answer.
    socket.on("close", finish);
  });
}

/** Whether the bytes hold a whole answer: its headers, and all of the body they announce. */
function isComplete(raw: Buffer, bodyless: boolean): boolean {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) return false;
  const head = raw.subarray(0, end).toString("latin1").toLowerCase();
  const status = Number(/^http\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  if (bodyless || status === 204 || status === 304 || (status >= 100 && status < 200)) return true;
  const rest = raw.subarray(end + 4);
  if (/\r\ntransfer-encoding:[^\r]*chunked/.test(head)) return rest.includes("\r\n0\r\n\r\n") || rest.subarray(0, 5).toString() === "0\r\n\r\n";
  const length = /\r\ncontent-length: *(\d+)/.exec(head)?.[1];
  return length !== undefined && rest.length >= Number(length);
}

/**
 * A request with `Host` and `Connection: close`, the headers given (a list, so a name may repeat)
 * and a body with its `Content-Length`.
 *
 * @param method The method.
 * @param target The request target, as it goes on the wire.
 * @param headers Further headers, in order.
 * @param body The body, if any.
 * @returns The request's bytes.
 * @example
 * ```ts
 * import { rawRequest } from "./raw_http.ts";
 * rawRequest("GET", "/./api", [["range", "bytes=0-1"]]).toString().split("\r\n")[0]; // "GET /./api HTTP/1.1"
 * ```
 */
export function rawRequest(method: string, target: string, headers: readonly (readonly [string, string])[] = [], body?: string | Buffer): Buffer {
  const bytes = body === undefined ? undefined : Buffer.from(body);
  const lines = [`${method} ${target} HTTP/1.1`, `host: ${HOST}`, "connection: close", ...headers.map(([name, value]) => `${name}: ${value}`)];
  if (bytes !== undefined) lines.push(`content-length: ${bytes.length}`);
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), bytes ?? Buffer.alloc(0)]);
}

/**
 * A JSON-RPC POST to `/api` with the headers given (a content type of JSON unless one is given).
 *
 * @param body The body.
 * @param headers Further headers.
 * @returns The request's bytes.
 * @example
 * ```ts
 * import { rawPost } from "./raw_http.ts";
 * rawPost('{"jsonrpc":"2.0","method":"echo","params":["x"],"id":1}').includes("content-type: application/json"); // true
 * ```
 */
export function rawPost(body: string | Buffer, headers: readonly (readonly [string, string])[] = [["content-type", "application/json"]]): Buffer {
  return rawRequest("POST", "/api", headers, body);
}

function parseAnswer(raw: Buffer, bodyless: boolean): RawAnswer {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) return { status: 0, headers: new Map(), body: raw };
  const [statusLine = "", ...lines] = raw.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name) ?? ""}, ${value}` : value);
  }
  const rest = bodyless ? Buffer.alloc(0) : raw.subarray(end + 4);
  return { status, headers, body: headers.get("transfer-encoding")?.includes("chunked") === true ? unchunk(rest) : rest };
}

function unchunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf("\r\n", at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString("latin1"), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
