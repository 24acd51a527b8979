/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4) for a client's `token` option: one service calling
 * another as itself, with a token from the issuer that is renewed before it expires.
 *
 * @module
 */

/**
 * Options of {@linkcode clientCredentials}.
 *
 * @example
 * ```ts
 * import type { ClientCredentialsOptions } from "./client_credentials.ts";
 * const options: ClientCredentialsOptions = {
 *   tokenUrl: "https://issuer.example/oauth/token",
 *   clientId: "orders",
 *   clientSecret: "from-the-secret-store",
 *   scope: "billing:charge",
 * };
 * ```
 */
export interface ClientCredentialsOptions {
  /** The issuer's token endpoint. */
  readonly tokenUrl: string;
  /** The client's id. */
  readonly clientId: string;
  /** The client's secret, sent with HTTP Basic authentication (RFC 6749 §2.3.1). */
  readonly clientSecret: string;
  /** The scopes asked for, space-separated, if any. */
  readonly scope?: string | undefined;
  /** The `audience` parameter some issuers want (the service called), if any. */
  readonly audience?: string | undefined;
  /** How long before its expiry a token is renewed, in seconds. Default 60. */
  readonly renewBefore?: number | undefined;
  /** The `fetch` to ask the issuer with. Default: the global one. */
  readonly fetch?: ((url: string, init: RequestInit) => Promise<Response>) | undefined;
  /** The clock, in ms since the epoch (tests). Default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/** The longest answer read from a token endpoint: a token response is small. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * A token function for a client's `token` option that gets an access token with the client
 * credentials grant, keeps it until `renewBefore` seconds before it expires (`expires_in`), and
 * then gets another. Concurrent calls share one request to the issuer. A refusal or an unusable
 * answer rejects with an error that names the issuer's `error` code, never the secret or a token.
 *
 * @param options The token endpoint and the client's credentials.
 * @returns The token function.
 * @throws {TypeError} When `tokenUrl` is not an http(s) URL or the id or secret is empty.
 * @example
 * ```ts
 * import { createClient } from "../client/mod.ts";
 * import { clientCredentials } from "./client_credentials.ts";
 * const billing = createClient("https://billing.example/api", {
 *   token: clientCredentials({ tokenUrl: "https://issuer.example/oauth/token", clientId: "orders", clientSecret: "s3cret", scope: "billing:charge" }),
 *   tokenHeader: "X-Api-Token",
 * });
 * ```
 */
export function clientCredentials(options: ClientCredentialsOptions): () => Promise<string> {
  const url = new URL(options.tokenUrl);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`clientCredentials: tokenUrl must be an http(s) URL, got ${url.protocol}`);
  if (options.clientId === "" || options.clientSecret === "") throw new TypeError("clientCredentials: clientId and clientSecret must not be empty");
  const now = options.now ?? Date.now;
  const renewBefore = (options.renewBefore ?? 60) * 1000;
  const fetchToken = options.fetch ?? ((target: string, init: RequestInit) => fetch(target, init));
  let cached: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const request = async (): Promise<string> => {
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (options.scope !== undefined) form.set("scope", options.scope);
    if (options.audience !== undefined) form.set("audience", options.audience);
    // RFC 6749 §2.3.1: the id and secret are form-encoded before they are joined for Basic.
    const basic = btoa(`${formEncoded(options.clientId)}:${formEncoded(options.clientSecret)}`);
    const asked = now();
    const response = await fetchToken(url.href, {
      method: "POST",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: form.toString(),
      redirect: "error",
    });
    const text = await response.text();
    let answer: { access_token?: unknown; token_type?: unknown; expires_in?: unknown; error?: unknown } = {};
    try {
      if (text.length <= MAX_ANSWER_BYTES) answer = JSON.parse(text) as typeof answer;
    } catch {
      // Not JSON: said below by the status.
    }
    if (!response.ok || typeof answer.access_token !== "string" || answer.access_token === "") {
      const code = typeof answer.error === "string" && /^[\x20-\x7e]{1,64}$/.test(answer.error) ? `: ${answer.error}` : "";
      throw new Error(`clientCredentials: the token endpoint ${url.origin}${url.pathname} refused (HTTP ${response.status}${code})`);
    }
    if (typeof answer.token_type === "string" && answer.token_type.toLowerCase() !== "bearer") {
      throw new Error(`clientCredentials: the token endpoint gave a ${answer.token_type.slice(0, 20)} token, not a bearer token`);
    }
    // Without expires_in the token is asked for again at each renewal point, at most every minute.
    const lifetime = typeof answer.expires_in === "number" && answer.expires_in > 0 ? answer.expires_in * 1000 : renewBefore + 60_000;
    cached = { token: answer.access_token, renewAt: asked + Math.max(0, lifetime - renewBefore) };
    return answer.access_token;
  };
  return () => {
    if (cached !== undefined && now() < cached.renewAt) return Promise.resolve(cached.token);
    pending ??= request().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

/** A value as application/x-www-form-urlencoded writes it (ASCII only, so `btoa` takes it). */
function formEncoded(value: string): string {
  return new URLSearchParams([["", value]]).toString().slice(1);
}
