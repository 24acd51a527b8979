// The jwt() plugin of tsmicroservice/auth (issue 27): real services on 127.0.0.1 whose callers
// bring tokens minted by jose, keys from a JWKS served by a real HTTP server; ctx.caller and
// scopes from the token; each refusal says why (never the token); an issuer that cannot be
// reached is -32004, reported; a shared API token still works beside JWTs; the RFC 9728 metadata
// and the WWW-Authenticate challenge; and a gateway passing its caller's token to a second service.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { type CallContext, connect, createClient, RpcError, serve, type ServerHandle as ServiceServer, Service } from "../mod.ts";
import { jwt, JwtError, PROTECTED_RESOURCE_PATH } from "../src/auth/mod.ts";

const ISSUER = "https://issuer.example";
const SECRET = "a shared secret of at least thirty-two bytes, for HS256";

/** A JWKS served on 127.0.0.1; `keys` may be changed, `down` makes it answer 503. */
class Issuer {
  keys: JWK[] = [];
  down = false;
  hits = 0;
  readonly #server: Server = createServer((_request, response) => {
    this.hits++;
    if (this.down) return void response.writeHead(503).end();
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: this.keys }));
  });
  url = "";
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/jwks.json`;
  }
  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

async function signer(kid: string): Promise<{ jwk: JWK; privateKey: CryptoKey; sign: (claims?: Record<string, unknown>, expiresIn?: string) => Promise<string> }> {
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  return {
    privateKey,
    jwk: { ...(await exportJWK(publicKey)), kid, alg: "ES256" },
    sign: (claims = {}, expiresIn = "5m") =>
      new SignJWT({ sub: "alice", scope: "orders:read orders:write", ...claims })
        .setProtectedHeader({ alg: "ES256", kid })
        .setIssuer(ISSUER)
        .setAudience("orders")
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(privateKey),
  };
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

async function rpc(url: string, method: string, params: unknown[], headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ jsonrpc: "2.0", method, params, id: 1 }) });
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, unknown>;
}

describe("jwt() on a real server, keys from a JWKS", () => {
  const issuer = new Issuer();
  const reported: unknown[] = [];
  let key: Awaited<ReturnType<typeof signer>>;
  let server: ServiceServer;
  let url = "";

  before(async () => {
    await issuer.start();
    key = await signer("k1");
    issuer.keys = [key.jwk];
    const orders = new Service({ name: "orders", apiTokenIsValid: (token) => token === "shared-api-token", onError: (error) => reported.push(error) })
      .use(jwt({ jwks: issuer.url, issuer: ISSUER, audience: "orders", keyCache: { refreshInterval: 0 } }))
      .privateMethod("whoami", (ctx: CallContext) => ({ subject: ctx.caller?.subject ?? null, scopes: ctx.caller?.scopes ?? null, role: ctx.caller?.claims["role"] ?? null }), { context: true })
      .privateMethod("cancel_order", (id: string, ctx: CallContext) => `${ctx.caller?.subject} cancelled ${id}`, { context: true, scopes: ["orders:write"] })
      .privateMethod("refund", () => "refunded", { scopes: ["payments:refund"] })
      .publicMethod("hello", () => "hello");
    server = await serve(orders, { port: 0, hostname: "127.0.0.1" });
    url = `${server.url}/api`;
  });
  after(async () => {
    await server.close();
    await issuer.stop();
  });

  test("a valid token: the handler sees its subject, scopes and claims", async () => {
    const token = await key.sign({ role: "staff" });
    assert.deepEqual(await rpc(url, "whoami", [], bearer(token)), { jsonrpc: "2.0", result: { subject: "alice", scopes: ["orders:read", "orders:write"], role: "staff" }, id: 1 });
    // The library's own client sends the token in X-Api-Token: the same caller.
    const remote = createClient<{ whoami(): { subject: string } }>(url, { token });
    assert.equal((await remote.methods.whoami()).subject, "alice");
  });

  test("scopes come from the token: -32003 names the missing one", async () => {
    const token = await key.sign();
    assert.deepEqual(await rpc(url, "cancel_order", ["o-7"], bearer(token)), { jsonrpc: "2.0", result: "alice cancelled o-7", id: 1 });
    assert.deepEqual(await rpc(url, "refund", [], bearer(token)), { jsonrpc: "2.0", error: { code: -32003, message: "Forbidden: the scope payments:refund is required" }, id: 1 });
    const reader = await key.sign({ scope: "orders:read" });
    assert.deepEqual(await rpc(url, "cancel_order", ["o-7"], bearer(reader)), { jsonrpc: "2.0", error: { code: -32003, message: "Forbidden: the scope orders:write is required" }, id: 1 });
  });

  test("each refusal is -32001 saying why, never echoing the token", async () => {
    const other = await signer("k1"); // same kid, another key: a signature the JWKS key does not match
    const cases: [string, string][] = [
      [await key.sign({}, "-2m"), "Access denied: the token expired"],
      [await other.sign(), "Access denied: the token's signature does not match"],
      ["a.b.c", "Access denied: a segment of the token has an impossible length"],
      ["not-a-jwt-at-all.x", "Access denied: the token is not three segments separated by dots (JWS compact serialization)"],
    ];
    for (const [token, message] of cases) {
      const answer = await rpc(url, "whoami", [], bearer(token));
      const error = answer["error"] as { code: number; message: string };
      assert.equal(error.code, -32001, message);
      assert.ok(error.message.startsWith("Access denied: "), error.message);
      assert.ok(!JSON.stringify(answer).includes(token), "the token is not echoed");
      assert.equal(error.message, message);
    }
    const wrongAudience = await new SignJWT({ sub: "alice" }).setProtectedHeader({ alg: "ES256", kid: "k1" }).setIssuer(ISSUER).setAudience("payments").setExpirationTime("5m").sign(key.privateKey);
    assert.deepEqual((await rpc(url, "whoami", [], bearer(wrongAudience)))["error"], { code: -32001, message: "Access denied: the token is not meant for orders" });
    assert.deepEqual((await rpc(url, "whoami", []))["error"], { code: -32001, message: "Access denied: a valid API token is required" });
  });

  test("a token that is not a JWT goes to the service's own validator: the shared API token still works", async () => {
    assert.deepEqual(await rpc(url, "whoami", [], { "x-api-token": "shared-api-token" }), { jsonrpc: "2.0", result: { subject: null, scopes: null, role: null }, id: 1 });
    assert.deepEqual((await rpc(url, "whoami", [], { "x-api-token": "wrong" }))["error"], { code: -32001, message: "Access denied: a valid API token is required" });
  });

  test("keys that cannot be fetched: -32004 to the caller (no URL), the cause reported", async () => {
    const rotated = await signer("k2");
    issuer.down = true;
    reported.length = 0;
    try {
      const answer = await rpc(url, "whoami", [], bearer(await rotated.sign()));
      // An unknown kid with the issuer down: the kept set has no such key, so it is unknown.
      assert.equal((answer["error"] as { code: number }).code, -32001);
    } finally {
      issuer.down = false;
    }
    // A fresh verifier with the issuer down from the start: nothing kept at all.
    const down = new Issuer();
    await down.start();
    down.down = true;
    const errors: unknown[] = [];
    const where: string[] = [];
    const service = new Service({ name: "s", onError: (error, info) => {
      errors.push(error);
      where.push(info.method);
    } })
      .use(jwt({ jwks: down.url, issuer: ISSUER, audience: "orders" }))
      .privateMethod("whoami", () => "me");
    try {
      const answer = await service.fetch(new Request("http://localhost/api", { method: "POST", headers: { "content-type": "application/json", ...bearer(await key.sign()) }, body: '{"jsonrpc":"2.0","method":"whoami","id":1}' }));
      const body = await answer.text();
      assert.deepEqual(JSON.parse(body), { jsonrpc: "2.0", error: { code: -32004, message: "Unavailable: the keys that check tokens could not be fetched" }, id: 1 });
      assert.ok(!body.includes("127.0.0.1"), "no URL reaches the caller");
      assert.equal(errors.length, 1);
      assert.ok(errors[0] instanceof JwtError && errors[0].reason === "keys unavailable");
      assert.deepEqual(where, ["jwt"]);
      assert.match((errors[0] as Error).message, /127\.0\.0\.1/);
    } finally {
      await down.stop();
    }
  });

  test("rotation without a restart: a token of a new key verifies once the JWKS has it", async () => {
    const next = await signer("k3");
    issuer.keys = [key.jwk, next.jwk];
    assert.equal(((await rpc(url, "whoami", [], bearer(await next.sign())))["result"] as { subject: string }).subject, "alice");
  });

  test("public methods ask for no token", async () => {
    assert.deepEqual(await rpc(url, "hello", [], bearer("not even a token")), { jsonrpc: "2.0", result: "hello", id: 1 });
  });

  test("the protected-resource metadata (RFC 9728) at both well-known paths", async () => {
    for (const path of [PROTECTED_RESOURCE_PATH, `${PROTECTED_RESOURCE_PATH}/api`]) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get("content-type"), "application/json");
      assert.deepEqual(await response.json(), {
        resource: url,
        authorization_servers: [ISSUER],
        scopes_supported: ["orders:write", "payments:refund"],
        bearer_methods_supported: ["header"],
        resource_name: "orders",
      });
    }
    const head = await fetch(`${server.url}${PROTECTED_RESOURCE_PATH}`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("cache-control"), "max-age=300");
    const post = await fetch(`${server.url}${PROTECTED_RESOURCE_PATH}`, { method: "POST" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
    assert.equal(await post.text(), "Method Not Allowed: use GET");
    for (const unserved of ["/other", PROTECTED_RESOURCE_PATH, "x", `${PROTECTED_RESOURCE_PATH}/api`]) {
      const elsewhere = await fetch(`${server.url}${PROTECTED_RESOURCE_PATH}${unserved}`);
      assert.equal(elsewhere.status, 404, unserved);
      await elsewhere.body?.cancel();
    }
  });
});

describe("jwt() options and faces", () => {
  test("metadata given, or none at all", async () => {
    const given = new Service({ name: "s" }).use(jwt({ secret: SECRET, metadata: { resource: "https://orders.example/api", authorizationServers: ["https://a.example"], resourceName: "Orders", documentation: "https://orders.example/docs" } }));
    const document: unknown = await (await given.fetch(new Request(`http://localhost${PROTECTED_RESOURCE_PATH}`))).json();
    assert.deepEqual(document, {
      resource: "https://orders.example/api",
      authorization_servers: ["https://a.example"],
      bearer_methods_supported: ["header"],
      resource_name: "Orders",
      resource_documentation: "https://orders.example/docs",
    });
    const none = new Service({ name: "s" }).use(jwt({ secret: SECRET, metadata: false }));
    assert.equal((await none.fetch(new Request(`http://localhost${PROTECTED_RESOURCE_PATH}`))).status, 404);
    // What CORS preflights are told: both well-known paths take GET and HEAD, others nothing.
    assert.equal(given.allowedMethods(PROTECTED_RESOURCE_PATH), "GET, HEAD");
    assert.equal(given.allowedMethods(`${PROTECTED_RESOURCE_PATH}/api`), "GET, HEAD");
    assert.equal(given.allowedMethods(`${PROTECTED_RESOURCE_PATH}/other`), undefined);
    // Any path the service serves (a plugin's, here /status) has its own document, for that resource.
    const withRoute = new Service({ name: "r" })
      .use(jwt({ secret: SECRET, issuer: "https://issuer.example" }))
      .use({ name: "status", allows: (path) => (path === "/status" ? "GET" : undefined), fetch: () => undefined });
    assert.equal(withRoute.allowedMethods(`${PROTECTED_RESOURCE_PATH}/status`), "GET, HEAD");
    const status = await (await withRoute.fetch(new Request(`https://orders.example${PROTECTED_RESOURCE_PATH}/status`))).json() as { resource: string };
    assert.equal(status.resource, "https://orders.example/status");
    assert.equal(none.allowedMethods(PROTECTED_RESOURCE_PATH), undefined);
  });

  test("challenge(): the WWW-Authenticate value of a 401, with the reason when a token was refused", () => {
    const plugin = jwt({ secret: SECRET });
    assert.equal(plugin.name, "jwt");
    new Service({ name: "s", path: "/rpc" }).use(plugin);
    assert.equal(plugin.challenge("https://orders.example/rpc"), `Bearer resource_metadata="https://orders.example${PROTECTED_RESOURCE_PATH}/rpc"`);
    // The endpoint as callers reach it (a proxy's prefix included); at the root, no path after.
    assert.equal(plugin.challenge("https://gw.example/orders/rpc"), `Bearer resource_metadata="https://gw.example${PROTECTED_RESOURCE_PATH}/orders/rpc"`);
    assert.equal(plugin.challenge("https://orders.example/"), `Bearer resource_metadata="https://orders.example${PROTECTED_RESOURCE_PATH}"`);
    assert.equal(
      plugin.challenge(new URL("https://orders.example/rpc"), new JwtError("expired", 'the token has "expired"')),
      `Bearer resource_metadata="https://orders.example${PROTECTED_RESOURCE_PATH}/rpc", error="invalid_token", error_description="the token has 'expired'"`,
    );
  });

  test("an HS256 secret, and a verifier's options checked when the plugin is made", async () => {
    assert.throws(() => jwt({ audience: "orders" }), /exactly one of secret, publicKey, jwks or oidc/);
    const service = new Service({ name: "s" }).use(jwt({ secret: SECRET, audience: "orders" })).privateMethod("whoami", (ctx: CallContext) => ctx.caller?.subject, { context: true });
    const token = await new SignJWT({ sub: "bob" }).setProtectedHeader({ alg: "HS256" }).setAudience("orders").setExpirationTime("1m").sign(new TextEncoder().encode(SECRET));
    const response = await service.fetch(new Request("http://localhost/api", { method: "POST", headers: { "content-type": "application/json", ...bearer(token) }, body: '{"jsonrpc":"2.0","method":"whoami","id":1}' }));
    assert.deepEqual(await response.json(), { jsonrpc: "2.0", result: "bob", id: 1 });
  });
});

