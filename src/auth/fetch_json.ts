/**
 * Fetching the small JSON documents keys come from (a JWKS, an OpenID Provider's configuration):
 * over https only (http for loopback hosts, as tests use), with a byte limit enforced while
 * reading, a timeout, and no redirects followed.
 *
 * @module
 */

import { JwtError } from "./errors.ts";

/**
 * How {@linkcode fetchJson} fetches.
 *
 * @example
 * ```ts
 * import type { FetchJsonOptions } from "./fetch_json.ts";
 * const options: FetchJsonOptions = { fetch: globalThis.fetch, maxBytes: 65_536, timeout: 2_000 };
 * ```
 */
export interface FetchJsonOptions {
  /** The `fetch` to use (tests inject one). Default the global `fetch`. */
  readonly fetch?: typeof fetch | undefined;
  /** The largest document read, in bytes; a larger one is refused. Default 1,048,576 (1 MiB). */
  readonly maxBytes?: number | undefined;
  /** How long the whole request may take, in ms. Default 5,000. */
  readonly timeout?: number | undefined;
}

/**
 * Checks that keys may be fetched from a URL: https, or http on a loopback host (`localhost`,
 * 127.0.0.0/8, `[::1]`), without credentials.
 *
 * @param url The URL.
 * @param what What the URL is, for the message (such as `"jwks"`).
 * @returns The parsed URL.
 * @throws {TypeError} For anything else.
 * @example
 * ```ts
 * import { keyUrl } from "./fetch_json.ts";
 * keyUrl("https://issuer.example/.well-known/jwks.json", "jwks").host; // "issuer.example"
 * keyUrl("http://127.0.0.1:8080/jwks.json", "jwks").port; // "8080"
 * ```
 */
export function keyUrl(url: string, what: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`${what} must be an absolute https URL`);
  }
  const loopback = parsed.hostname === "localhost" || parsed.hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(parsed.hostname);
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && loopback)) {
    throw new TypeError(`${what} must be an https URL (http only for a loopback host); got ${parsed.protocol}//${parsed.host}`);
  }
  if (parsed.username !== "" || parsed.password !== "") throw new TypeError(`${what} must not hold credentials`);
  return parsed;
}

/**
 * Fetches a JSON document, reading at most `maxBytes` of it.
 *
 * @param url The document's URL, checked by {@linkcode keyUrl}.
 * @param options The `fetch`, the byte limit and the timeout.
 * @returns The parsed JSON.
 * @throws {JwtError} `"keys unavailable"`, saying why: unreachable, not 200, too large, not JSON.
 * @example
 * ```ts
 * import { fetchJson, keyUrl } from "./fetch_json.ts";
 * const jwks = await fetchJson(keyUrl("https://www.googleapis.com/oauth2/v3/certs", "jwks"));
 * ```
 */
export async function fetchJson(url: URL, options: FetchJsonOptions = {}): Promise<unknown> {
  const where = url.origin + url.pathname;
  const fail = (why: string, cause?: unknown): JwtError => new JwtError("keys unavailable", `${where}: ${why}`, cause === undefined ? undefined : { cause });
  const fetcher = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await fetcher(url.href, { headers: { accept: "application/json" }, redirect: "error", signal: AbortSignal.timeout(options.timeout ?? 5_000) });
  } catch (error) {
    throw fail("could not be fetched", error);
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw fail(`answered HTTP ${response.status}`);
  }
  const maxBytes = options.maxBytes ?? 1_048_576;
  const declared = Number(response.headers.get("content-length"));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw fail(`is ${declared} bytes, more than the limit of ${maxBytes}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body !== null) {
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > maxBytes) {
          await reader.cancel();
          throw fail(`is more than the limit of ${maxBytes} bytes`);
        }
        chunks.push(value);
      }
    } catch (error) {
      throw error instanceof JwtError ? error : fail("could not be read", error);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as unknown;
  } catch {
    throw fail("is not JSON");
  }
}
