/**
 * The `jwt()` plugin: a service's callers identified by JSON Web Tokens. It checks the bearer
 * token of each call to a private method (or one with `scopes`), gives the handler the caller as
 * `ctx.caller`, and publishes where tokens come from (RFC 9728 protected-resource metadata).
 *
 * @module
 */

import type { ApiTokenValidator, Caller, TokenCheckContext } from "../core/context.ts";
import type { Plugin, PluginHost } from "../core/plugin.ts";
import { ErrorCode, RpcError } from "../protocol/errors.ts";
import { JwtError } from "./errors.ts";
import { type JwtVerifier, jwtVerifier, type JwtVerifierOptions } from "./verifier.ts";

/** Where RFC 9728 puts a protected resource's metadata, before the resource's own path. */
export const PROTECTED_RESOURCE_PATH = "/.well-known/oauth-protected-resource";

/**
 * What the protected-resource metadata says (RFC 9728 §2), beyond what `jwt()` knows itself.
 *
 * @example
 * ```ts
 * import type { ProtectedResourceOptions } from "./jwt_plugin.ts";
 * const metadata: ProtectedResourceOptions = { resource: "https://orders.example/api", documentation: "https://orders.example/docs" };
 * ```
 */
export interface ProtectedResourceOptions {
  /**
   * The resource's identifier, the URL its tokens name as audience. Default: the URL of the path
   * the metadata is asked for (the endpoint's, or `/mcp`'s), at the origin the request reached.
   */
  readonly resource?: string | undefined;
  /** The issuers of its tokens. Default: the `issuer` (or `oidc`) option, when given. */
  readonly authorizationServers?: readonly string[] | undefined;
  /** A name for people. Default: the service's name. */
  readonly resourceName?: string | undefined;
  /** A page that tells developers how to use the resource. */
  readonly documentation?: string | undefined;
}

/**
 * Options of {@linkcode jwt}: those of `jwtVerifier` (exactly one key source, `issuer`, `audience`,
 * `leeway`...), and the metadata.
 *
 * @example
 * ```ts
 * import type { JwtOptions } from "./jwt_plugin.ts";
 * const options: JwtOptions = { oidc: "https://issuer.example", audience: "orders" };
 * ```
 */
export interface JwtOptions extends JwtVerifierOptions {
  /**
   * The RFC 9728 document served at `/.well-known/oauth-protected-resource` (for the endpoint) and
   * at that path followed by any path the service serves (`…/api`, `…/mcp`: for that resource):
   * its fields, or `false` to serve none. Served by default.
   */
  readonly metadata?: ProtectedResourceOptions | false | undefined;
  /**
   * Verified tokens kept, so a client that sends the same token call after call pays for its
   * signature once: `maxTokens` (1000, the oldest dropped first) each kept for `maxAge` ms
   * (60,000) and never past its `exp`. A token whose key leaves the JWKS is still accepted for up
   * to `maxAge`, as with the key cache's refresh interval. `false` checks every call afresh.
   */
  readonly tokenCache?: { readonly maxTokens?: number | undefined; readonly maxAge?: number | undefined } | false | undefined;
}

/**
 * The plugin {@linkcode jwt} makes: a {@linkcode Plugin}, with its verifier and the challenge an
 * HTTP-level refusal carries.
 *
 * @example
 * ```ts
 * import { jwt } from "./jwt_plugin.ts";
 * const identity = jwt({ secret: "a secret of at least 32 bytes, for HS256!", audience: "orders" });
 * const refusal = new Response(null, { status: 401, headers: { "www-authenticate": identity.challenge("https://orders.example/api") } });
 * ```
 */
export interface JwtPlugin extends Plugin {
  /** The verifier that checks each token. */
  readonly verifier: JwtVerifier;
  /**
   * The `WWW-Authenticate` value of a 401 (RFC 6750 §3), pointing at the metadata (RFC 9728 §5.1).
   *
   * @param endpoint The URL of the service's endpoint, as callers reach it: the metadata's URL is
   *   its origin, the well-known path, then its path.
   * @param refused Why the token was refused, when one was sent: `invalid_token` with its reason.
   */
  challenge(endpoint: string | URL, refused?: JwtError): string;
}

/**
 * Identifies callers by JSON Web Token: `Authorization: Bearer <jwt>` (or the service's token
 * header). A private method (or one with `scopes`) then needs a valid token, and its handler sees
 * `ctx.caller`: `subject` (`sub`), `scopes` (`scope` or `scp`) and every claim. A refused token
 * answers `-32001 Access denied` saying why (expired, wrong audience...; never the token); keys
 * that cannot be fetched answer `-32004 Unavailable` (reported, since the issuer is down). A token
 * that is not a JWT goes on to the service's own `apiTokenIsValid`, so one shared API token can
 * stay beside user tokens.
 *
 * @param options The key source and claims to check (see `jwtVerifier`), and the metadata.
 * @returns The plugin, for `use()`.
 * @throws {TypeError} When the options are wrong (no key source, two of them, an unknown algorithm).
 * @example
 * ```ts
 * import { Service, type CallContext } from "../../mod.ts";
 * import { jwt } from "./jwt_plugin.ts";
 * const orders = new Service({ name: "orders" })
 *   .use(jwt({ jwks: "https://issuer.example/.well-known/jwks.json", issuer: "https://issuer.example", audience: "orders" }))
 *   .privateMethod("cancel_order", (id: string, ctx: CallContext) => `${ctx.caller?.subject} cancelled ${id}`, {
 *     context: true,
 *     scopes: ["orders:write"],
 *   });
 * ```
 */