describe("jwt()'s cache of verified tokens", () => {
  // A verifier whose WebCrypto checks are counted: each check not served by the cache is one.
  const counting = (maxTokens = 2): { service: Service; checks: () => number; clock: { now: number } } => {
    const clock = { now: 1_800_000_000_000 };
    const plugin = jwt({ secret: SECRET, audience: "orders", now: () => clock.now, tokenCache: { maxTokens, maxAge: 10_000 } });
    let count = 0;
    const verify = plugin.verifier.verify.bind(plugin.verifier);
    Object.assign(plugin.verifier, { verify: (token: string) => (count++, verify(token)) });
    const service = new Service({ name: "s" }).use(plugin).privateMethod("whoami", (ctx: CallContext) => ctx.caller?.subject, { context: true });
    return { service, checks: () => count, clock };
  };
  const hs256 = (sub: string, exp: number): Promise<string> =>
    new SignJWT({ sub }).setProtectedHeader({ alg: "HS256" }).setAudience("orders").setExpirationTime(exp).sign(new TextEncoder().encode(SECRET));
  const whoami = async (service: Service, token: string): Promise<unknown> => {
    const response = await service.fetch(new Request("http://localhost/api", { method: "POST", headers: { "content-type": "application/json", ...bearer(token) }, body: '{"jsonrpc":"2.0","method":"whoami","id":1}' }));
    const answer = (await response.json()) as { result?: unknown; error?: { code: number } };
    return answer.result ?? answer.error?.code;
  };

  test("the same token is checked once, until maxAge", async () => {
    const { service, checks, clock } = counting();
    const token = await hs256("ann", 1_800_003_600);
    for (let i = 0; i < 5; i++) assert.equal(await whoami(service, token), "ann");
    assert.equal(checks(), 1);
    clock.now += 9_999;
    assert.equal(await whoami(service, token), "ann");
    assert.equal(checks(), 1);
    clock.now += 1;
    assert.equal(await whoami(service, token), "ann");
    assert.equal(checks(), 2, "maxAge later: checked again");
  });

  test("never past the token's exp: then it is refused", async () => {
    const { service, checks, clock } = counting();
    const token = await hs256("ben", 1_800_000_005);
    assert.equal(await whoami(service, token), "ben");
    clock.now += 4_999;
    assert.equal(await whoami(service, token), "ben");
    assert.equal(checks(), 1);
    clock.now += 1 + 31_000; // past exp and the 30 s leeway
    assert.equal(await whoami(service, token), -32001);
    assert.equal(checks(), 2);
  });

  test("kept until exp even within the leeway, and until iat + maxAge when the verifier has one", async () => {
    const { service, checks, clock } = counting();
    const token = await hs256("cy", 1_800_000_005);
    assert.equal(await whoami(service, token), "cy");
    clock.now += 5_000; // at exp: still valid for 30 s of leeway, but no longer kept
    assert.equal(await whoami(service, token), "cy");
    assert.equal(checks(), 2);
    const clock2 = { now: 1_800_000_000_000 };
    const aged = jwt({ secret: SECRET, maxAge: 20, now: () => clock2.now });
    let count = 0;
    const verify = aged.verifier.verify.bind(aged.verifier);
    Object.assign(aged.verifier, { verify: (t: string) => (count++, verify(t)) });
    const agedService = new Service({ name: "a" }).use(aged).privateMethod("whoami", (ctx: CallContext) => ctx.caller?.subject, { context: true });
    const issued = await new SignJWT({ sub: "di" }).setProtectedHeader({ alg: "HS256" }).setIssuedAt(1_800_000_000 - 15).setExpirationTime(1_800_003_600).sign(new TextEncoder().encode(SECRET));
    assert.equal(await whoami(agedService, issued), "di");
    clock2.now += 4_999;
    assert.equal(await whoami(agedService, issued), "di");
    assert.equal(count, 1);
    clock2.now += 1; // iat + maxAge: checked again (still within the leeway)
    assert.equal(await whoami(agedService, issued), "di");
    assert.equal(count, 2);
  });

  test("by default: 1000 tokens, 60 s", async () => {
    const clock = { now: 1_800_000_000_000 };
    const plugin = jwt({ secret: SECRET, now: () => clock.now });
    let count = 0;
    const verify = plugin.verifier.verify.bind(plugin.verifier);
    Object.assign(plugin.verifier, { verify: (t: string) => (count++, verify(t)) });
    const service = new Service({ name: "d" }).use(plugin).privateMethod("whoami", (ctx: CallContext) => ctx.caller?.subject, { context: true });
    const tokens = await Promise.all(Array.from({ length: 1_001 }, (_, i) => hs256(`u${i}`, 1_800_003_600)));
    for (const token of tokens) assert.ok(await plugin.authenticate?.(token, { method: "whoami", headers: new Headers() }, undefined));
    assert.equal(count, 1_001);
    assert.equal(await whoami(service, tokens[2]!), "u2");
    assert.equal(count, 1_001, "the third is kept");
    assert.equal(await whoami(service, tokens[0]!), "u0");
    assert.equal(count, 1_002, "the first was dropped for the 1001st");
    clock.now += 59_999;
    assert.equal(await whoami(service, tokens[2]!), "u2");
    assert.equal(count, 1_002);
    clock.now += 1;
    assert.equal(await whoami(service, tokens[2]!), "u2");
    assert.equal(count, 1_003, "60 s later: checked again");
  });

  test("a token checked again after maxAge counts as new: the oldest is dropped, not it", async () => {
    const { service, checks, clock } = counting(3); // maxAge 10 s
    const [a, b, c, d] = await Promise.all(["a", "b", "c", "d"].map((sub) => hs256(sub, 1_800_003_600)));
    await whoami(service, a!);
    await whoami(service, b!);
    clock.now += 10_000;
    await whoami(service, a!); // expired from the cache: checked again, now the newest
    assert.equal(checks(), 3);
    await whoami(service, c!);
    await whoami(service, d!); // full: drops the oldest, b
    await whoami(service, a!);
    assert.equal(checks(), 5, "a is still kept");
  });

  test("at most maxTokens, the oldest dropped; refusals are never kept; false keeps none", async () => {
    const { service, checks } = counting();
    const [a, b, c] = await Promise.all(["a", "b", "c"].map((sub) => hs256(sub, 1_800_003_600)));
    for (const token of [a, b, c, b, c]) await whoami(service, token!);
    assert.equal(checks(), 3, "b and c kept");
    await whoami(service, a!);
    assert.equal(checks(), 4, "a was dropped for c");
    const bad = `${a!.slice(0, -2)}xx`;
    await whoami(service, bad);
    await whoami(service, bad);
    assert.equal(checks(), 6);
    const uncached = jwt({ secret: SECRET, tokenCache: false });
    let count = 0;
    const verify = uncached.verifier.verify.bind(uncached.verifier);
    Object.assign(uncached.verifier, { verify: (token: string) => (count++, verify(token)) });
    const plain = new Service({ name: "p" }).use(uncached).privateMethod("whoami", () => "me");
    await whoami(plain, a!);
    await whoami(plain, a!);
    assert.equal(count, 2);
    const none = counting(0);
    await whoami(none.service, a!);
    await whoami(none.service, a!);
    assert.equal(none.checks(), 2, "maxTokens 0 keeps none");
    assert.throws(() => jwt({ secret: SECRET, tokenCache: { maxTokens: -1 } }), /tokenCache.maxTokens must be a whole number, 0 or more; got -1/);
    assert.throws(() => jwt({ secret: SECRET, tokenCache: { maxAge: Infinity } }), /tokenCache.maxAge/);
  });
});

