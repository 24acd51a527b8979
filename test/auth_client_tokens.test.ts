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
        asked.push({ authorization: request.headers.authorization, contentType: request.headers["content-type"], form: new URLSearchParams(body) });
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
    assert.deepEqual([...first.form.entries()], [["grant_type", "client_credentials"], ["scope", "billing:charge"], ["audience", "billing"]]);
    clock += 239_000; // 300 s lifetime, renewed 60 s before: still kept at 239 s
    assert.equal(await token(), "token-1");
    assert.equal(asked.length, 1);
    clock += 1_000; // 240 s: renewed
    assert.equal(await token(), "token-2");
    assert.equal(asked.length, 2);
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

  test("concurrent calls share one read", async () => {
    let reads = 0;
    const token = fileToken("/any", { readFile: async () => (reads++, await Promise.resolve("t")) });
    assert.deepEqual(await Promise.all([token(), token()]), ["t", "t"]);
    assert.equal(reads, 1);
  });
});