export function jwt(options: JwtOptions): JwtPlugin {
  const verifier = jwtVerifier(options);
  const metadata = options.metadata;
  const now = options.now ?? Date.now;
  const cacheOptions = options.tokenCache === false ? undefined : options.tokenCache ?? {};
  const maxTokens = cacheOptions === undefined ? 0 : countOption(cacheOptions.maxTokens, 1_000, "tokenCache.maxTokens");
  const cacheAge = countOption(cacheOptions?.maxAge, 60_000, "tokenCache.maxAge");
  // Insertion order is age: the first key is the oldest, dropped when the cache is full.
  const verified = new Map<string, { readonly caller: Caller; readonly until: number }>();
  const remember = (token: string, caller: Caller): void => {
    const { exp, iat } = caller.claims;
    let until = now() + cacheAge;
    if (typeof exp === "number") until = Math.min(until, exp * 1000);
    if (options.maxAge !== undefined && typeof iat === "number") until = Math.min(until, (iat + options.maxAge) * 1000);
    if (maxTokens === 0 || until <= now()) return;
    if (verified.size >= maxTokens) verified.delete(verified.keys().next().value as string);
    verified.set(token, { caller, until });
  };
  const issuer = options.issuer ?? options.oidc;
  let host: PluginHost | undefined;

  // The resource a well-known path names (RFC 9728 §3.1): the path after it, when the service
  // serves that path (its endpoint, or a plugin's such as /mcp); none after it, the endpoint.
  const resourcePath = (path: string): string | undefined => {
    if (metadata === false || host === undefined || !path.startsWith(PROTECTED_RESOURCE_PATH)) return undefined;
    const rest = path.slice(PROTECTED_RESOURCE_PATH.length);
    if (rest === "") return host.path;
    return rest.startsWith("/") && !rest.startsWith(PROTECTED_RESOURCE_PATH) && host.allowedMethods(rest) !== undefined ? rest : undefined;
  };
  const metadataUrl = (endpoint: URL): string => `${endpoint.origin}${PROTECTED_RESOURCE_PATH}${endpoint.pathname === "/" ? "" : endpoint.pathname}`;
  const document = (endpoint: URL, service: PluginHost): Record<string, unknown> => {
    const given = metadata === false ? {} : metadata ?? {};
    const servers = given.authorizationServers ?? (issuer === undefined ? undefined : [issuer]);
    const scopes = new Set(service.listMethods().flatMap((method) => (typeof method.scopes === "function" ? [] : method.scopes ?? [])));
    return {
      resource: given.resource ?? endpoint.href,
      ...(servers === undefined ? {} : { authorization_servers: servers }),
      ...(scopes.size === 0 ? {} : { scopes_supported: [...scopes] }),
      bearer_methods_supported: ["header"],
      resource_name: given.resourceName ?? service.name,
      ...(given.documentation === undefined ? {} : { resource_documentation: given.documentation }),
    };
  };

  const check = async (token: string): Promise<Caller> => {
    try {
      const caller = await verifier.verify(token);
      remember(token, caller);
      return caller;
    } catch (error) {
      if (!(error instanceof JwtError)) throw error;
      if (error.reason !== "keys unavailable") throw new RpcError(ErrorCode.AccessDenied, `Access denied: ${error.message}`);
      // The issuer's URL and what went wrong are for the service's log, not for the caller.
      host?.report(error, "jwt");
      throw new RpcError(-32004, "Unavailable: the keys that check tokens could not be fetched");
    }
  };

  return {
    name: "jwt",
    verifier,
    setup(service) {
      host = service;
    },
    authenticate(token: string, ctx: TokenCheckContext, next: ApiTokenValidator | undefined): ReturnType<ApiTokenValidator> {
      // A shared API token (no dots) is the service's own validator's to judge.
      if (next !== undefined && !token.includes(".")) return next(token, ctx);
      const kept = verified.get(token);
      if (kept !== undefined) {
        if (now() < kept.until) return kept.caller;
        verified.delete(token);
      }
      return check(token);
    },

    fetch(request, path) {
      const resource = resourcePath(path);
      if (resource === undefined || host === undefined) return undefined;
      if (request.method !== "GET" && request.method !== "HEAD") return new Response("Method Not Allowed: use GET", { status: 405, headers: { allow: "GET, HEAD" } });
      return Response.json(document(new URL(resource, request.url), host), { headers: { "cache-control": "max-age=300" } });
    },
    allows(path) {
      return resourcePath(path) === undefined ? undefined : "GET, HEAD";
    },
    challenge(endpoint, refused) {
      const parts = [`resource_metadata="${metadataUrl(new URL(endpoint))}"`];
      // RFC 6750 §3: quoted-string values; the reasons are fixed texts of ours, with no quote in them.
      if (refused !== undefined) parts.push('error="invalid_token"', `error_description="${refused.message.replaceAll('"', "'")}"`);
      return `Bearer ${parts.join(", ")}`;
    },
  };
}

/** A whole number option, 0 or more (`Infinity` not allowed: a cache must have a bound). */
function countOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`jwt: ${name} must be a whole number, 0 or more; got ${String(value)}`);
  return value;
}