describe("a gateway passes its caller's token on, across two services", () => {
  const issuer = new Issuer();
  const servers: ServiceServer[] = [];
  let key: Awaited<ReturnType<typeof signer>>;
  let gatewayUrl = "";

  before(async () => {
    await issuer.start();
    key = await signer("g1");
    issuer.keys = [key.jwk];
    const identity = { jwks: issuer.url, issuer: ISSUER, audience: "orders" };
    const orders = new Service({ name: "orders" })
      .use(jwt(identity))
      .privateMethod("cancel_order", (id: string, ctx: CallContext) => `${ctx.caller?.subject} cancelled ${id}`, { context: true, scopes: ["orders:write"] });
    servers.push(await serve(orders, { port: 0, hostname: "127.0.0.1" }));
    const remote = await connect<typeof orders>(`${servers[0]!.url}/api`);
    const gateway = new Service({ name: "gateway" })
      .use(jwt(identity))
      .privateMethod("cancel", (id: string, ctx: CallContext) => remote.call("cancel_order", [id], { token: ctx.token }), { context: true });
    servers.push(await serve(gateway, { port: 0, hostname: "127.0.0.1" }));
    gatewayUrl = `${servers[1]!.url}/api`;
  });
  after(async () => {
    for (const server of servers) await server.close();
    await issuer.stop();
  });

  test("the second service sees the first caller's subject and scopes", async () => {
    assert.deepEqual(await rpc(gatewayUrl, "cancel", ["o-1"], bearer(await key.sign({ sub: "carol" }))), { jsonrpc: "2.0", result: "carol cancelled o-1", id: 1 });
  });

  test("a caller without the scope is refused by the second service, whatever the gateway holds", async () => {
    const answer = await rpc(gatewayUrl, "cancel", ["o-1"], bearer(await key.sign({ scope: "orders:read" })));
    // The upstream's -32003 is about that hop: the gateway's own caller sees an internal error.
    assert.equal((answer["error"] as { code: number }).code, -32603);
    const direct = createClient<{ cancel_order(id: string): string }>(`${servers[0]!.url}/api`, { token: await key.sign({ scope: "orders:read" }) });
    await assert.rejects(direct.methods.cancel_order("o-1"), (error: unknown) => error instanceof RpcError && error.code === -32003);
  });
});
