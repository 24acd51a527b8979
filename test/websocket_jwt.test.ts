// Who is calling, over a WebSocket: the JWT given at the upgrade (as a header, or as a browser's
// bearer subprotocol) is checked by jwt() for every call, as over HTTP: ctx.caller, scopes
// (-32003), an expired token (-32001, never echoed), a token expiring while the connection is open.
// A real server (serve() on Node.js) and the `ws` package's client; tokens signed with `jose`.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SignJWT } from "jose";
import WebSocket from "ws";
import { type CallContext, serve, Service } from "../mod.ts";
import { jwt } from "../src/auth/mod.ts";
import { webSocket } from "../src/websocket/mod.ts";

const SECRET = "a websocket test secret of 32+ bytes!!";
const key = new TextEncoder().encode(SECRET);

async function token(claims: Record<string, unknown>, expiresIn: string | number = "5m"): Promise<string> {
  return await new SignJWT({ sub: "user-7", ...claims })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer("https://issuer.test")
    .setAudience("orders")
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key);
}

const service = new Service({ name: "orders" })
  .use(jwt({ secret: SECRET, issuer: "https://issuer.test", audience: "orders", leeway: 0 }))
  .use(webSocket())
  .privateMethod("whoami", (ctx: CallContext) => ctx.caller?.subject ?? null, { context: true })
  .privateMethod("cancel", (id: string) => `cancelled ${id}`, { scopes: ["orders:write"] });

/** Opens a socket and calls methods over it, one answer at a time. */
async function socketTo(url: string, options: { headers?: Record<string, string>; protocols?: string[] }): Promise<{ call(method: string, params?: unknown[]): Promise<Record<string, unknown>>; texts: string[]; close(): void }> {
  const socket = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {} });
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  const texts: string[] = [];
  let id = 0;
  return {
    texts,
    call: (method, params = []) => new Promise((resolve) => {
      const mine = ++id;
      const listener = (data: Buffer): void => {
        const text = data.toString("utf8");
        texts.push(text);
        const answer = JSON.parse(text) as Record<string, unknown>;
        if (answer["id"] !== mine) return;
        socket.off("message", listener);
        resolve(answer);
      };
      socket.on("message", listener);
      socket.send(JSON.stringify({ jsonrpc: "2.0", method, params, id: mine }));
    }),
    close: () => socket.close(),
  };
}

describe("jwt() over a WebSocket", () => {
  let server: Awaited<ReturnType<typeof serve>>;
  let url: string;
  before(async () => {
    server = await serve(service, { hostname: "127.0.0.1", port: 0 });
    url = `ws://127.0.0.1:${server.port}/api`;
  });
  after(() => server.close());

  test("the token of the upgrade is the caller of every call: ctx.caller, scopes, no token", async () => {
    const writer = await socketTo(url, { headers: { authorization: `Bearer ${await token({ scope: "orders:write" })}` } });
    assert.deepEqual((await writer.call("whoami"))["result"], "user-7");
    assert.deepEqual((await writer.call("cancel", ["o-1"]))["result"], "cancelled o-1");
    writer.close();
    const reader = await socketTo(url, { headers: { authorization: `Bearer ${await token({ scope: "orders:read" })}` } });
    const refused = (await reader.call("cancel", ["o-1"]))["error"] as { code: number; message: string };
    assert.equal(refused.code, -32003);
    assert.match(refused.message, /orders:write/);
    reader.close();
    const anonymous = await socketTo(url, {});
    assert.equal(((await anonymous.call("cancel", ["o-1"]))["error"] as { code: number })["code"], -32001);
    assert.equal(((await anonymous.call("whoami"))["error"] as { code: number })["code"], -32001);
    anonymous.close();
  });

  test("a browser's bearer subprotocol works as the header does", async () => {
    const browserLike = await socketTo(url, { protocols: ["jsonrpc", `bearer.${await token({ scope: "orders:write" })}`] });
    assert.deepEqual((await browserLike.call("cancel", ["o-2"]))["result"], "cancelled o-2");
    browserLike.close();
  });

  test("an expired token is refused with why, and never echoed; a token that expires on an open connection stops opening private methods", async () => {
    const expired = await token({ scope: "orders:write" }, Math.floor(Date.now() / 1000) - 120);
    const stale = await socketTo(url, { headers: { authorization: `Bearer ${expired}` } });
    const refused = (await stale.call("cancel", ["o-3"]))["error"] as { code: number; message: string };
    assert.equal(refused.code, -32001);
    assert.match(refused.message, /expired/);
    assert.ok(stale.texts.every((text) => !text.includes(expired)), "the token is never in an answer");
    stale.close();
    const shortLived = await socketTo(url, { headers: { authorization: `Bearer ${await token({ scope: "orders:write" }, Math.floor(Date.now() / 1000) + 2)}` } });
    assert.deepEqual((await shortLived.call("cancel", ["o-4"]))["result"], "cancelled o-4");
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.equal(((await shortLived.call("cancel", ["o-5"]))["error"] as { code: number })["code"], -32001);
    shortLived.close();
  });
});
