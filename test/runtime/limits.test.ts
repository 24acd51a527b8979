// Every limit hit for real over a socket on Node.js, Deno and Bun, and the server still answers
// the next call: body size (declared and chunked), batch length, params depth, call timeout, and
// slow clients (a body that trickles in on every runtime; headers where the runtime can cut them).
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { ErrorCode } from "../../mod.ts";
import { RUNTIMES, stopAll } from "./processes.ts";
import { type ChildServer, rpc, startExample } from "./servers.ts";

after(stopAll);

/** Writes raw bytes on a fresh connection and reads until the server closes it or 5 s pass. */
function raw(port: number, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(received);
    }, 5000);
    socket.on("data", (chunk) => {
      received += chunk.toString();
      // One whole answer is enough: some runtimes keep the connection open.
      if (/\r\n\r\n[\s\S]*\}$/.test(received)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(received);
      }
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on("error", reject);
    socket.write(data);
  });
}

interface Trickle {
  /** What the server sent. */
  readonly received: string;
  /** Whether the server closed the connection (rather than the 20 s patience running out). */
  readonly closed: boolean;
}

/**
 * Sends `head` on a fresh connection, then one more `piece` every 100 ms, never finishing: the
 * client is never silent, only slow. Reads until the server closes the connection or `patience`
 * ms (default 20 s) pass.
 */
function trickle(port: number, head: string, piece: string, patience = 20_000): Promise<Trickle> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    const drip = setInterval(() => socket.write(piece), 100);
    const finish = (closed: boolean): void => {
      clearInterval(drip);
      clearTimeout(waiting);
      socket.destroy();
      resolve({ received, closed });
    };
    const waiting = setTimeout(() => finish(false), patience);
    socket.on("data", (chunk) => (received += chunk.toString()));
    socket.on("close", () => finish(true));
    // A write racing the server's close may fail: the close is what is looked for.
    socket.on("error", (error: NodeJS.ErrnoException) => (error.code === "EPIPE" || error.code === "ECONNRESET" ? finish(true) : reject(error)));
    socket.write(head);
  });
}

const BODY_TIMEOUT_ERROR = '{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request: The request body did not arrive within 500 ms"},"id":null}';

