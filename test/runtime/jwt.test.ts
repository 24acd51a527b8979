// The jwt() plugin on Node.js, Deno and Bun: each runtime serves test/runtime/fixtures/jwt_server.ts,
// its keys from a JWKS this test serves on 127.0.0.1, its callers bringing tokens minted by jose.
// Handlers see the same caller everywhere, scopes refuse alike, and the caller's token is passed
// on to a second service (run here, on Node) by the client's per-call `token`.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { type CallContext, serve, type ServerHandle as Server, Service } from "../../mod.ts";
import { jwt } from "../../src/auth/mod.ts";
import { childEnv, runCommand, type RunningProcess, RUNTIMES, startProcess, stopAll } from "./processes.ts";

after(stopAll);

const ISSUER = "https://issuer.example";

describe("jwt() on every runtime", { timeout: 120_000 }, () => {
  let sign: (claims: Record<string, unknown>, expiresIn?: string) => Promise<string>;
  const jwks = createServer();
  let jwksUrl = "";
  let inner: Server;
  let innerUrl = "";

  before(async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    const body = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: "rt-1", alg: "ES256" }] });
    jwks.on("request", (_request, response) => response.writeHead(200, { "content-type": "application/json" }).end(body));
    await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    sign = (claims, expiresIn = "10m") => new SignJWT({ scope: "orders:read", ...claims }).setProtectedHeader({ alg: "ES256", kid: "rt-1" }).setIssuer(ISSUER).setAudience("orders").setExpirationTime(expiresIn).sign(privateKey);
    // The second hop: it sees whichever caller the first passed on.
    const second = new Service({ name: "second" })
      .use(jwt({ jwks: jwksUrl, issuer: ISSUER, audience: "orders" }))
      .privateMethod("whoami", (ctx: CallContext) => ctx.caller?.subject ?? null, { context: true });
    inner = await serve(second, { hostname: "127.0.0.1", port: 0 });
    innerUrl = `${inner.url}/api`;
  });
  after(async () => {
    await inner.close();
    jwks.closeAllConnections();
    await new Promise((resolve) => jwks.close(resolve));
  });

  for (const runtime of RUNTIMES) {
    describe(runtime, () => {
      let child: RunningProcess;
      let url = "";
      before(async () => {
        const [command, args] = runCommand(runtime, "test/runtime/fixtures/jwt_server.ts");
        child = startProcess(command, args, childEnv({ JWKS_URL: jwksUrl, UPSTREAM_URL: innerUrl }));
        const [, base] = await child.waitForLine(/^listening at (http:\/\/\S+)$/, 60_000);
        url = `${base}/api`;
      });
      after(() => child.stop());

      const rpc = async (method: string, params: unknown[], token?: string): Promise<Record<string, unknown>> => {
        const headers: Record<string, string> = { "content-type": "application/json", ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) };
        const response = await fetch(url, { method: "POST", headers, body: JSON.stringify({ jsonrpc: "2.0", method, params, id: 1 }) });
        return (await response.json()) as Record<string, unknown>;
      };

      test("the handler sees the token's caller", async () => {
        assert.deepEqual(await rpc("whoami", [], await sign({ sub: "dana" })), { jsonrpc: "2.0", result: { runtime, subject: "dana", scopes: ["orders:read"] }, id: 1 });
      });

      test("scopes: -32003 without, the method with", async () => {
        assert.deepEqual(await rpc("cancel_order", ["o-1"], await sign({ sub: "dana" })), { jsonrpc: "2.0", error: { code: -32003, message: "Forbidden: the scope orders:write is required" }, id: 1 });
        assert.deepEqual(await rpc("cancel_order", ["o-1"], await sign({ sub: "dana", scope: "orders:write" })), { jsonrpc: "2.0", result: "dana cancelled o-1", id: 1 });
      });

      test("refusals say why: expired, no token", async () => {
        assert.deepEqual((await rpc("whoami", [], await sign({}, "-2m")))["error"], { code: -32001, message: "Access denied: the token expired" });
        assert.deepEqual((await rpc("whoami", []))["error"], { code: -32001, message: "Access denied: a valid API token is required" });
      });

      test("the caller's token goes on to the second service", async () => {
        assert.deepEqual(await rpc("relay", [], await sign({ sub: "erin" })), { jsonrpc: "2.0", result: "erin", id: 1 });
      });
    });
  }
});
