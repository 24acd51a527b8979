// Token functions for a client's `token` option: clientCredentials() against an OAuth 2.0 token
// endpoint served on loopback by the test (the grant's request as RFC 6749 §4.4 has it, the token
// kept until shortly before it expires, one request for concurrent calls, refusals said without
// the secret), and fileToken() re-reading a file once its maxAge has passed.
import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { clientCredentials } from "../src/auth/client_credentials.ts";
import { fileToken } from "../src/auth/file_token.ts";
import { createClient, Service } from "../mod.ts";

interface TokenRequest {
  readonly accept: string | undefined;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly form: URLSearchParams;
}

describe("clientCredentials()", () => {
  const asked: TokenRequest[] = [];
  let answer: { status: number; body: string } = { status: 200, body: "" };
  let issued = 0;
  let server: Server;
  let tokenUrl = "";
  before(async () => {
    server = createServer((request: IncomingMessage, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        asked.push({ accept: request.headers.accept, authorization: request.headers.authorization, contentType: request.headers["content-type"], form: new URLSearchParams(body) });
        issued++;
        const text = answer.body === "" ? JSON.stringify({ access_token: `token-${issued}`, token_type: "Bearer", expires_in: 300 }) : answer.body;
        response.writeHead(answer.status, { "content-type": "application/json" }).end(text);
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    tokenUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/oauth/token`;
  });
  after(() => {
    server.close();
  });

  test("asks with the grant, Basic credentials (form-encoded first) and the scope, and keeps the token until 60 s before it expires", async () => {
    asked.length = 0;
    issued = 0;
    answer = { status: 200, body: "" };
    let clock = 1_000_000;
    const token = clientCredentials({ tokenUrl, clientId: "orders service", clientSecret: "s3cret:+/", scope: "billing:charge", audience: "billing", now: () => clock });
    assert.equal(await token(), "token-1");
    assert.equal(asked.length, 1);
    const first = asked[0] as TokenRequest;
    assert.equal(first.authorization, `Basic ${btoa("orders+service:s3cret%3A%2B%2F")}`);
    assert.equal(first.contentType, "application/x-www-form-urlencoded");
    assert.equal(first.accept, "application/json");
    assert.deepEqual([...first.form.entries()], [["grant_type", "client_credentials"], ["scope", "billing:charge"], ["audience", "billing"]]);
    clock += 239_999; // 300 s lifetime, renewed 60 s before: still kept just before 240 s
    assert.equal(await token(), "token-1");
    assert.equal(asked.length, 1);
    clock += 1; // 240 s: renewed
    assert.equal(await token(), "token-2");
    assert.equal(asked.length, 2);
  });

  test("renewBefore is in seconds; without a usable expires_in a token is kept 60 s; a lifetime shorter than renewBefore is renewed at each call", async () => {
    issued = 0;
    let clock = 5_000_000;
    answer = { status: 200, body: "" };
    const early = clientCredentials({ tokenUrl, clientId: "a", clientSecret: "b", renewBefore: 10, now: () => clock });
    assert.equal(await early(), "token-1");
    clock += 289_999;
    assert.equal(await early(), "token-1");
    clock += 1;
    assert.equal(await early(), "token-2");
    for (const expires of [undefined, 0]) {
      answer = { status: 200, body: JSON.stringify({ access_token: `lasting-${String(expires)}`, token_type: "Bearer", ...(expires === undefined ? {} : { expires_in: expires }) }) };
      const start = clock;
      const lasting = clientCredentials({ tokenUrl, clientId: "a", clientSecret: "b", now: () => clock });
      assert.equal(await lasting(), `lasting-${String(expires)}`);
      answer = { status: 200, body: JSON.stringify({ access_token: "renewed", token_type: "Bearer", expires_in: 300 }) };
      clock = start + 59_999;
      assert.equal(await lasting(), `lasting-${String(expires)}`);
      clock = start + 60_000;
      assert.equal(await lasting(), "renewed");
    }
    answer = { status: 200, body: JSON.stringify({ access_token: "brief", token_type: "Bearer", expires_in: 1 }) };
    const brief = clientCredentials({ tokenUrl, clientId: "a", clientSecret: "b", now: () => clock });
    assert.equal(await brief(), "brief");
    answer = { status: 200, body: JSON.stringify({ access_token: "next", token_type: "Bearer", expires_in: 1 }) };
    assert.equal(await brief(), "next", "asked again at once, on the same clock");
    answer = { status: 200, body: "" };
  });

  test("an answer of 64 KiB is read, a longer one is not; a long token type is named cut to 20 characters", async () => {
    const padded = (length: number): string => {
      const base = JSON.stringify({ access_token: "big", token_type: "Bearer", pad: "" });
      return JSON.stringify({ access_token: "big", token_type: "Bearer", pad: "x".repeat(length - base.length) });
    };
    answer = { status: 200, body: padded(65_536) };
    assert.equal(await clientCredentials({ tokenUrl, clientId: "a", clientSecret: "b" })(), "big");
    answer = { status: 200, body: padded(65_537) };
    await assert.rejects(clientCredentials({ tokenUrl, clientId: "a", clientSecret: "b" })(), /refused \(HTTP 200\)/);
    answer = { status: 200, body: JSON.stringify({ access_token: "t", token_type: "Y".repeat(30) }) };
    await assert.rejects(clientCredentials({ tokenUrl, clientId: "a", clientSecret: "b" })(), new Error(`clientCredentials: the token endpoint gave a ${"Y".repeat(20)} token, not a bearer token`));
    answer = { status: 200, body: "" };
  });

  test("concurrent calls share one request to the issuer", async () => {
    asked.length = 0;
    issued = 0;
    const token = clientCredentials({ tokenUrl, clientId: "orders", clientSecret: "s3cret" });
    assert.deepEqual(await Promise.all([token(), token(), token()]), ["token-1", "token-1", "token-1"]);
    assert.equal(asked.length, 1);
  });

  test("a refusal rejects naming the issuer's error code, never the secret; the next call asks again", async () => {
    asked.length = 0;
    answer = { status: 401, body: JSON.stringify({ error: "invalid_client", error_description: "bad secret s3cret" }) };
    const token = clientCredentials({ tokenUrl, clientId: "orders", clientSecret: "s3cret" });
    await assert.rejects(token(), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.equal(error.message, `clientCredentials: the token endpoint ${new URL(tokenUrl).origin}/oauth/token refused (HTTP 401: invalid_client)`);
      assert.ok(!error.message.includes("s3cret"));
      return true;
    });
    answer = { status: 200, body: JSON.stringify({ token_type: "bearer" }) };
    await assert.rejects(token(), /refused \(HTTP 200\)/);
    answer = { status: 200, body: JSON.stringify({ access_token: "mac-token", token_type: "MAC" }) };
    await assert.rejects(token(), /a MAC token, not a bearer token/);
    assert.equal(asked.length, 3);
    answer = { status: 200, body: "" };
  });

  test("a client sends the token it gets, and the service that checks it answers", async () => {
    asked.length = 0;
    issued = 0;
    const service = new Service({ name: "billing", apiTokenIsValid: (given) => given === "token-1" }).privateMethod("charge", (cents: number) => cents);
    const remote = createClient<typeof service>("http://localhost/api", {
      token: clientCredentials({ tokenUrl, clientId: "orders", clientSecret: "s3cret" }),
      fetch: (url, init) => service.fetch(new Request(url, init)),
    });
    assert.equal(await remote.methods.charge(250), 250);
    assert.equal(await remote.methods.charge(100), 100);
    assert.equal(asked.length, 1);
  });

  test("refuses a token URL that is not http(s), and empty credentials", () => {
    assert.throws(() => clientCredentials({ tokenUrl: "file:///etc/passwd", clientId: "a", clientSecret: "b" }), /must be an http\(s\) URL/);
    assert.doesNotThrow(() => clientCredentials({ tokenUrl: "https://issuer.example/oauth/token", clientId: "a", clientSecret: "b" }));
    assert.throws(() => clientCredentials({ tokenUrl, clientId: "", clientSecret: "b" }), /must not be empty/);
    assert.throws(() => clientCredentials({ tokenUrl, clientId: "a", clientSecret: "" }), /must not be empty/);
  });
});

describe("fileToken()", () => {
  const folder = mkdtempSync(join(tmpdir(), "tsmicroservice-token-"));
  after(() => rmSync(folder, { recursive: true, force: true }));

  test("reads the token (trimmed), keeps it for maxAge, then reads the rotated one", async () => {
    const path = join(folder, "token");
    writeFileSync(path, "first-token\n");
    let clock = 0;
    const token = fileToken(path, { maxAge: 30, now: () => clock });
    assert.equal(await token(), "first-token");
    writeFileSync(path, "second-token\n");
    clock = 29_999;
    assert.equal(await token(), "first-token");
    clock = 30_000;
    assert.equal(await token(), "second-token");
  });

  test("an empty or missing file rejects the call", async () => {
    const empty = join(folder, "empty");
    writeFileSync(empty, " \n");
    await assert.rejects(fileToken(empty)(), new Error(`fileToken: ${empty} is empty`));
    await assert.rejects(fileToken(join(folder, "missing"))(), (error: unknown) => (error as { code?: string }).code === "ENOENT");
  });

  test("by default a token is read again once a minute has passed", async () => {
    let reads = 0;
    let clock = 1_000_000;
    const token = fileToken("/any", { readFile: () => Promise.resolve(`t${String(++reads)}`), now: () => clock });
    assert.equal(await token(), "t1");
    clock += 59_999;
    assert.equal(await token(), "t1");
    clock += 1;
    assert.equal(await token(), "t2");
  });

  test("concurrent calls share one read", async () => {
    let reads = 0;
    const token = fileToken("/any", { readFile: async () => (reads++, await Promise.resolve("t")) });
    assert.deepEqual(await Promise.all([token(), token()]), ["t", "t"]);
    assert.equal(reads, 1);
  });
});