describe("limits over real sockets", { concurrency: true, timeout: 60_000 }, () => {
  for (const runtime of RUNTIMES) {
    describe(runtime, { concurrency: false }, () => {
      let server: ChildServer;
      before(async () => {
        server = await startExample(runtime, "test/runtime/fixtures/limits_server.ts");
      });

      async function stillServes(): Promise<void> {
        const answer = await rpc(server, '{"jsonrpc":"2.0","method":"echo","params":["ok"],"id":"next"}');
        assert.deepEqual(answer.json, { jsonrpc: "2.0", result: "ok", id: "next" });
      }

      test("a body over the limit with a Content-Length is 413 with a JSON-RPC error", async () => {
        const answer = await rpc(server, JSON.stringify({ jsonrpc: "2.0", method: "echo", params: ["x".repeat(300)], id: 1 }));
        assert.equal(answer.status, 413);
        assert.deepEqual(answer.json, {
          jsonrpc: "2.0",
          error: { code: ErrorCode.InvalidRequest, message: "Invalid Request: The request body exceeds 200 bytes" },
          id: null,
        });
        await stillServes();
      });

      test("a body of exactly the limit is read, with a Content-Length and streamed alike", async () => {
        const frame = '{"jsonrpc":"2.0","method":"echo","params":[""],"id":1}';
        const exact = frame.replace('""', `"${"x".repeat(200 - frame.length)}"`);
        assert.equal(Buffer.byteLength(exact), 200);
        const declared = await raw(server.port, `POST /api HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\nConnection: close\r\n\r\n${exact}`);
        assert.match(declared, /^HTTP\/1\.1 200 /);
        assert.match(declared, /"result":"x+"/);
        const streamed = await raw(server.port, `POST /api HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${(200).toString(16)}\r\n${exact}\r\n0\r\n\r\n`);
        assert.match(streamed, /^HTTP\/1\.1 200 /);
      });

      test("a chunked body over the limit is 413", async () => {
        const chunk = "x".repeat(100);
        const reply = await raw(
          server.port,
          "POST /api HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
            `${chunk.length.toString(16)}\r\n${chunk}\r\n`.repeat(4) + "0\r\n\r\n",
        );
        assert.match(reply, /^HTTP\/1\.1 413 /);
        assert.match(reply, /exceeds 200 bytes/);
        await stillServes();
      });

      test("a batch over the limit is one Invalid Request error", async () => {
        const entry = '{"jsonrpc":"2.0","method":"echo","id":1}';
        const answer = await rpc(server, `[${[entry, entry, entry, entry].join(",")}]`);
        assert.equal(answer.status, 200);
        assert.deepEqual(answer.json, {
          jsonrpc: "2.0",
          error: { code: ErrorCode.InvalidRequest, message: "Invalid Request: a batch of 4 entries exceeds the limit of 3" },
          id: null,
        });
        await stillServes();
      });

      test("params nested over the limit are -32600 with the call's id", async () => {
        const answer = await rpc(server, '{"jsonrpc":"2.0","method":"echo","params":[[[[[1]]]]],"id":7}');
        assert.deepEqual(answer.json, {
          jsonrpc: "2.0",
          error: { code: ErrorCode.InvalidRequest, message: "Invalid Request: params nest deeper than 4 levels" },
          id: 7,
        });
        await stillServes();
      });

      // Under serve() on Deno, bodies are not watched: Deno keeps a slow client's connection and
      // reads its body whatever the service answers (a 408 with Connection: close included).
      if (runtime === "deno") {
        test("a body that trickles in is waited for under serve() on Deno", async () => {
          const slow = await trickle(
            server.port,
            'POST /api HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 150\r\n\r\n{"jsonrpc":"2.0","method":"echo","params":["',
            "x",
            1_500, // three times the fixture's bodyTimeout
          );
          assert.deepEqual(slow, { received: "", closed: false });
          await stillServes();
        });
      } else {
        test("a body that trickles in is cut off after bodyTimeout: 408, connection closed", async () => {
          // On Node.js the cut is Node's own (after requestTimeout + bodyTimeout), a bare 408; on Bun
          // it is the service's, with a JSON-RPC error.
          const declared = await trickle(
            server.port,
            'POST /api HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 150\r\n\r\n{"jsonrpc":"2.0","method":"echo","params":["',
            "x",
          );
          const chunked = await trickle(
            server.port,
            "POST /api HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
            "1\r\n \r\n",
          );
          for (const slow of [declared, chunked]) {
            assert.match(slow.received, /^HTTP\/1\.1 408 /);
            assert.match(slow.received, /\r\nconnection: close\r\n/i);
            if (runtime === "bun") assert.ok(slow.received.endsWith(BODY_TIMEOUT_ERROR), slow.received);
            assert.equal(slow.closed, true, "the connection is closed");
          }
          await stillServes();
        });
      }

      // Node.js cuts them after requestTimeout (1.5 s here), Bun after about 10 s whatever it is
      // told; Deno never does (put a proxy in front of it).
      if (runtime !== "deno") {
        test("headers that trickle in are cut off", async () => {
          const slow = await trickle(server.port, "POST /api HTTP/1.1\r\nHost: 127.0.0.1\r\n", "X-Slow: y\r\n");
          assert.equal(slow.closed, true, "the connection is closed");
          assert.doesNotMatch(slow.received, /^HTTP\/1\.1 200 /);
          await stillServes();
        });
      }

      test("repeated credentials or content types are ambiguous, and refused alike", async () => {
        const call = '{"jsonrpc":"2.0","method":"secret","id":1}';
        const send = (headers: string): Promise<string> =>
          raw(server.port, `POST /api HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Content-Length: ${call.length}\r\nConnection: close\r\n\r\n${call}`);
        const once = await send("Content-Type: application/json\r\nAuthorization: Bearer limits-token\r\n");
        assert.match(once, /"result":"s3cret"/, "one Authorization header grants access");
        const twice = await send("Content-Type: application/json\r\nAuthorization: Bearer limits-token\r\nAuthorization: Bearer limits-token\r\n");
        assert.match(twice, /"code":-32001/, "two are refused");
        const types = await send("Content-Type: application/json\r\nContent-Type: text/plain\r\nAuthorization: Bearer limits-token\r\n");
        assert.match(types, /^HTTP\/1\.1 415/);
      });

      test("a call over its timeout answers -32002", async () => {
        const answer = await rpc(server, '{"jsonrpc":"2.0","method":"slow","id":"t"}');
        assert.deepEqual(answer.json, {
          jsonrpc: "2.0",
          error: { code: ErrorCode.Timeout, message: "Timeout: the call took longer than 100 ms" },
          id: "t",
        });
        await stillServes();
      });
    });
  }
});
