// Our RFC 6455 server on Node.js (src/websocket/node_socket.ts) on real loopback sockets: a bare
// node:http server whose `upgrade` listener accepts and echoes (test scaffold), driven by hand-made
// frames over node:net, by the `ws` package's client, and by Node's own WebSocket client.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { after, describe, test } from "node:test";
import WebSocketClient from "ws";
import { encodeFrame, OPCODE_BINARY, OPCODE_CLOSE, OPCODE_CONTINUATION, OPCODE_PING, OPCODE_PONG, OPCODE_TEXT } from "../src/websocket/frames.ts";
import type { MessageSocket } from "../src/websocket/message_socket.ts";
import { acceptNodeUpgrade, acceptValue, type NodeWebSocketOptions, refuseNodeUpgrade, upgradeRefusal } from "../src/websocket/node_socket.ts";
import { until } from "./helpers.ts";
import { frame, handshake, KEY, openRaw, RawPeer, type Told, utf8 } from "./websocket_raw_peer.ts";

const LIMIT = 64 * 1024;
// Every test is bounded in time (a server that stops answering fails the test, never hangs it).
const BOUNDED = { timeout: 20_000 };

interface EchoServer {
  port: number;
  server: Server;
  /** Each accepted connection's close, as told to the connection. */
  closes: Told[];
  accepted: number;
  open: Set<MessageSocket>;
  drains: number;
  /** Messages received. */
  messages: number;
  /** Each setNoDelay call on an upgrade's socket. */
  noDelay: (boolean | undefined)[];
  /** Writes that reached the upgraded sockets' handles. */
  socketWrites: number;
  /** Upgrades that did not open (acceptNodeUpgrade's `failed`). */
  failed: number;
}

/**
 * The scaffold: echoes each text message, except commands: "close <code> <reason>" closes,
 * "terminate" drops, "big <n>" answers n characters, "flood <n>" sends n messages of 64 KiB.
 */
async function startEcho(options: Partial<NodeWebSocketOptions> = {}): Promise<EchoServer> {
  const server = createServer({ headersTimeout: 400, requestTimeout: 800, connectionsCheckingInterval: 50 }, (_request, response) => {
    response.writeHead(426, { "sec-websocket-version": "13" }).end("upgrade to a WebSocket");
  });
  const upgraded = new Set<Duplex>();
  const state: EchoServer = { port: 0, server, closes: [], accepted: 0, open: new Set(), drains: 0, messages: 0, noDelay: [], socketWrites: 0, failed: 0 };
  server.on("upgrade", (request, socket, head) => {
    upgraded.add(socket);
    socket.on("close", () => upgraded.delete(socket));
    // An upgrade's socket is a net.Socket (typed as a Duplex): its setNoDelay calls are recorded.
    const tcp = socket as unknown as { setNoDelay(noDelay?: boolean): unknown };
    const setNoDelay = tcp.setNoDelay.bind(tcp);
    tcp.setNoDelay = (noDelay?: boolean) => {
      state.noDelay.push(noDelay);
      return setNoDelay(noDelay);
    };
    // Writes reaching the socket's handle (Writable's implementation methods): one per system call.
    const writable = socket as unknown as { _write: (...args: unknown[]) => unknown; _writev?: (...args: unknown[]) => unknown };
    const write = writable._write.bind(socket);
    const writev = writable._writev?.bind(socket);
    writable._write = (...args) => {
      state.socketWrites++;
      return write(...args);
    };
    if (writev !== undefined) {
      writable._writev = (...args) => {
        state.socketWrites++;
        return writev(...args);
      };
    }
    if (request.url === "/refuse") {
      refuseNodeUpgrade(socket, 503, "the service is stopping", { "retry-after": "1" });
      return;
    }
    acceptNodeUpgrade(request, socket, head, {
      maxMessageBytes: LIMIT,
      idleTimeout: 10_000,
      // "rogue" offered: the chooser answers one not offered, which must not be answered.
      protocol: (offered) => (offered.includes("jsonrpc") ? "jsonrpc" : offered.includes("rogue") ? "other" : undefined),
      ...options,
    }, (webSocket) => {
      if (request.url === "/throw") throw new Error("the opener fails");
      state.accepted++;
      state.open.add(webSocket);
      if (request.url === "/terminate") webSocket.terminate();
      return {
        message: (text) => {
          state.messages++;
          const [command, a, b] = text.split(" ");
          if (command === "close") webSocket.close(Number(a), b ?? "");
          else if (command === "terminate") webSocket.terminate();
          else if (command === "big") webSocket.send("b".repeat(Number(a)));
          else if (command === "burst") {
            for (let i = 0; i < Number(a); i++) webSocket.send(`burst ${i}`);
            void Promise.resolve().then(() => {
              webSocket.send("after a promise");
            });
          }
          else if (command === "flood") for (let i = 0; i < Number(a); i++) webSocket.send("f".repeat(65_536));
          else if (command === "buffered") webSocket.send(`buffered ${webSocket.bufferedAmount}`);
          else webSocket.send(text);
        },
        close: (code, reason) => {
          state.open.delete(webSocket);
          state.closes.push({ code, reason });
        },
        drain: () => {
          state.drains++;
        },
      };
    }, () => {
      state.failed++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.port = (server.address() as AddressInfo).port;
  after(() => {
    // Upgraded sockets are no longer the HTTP server's: a failed test must not leave them open.
    for (const socket of upgraded) socket.destroy();
    server.closeAllConnections();
    server.close();
  });
  return state;
}

/** Expects the server to fail its only connection with `code`: its close frame, the TCP close, and the code told. */
async function expectFailure(state: EchoServer, peer: RawPeer, code: number): Promise<void> {
  const started = Date.now();
  await peer.closed;
  assert.ok(Date.now() - started < 500, "the server ends the TCP connection at once (not after its 1 s linger)");
  assert.equal(peer.closeFrame()?.code, code);
  await until(() => state.closes.length > 0);
  assert.deepEqual(state.closes.map((told) => told.code), [code]);
}

describe("the handshake", () => {
  test("101 with Sec-WebSocket-Accept computed as RFC 6455 says, and the subprotocol chosen", BOUNDED, async () => {
    assert.equal(await acceptValue(KEY), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "RFC 6455's own example");
    const state = await startEcho();
    const key = Buffer.from("0123456789abcdef").toString("base64");
    const peer = await openRaw(state.port, { "sec-websocket-key": key, "sec-websocket-protocol": "bearer.abc, jsonrpc" });
    const expected = createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
    assert.match(peer.head!, new RegExp(`\r\nsec-websocket-accept: ${expected.replace(/[+/]/g, "\\$&")}(\r\n|$)`, "i"));
    assert.match(peer.head!, /\r\nsec-websocket-protocol: jsonrpc(\r\n|$)/i);
    assert.match(peer.head!, /\r\nupgrade: websocket\r\n/i);
    peer.socket.destroy();
    const plain = await openRaw(state.port);
    assert.doesNotMatch(plain.head!, /sec-websocket-protocol/i, "nothing offered, nothing answered");
    plain.socket.destroy();
    const other = await openRaw(state.port, { "sec-websocket-protocol": "mqtt" });
    assert.doesNotMatch(other.head!, /sec-websocket-protocol/i, "nothing chosen, nothing answered");
    other.socket.destroy();
    const rogue = await openRaw(state.port, { "sec-websocket-protocol": "rogue" });
    assert.doesNotMatch(rogue.head!, /sec-websocket-protocol/i, "a choice not offered is not answered");
    rogue.socket.destroy();
    assert.deepEqual(state.noDelay, [true, true, true, true], "Nagle is off on each accepted socket");
  });

  test("each bad handshake gets its HTTP answer and the connection closes", BOUNDED, async () => {
    const state = await startEcho();
    const cases: [string, string, RegExp][] = [
      ["POST", handshake({}, "POST /api HTTP/1.1"), /^HTTP\/1\.1 405 [^]*\r\nallow: GET/i],
      ["version 8", handshake({ "sec-websocket-version": "8" }), /^HTTP\/1\.1 426 [^]*\r\nsec-websocket-version: 13/i],
      ["no version", handshake({ "sec-websocket-version": "" }), /^HTTP\/1\.1 426 /],
      ["no key", handshake({ "sec-websocket-key": "" }), /^HTTP\/1\.1 400 /],
      ["a key of 15 bytes", handshake({ "sec-websocket-key": Buffer.alloc(15).toString("base64") }), /^HTTP\/1\.1 400 /],
      ["a key not base64", handshake({ "sec-websocket-key": "!!!!!!!!!!!!!!!!!!!!!!==" }), /^HTTP\/1\.1 400 /],
      ["Upgrade: h2c", handshake({ upgrade: "h2c" }), /^HTTP\/1\.1 400 /],
      ["HTTP/1.0", handshake({}, "GET /api HTTP/1.0"), /^HTTP\/1\.[01] 400 /],
      // Node hands a request without "Connection: upgrade" to its request listener (here: 426, then close).
      ["no Connection: upgrade", handshake({ connection: "close" }), /^HTTP\/1\.1 426 /],
      ["refused by the caller", handshake({}, "GET /refuse HTTP/1.1"), /^HTTP\/1\.1 503 [^]*\r\nretry-after: 1\r\n[^]*\r\n\r\nthe service is stopping$/i],
    ];
    for (const [name, request, expected] of cases) {
      const peer = new RawPeer(state.port);
      peer.socket.write(request);
      await Promise.race([peer.closed, new Promise((resolve) => setTimeout(resolve, 3000))]);
      assert.ok(peer.ended, `${name}: the connection closes`);
      assert.match(peer.received.toString("latin1"), expected, name);
    }
    assert.equal(state.accepted, 0);
    // Each refused by the handshake is told as failed (Node's own 426 and the caller's 503 never reached it).
    await until(() => state.failed === cases.length - 2);
  });

  test("a socket gone before the 101 is let go at once (told failed, or opened and told closed)", BOUNDED, async () => {
    const state = await startEcho();
    const peers = Array.from({ length: 20 }, () => {
      const peer = new RawPeer(state.port);
      peer.socket.write(handshake(), () => peer.socket.destroy());
      return peer;
    });
    await Promise.all(peers.map((peer) => peer.closed));
    const started = Date.now();
    await until(() => state.accepted + state.failed === 20);
    await until(() => state.closes.length === state.accepted);
    assert.ok(Date.now() - started < 1000, "at once, not when the idle watch (10 s here) finds them");
    assert.equal(state.open.size, 0);
  });

  test("upgradeRefusal checks what Node passes on without looking (Connection, Upgrade)", BOUNDED, () => {
    const headers = { upgrade: "websocket", connection: "keep-alive, Upgrade", "sec-websocket-version": "13", "sec-websocket-key": KEY };
    assert.equal(upgradeRefusal({ method: "GET", httpVersion: "1.1", headers }), undefined);
    assert.equal(upgradeRefusal({ method: "GET", httpVersion: "1.1", headers: { ...headers, connection: "keep-alive" } })?.status, 400);
    assert.equal(upgradeRefusal({ method: "GET", httpVersion: "1.1", headers: { ...headers, upgrade: "WebSocket" } }), undefined, "case-insensitive");
    assert.equal(upgradeRefusal({ method: "GET", httpVersion: "1.1", headers: { ...headers, "sec-websocket-key": [KEY, KEY] } })?.status, 400, "a repeated key");
  });

  test("a slowloris upgrade (headers a byte at a time) is cut by the server's headersTimeout", BOUNDED, async () => {
    const state = await startEcho();
    const peer = new RawPeer(state.port);
    const request = handshake();
    let sent = 0;
    const started = Date.now();
    const drip = setInterval(() => {
      if (sent < request.length - 2 && !peer.ended) peer.socket.write(request[sent++]!);
    }, 20);
    await Promise.race([peer.closed, new Promise((resolve) => setTimeout(resolve, 5000))]);
    clearInterval(drip);
    assert.ok(peer.ended, "the server closed the connection");
    assert.ok(Date.now() - started < 2000, "within about the headersTimeout (400 ms)");
    assert.ok(sent < request.length - 2, "before the headers were whole");
    assert.equal(state.accepted, 0);
  });

  test("bytes sent with the handshake (the upgrade's head) are read first", BOUNDED, async () => {
    const state = await startEcho();
    const peer = await openRaw(state.port, {}, Buffer.concat([frame(OPCODE_TEXT, "early"), frame(OPCODE_TEXT, "bird")]));
    await until(() => peer.texts().length === 2);
    assert.deepEqual(peer.texts(), ["early", "bird"]);
    peer.socket.destroy();
  });
});

describe("frames over a raw socket", () => {
  test("echoes text; a fragmented message with pings between its fragments gets its pongs, then its echo", BOUNDED, async () => {
    const state = await startEcho();
    const peer = await openRaw(state.port);
    peer.write(frame(OPCODE_TEXT, "hello"));
    peer.write(frame(OPCODE_TEXT, "frag", false), frame(OPCODE_PING, "one"), frame(OPCODE_CONTINUATION, "men", false));
    peer.write(frame(OPCODE_PING, "two"), frame(OPCODE_PONG, "unasked"), frame(OPCODE_CONTINUATION, "ted ✓"));
    await until(() => peer.texts().length === 2);
    const frames = peer.frames.map((f) => `${f.opcode} ${f.payload.toString()}`);
    assert.deepEqual(frames, [`${OPCODE_TEXT} hello`, `${OPCODE_PONG} one`, `${OPCODE_PONG} two`, `${OPCODE_TEXT} fragmented ✓`]);
    // Byte by byte works too.
    const bytes = frame(OPCODE_TEXT, "slow");
    for (const byte of bytes) {
      peer.write(new Uint8Array([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => peer.texts().length === 3);
    assert.equal(peer.texts()[2], "slow");
    peer.socket.destroy();
    await until(() => state.closes.length === 1);
    assert.deepEqual(state.closes, [{ code: 1006, reason: "" }], "a dropped socket is told as 1006");
  });

  test("the messages sent in one turn of the event loop go out in one write", BOUNDED, async () => {
    const state = await startEcho();
    const peer = await openRaw(state.port);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = state.socketWrites;
    peer.write(frame(OPCODE_TEXT, "burst 50"));
    await until(() => peer.texts().length === 51);
    assert.deepEqual(peer.texts().slice(-2), ["burst 49", "after a promise"]);
    assert.equal(state.socketWrites - before, 1, "51 frames, one write");
    peer.socket.destroy();
  });

  test("a message over the limit closes with 1009 from its header, before its payload", BOUNDED, async () => {
    const state = await startEcho();
    const peer = await openRaw(state.port);
    const big = frame(OPCODE_TEXT, "x".repeat(LIMIT + 1));
    peer.write(big.subarray(0, 20)); // the header and a little
    await expectFailure(state, peer, 1009);
    // The limit is the sum of fragments.
    const second = await startEcho();
    const again = await openRaw(second.port);
    again.write(frame(OPCODE_TEXT, "x".repeat(LIMIT / 2), false), frame(OPCODE_CONTINUATION, "x".repeat(LIMIT / 2 + 1)));
    await expectFailure(second, again, 1009);
    // Exactly the limit is fine.
    const exact = await openRaw(state.port);
    exact.write(frame(OPCODE_TEXT, "y".repeat(LIMIT)));
    await until(() => exact.texts().length === 1);
    assert.equal(exact.texts()[0]!.length, LIMIT);
    exact.socket.destroy();
  });

  test("invalid UTF-8 closes with 1007, also when it shows only across fragments", BOUNDED, async () => {
    const state = await startEcho();
    const peer = await openRaw(state.port);
    peer.write(frame(OPCODE_TEXT, new Uint8Array([0x68, 0xff])));
    await expectFailure(state, peer, 1007);
    const second = await startEcho();
    const split = await openRaw(second.port);
    split.write(frame(OPCODE_TEXT, new Uint8Array([0xe2, 0x82]), false), frame(OPCODE_CONTINUATION, new Uint8Array([0x41])));
    await expectFailure(second, split, 1007);
    const whole = await openRaw(state.port);
    whole.write(frame(OPCODE_TEXT, new Uint8Array([0xe2, 0x82]), false), frame(OPCODE_CONTINUATION, new Uint8Array([0xac])));
    await until(() => whole.texts().length === 1);
    assert.deepEqual(whole.texts(), ["€"]);
    whole.socket.destroy();
  });

  test("unmasked frames and reserved bits close with 1002, binary with 1003", BOUNDED, async () => {
    let state = await startEcho();
    const unmasked = await openRaw(state.port);
    unmasked.write(encodeFrame(OPCODE_TEXT, utf8("plain")));
    await expectFailure(state, unmasked, 1002);
    state = await startEcho();
    const rsv = await openRaw(state.port);
    const reserved = frame(OPCODE_TEXT, "x");
    reserved[0] = reserved[0]! | 0x40;
    rsv.write(reserved);
    await expectFailure(state, rsv, 1002);
    state = await startEcho();
    const binary = await openRaw(state.port);
    binary.write(frame(OPCODE_BINARY, new Uint8Array([1, 2, 3])));
    await expectFailure(state, binary, 1003);
    assert.equal(unmasked.texts().length + rsv.texts().length + binary.texts().length, 0, "nothing was echoed");
  });

  test("a close mid-message: the close is echoed, the half message dropped, the TCP connection closed", BOUNDED, async () => {
    const state = await startEcho();
    const peer = await openRaw(state.port);
    peer.write(frame(OPCODE_TEXT, "half", false), frame(OPCODE_CLOSE, new Uint8Array([0x0f, 0xa0, ...utf8("bye")])));
    const started = Date.now();
    await peer.closed;
    assert.ok(Date.now() - started < 500, "the server ends the TCP connection first, at once");
    assert.deepEqual(peer.closeFrame(), { code: 4000, reason: "" });
    assert.deepEqual(peer.texts(), []);
    await until(() => state.closes.length === 1);
    assert.deepEqual(state.closes, [{ code: 4000, reason: "bye" }]);
  });

  test("a close without a code is answered with an empty close and told as 1005", BOUNDED, async () => {
    const state = await startEcho();
    const peer = await openRaw(state.port);
    peer.write(frame(OPCODE_CLOSE, new Uint8Array(0)));
    await peer.closed;
    assert.deepEqual(peer.closeFrame(), { code: 1005, reason: "" });
    await until(() => state.closes.length === 1);
    assert.equal(state.closes[0]?.code, 1005);
  });

  test("close(): the close frame goes out, the peer's answer ends it; a peer that never answers is dropped after closeWait", BOUNDED, async () => {
    const state = await startEcho({ closeWait: 300 });
    const peer = await openRaw(state.port);
    peer.write(frame(OPCODE_TEXT, "close 4001 going"));
    await until(() => peer.closeFrame() !== undefined);
    assert.deepEqual(peer.closeFrame(), { code: 4001, reason: "going" });
    peer.write(frame(OPCODE_TEXT, "ignored after close"), frame(OPCODE_CLOSE, new Uint8Array([0x0f, 0xa1])));
    await peer.closed;
    assert.deepEqual(peer.texts(), [], "nothing is sent after the close frame");
    await until(() => state.closes.length === 1);
    assert.deepEqual(state.closes[0], { code: 4001, reason: "" }, "the peer's code is told");

    const silent = await openRaw(state.port);
    const started = Date.now();
    silent.write(frame(OPCODE_TEXT, "close 1001 stopping"));
    await silent.closed;
    const waited = Date.now() - started;
    assert.ok(waited >= 250 && waited < 2000, `dropped after about 300 ms (${waited})`);
    await until(() => state.closes.length === 2);
    assert.equal(state.closes[1]?.code, 1006, "no close frame came back");
  });

  test("terminate() drops at once; a peer ending its side without a close is told once as 1006", BOUNDED, async () => {
    const state = await startEcho();
    const peer = await openRaw(state.port);
    peer.write(frame(OPCODE_TEXT, "terminate"));
    await peer.closed;
    assert.equal(peer.closeFrame(), undefined);
    const ender = await openRaw(state.port);
    ender.socket.end();
    await ender.closed;
    await until(() => state.closes.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(state.closes, [{ code: 1006, reason: "" }, { code: 1006, reason: "" }]);
  });

  test("the idle timeout: a ping after half of it, then the silent peer is dropped (1006); an answering peer stays", BOUNDED, async () => {
    const state = await startEcho({ idleTimeout: 400 });
    const silent = await openRaw(state.port);
    const started = Date.now();
    await until(() => silent.frames.some((f) => f.opcode === OPCODE_PING));
    const pingedAfter = Date.now() - started;
    assert.ok(pingedAfter >= 150 && pingedAfter < 350, `pinged after about 200 ms (${pingedAfter})`);
    await silent.closed;
    const droppedAfter = Date.now() - started;
    assert.ok(droppedAfter >= 350 && droppedAfter < 700, `dropped after about 400 ms (${droppedAfter})`);
    await until(() => state.closes.length === 1);
    assert.equal(state.closes[0]?.code, 1006);

    // The ws client answers pings: it stays open across several timeouts.
    const client = new WebSocketClient(`ws://127.0.0.1:${state.port}/api`);
    await new Promise((resolve) => client.once("open", resolve));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(client.readyState, WebSocketClient.OPEN);
    client.close(1000);
    await new Promise((resolve) => client.once("close", resolve));
  });

  test("bufferedAmount grows while the peer does not read, and drain is told once it does", BOUNDED, async () => {
    const state = await startEcho({ maxMessageBytes: LIMIT });
    const peer = await openRaw(state.port);
    peer.socket.pause();
    peer.write(frame(OPCODE_TEXT, "flood 200"), frame(OPCODE_TEXT, "buffered"));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const server = [...state.open][0]!;
    assert.ok(server.bufferedAmount > 1_000_000, `bytes wait in the socket (${server.bufferedAmount})`);
    assert.equal(state.drains, 0);
    peer.socket.resume();
    await until(() => state.drains > 0);
    await until(() => peer.texts().length === 201);
    assert.equal(server.bufferedAmount, 0);
    peer.socket.destroy();
  });

  test("an opener that throws: the socket is closed with 1011 and the process goes on", BOUNDED, async () => {
    const state = await startEcho();
    const peer = await openRaw(state.port, {}, undefined, "/throw");
    await until(() => peer.closeFrame() !== undefined);
    assert.equal(peer.closeFrame()?.code, 1011);
    peer.write(frame(OPCODE_CLOSE, new Uint8Array([0x03, 0xf3])));
    await peer.closed;
    assert.equal(state.accepted, 0);
  });

  test("an opener that terminates at once: close is told once", BOUNDED, async () => {
    const state = await startEcho();
    const peer = await openRaw(state.port, {}, undefined, "/terminate");
    await peer.closed;
    await until(() => state.closes.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(state.closes, [{ code: 1006, reason: "" }]);
  });

  test("a peer flooding pings without reading the pongs does not grow the server's buffer past a bound", BOUNDED, async () => {
    const state = await startEcho();
    const peer = await openRaw(state.port);
    peer.socket.pause();
    const ping = frame(OPCODE_PING, "p".repeat(125));
    const flood = Buffer.concat(Array.from({ length: 160_000 }, () => ping)); // 20 MB of pongs asked, more than the kernel's buffers hold
    peer.socket.write(flood);
    peer.write(frame(OPCODE_TEXT, "buffered"));
    await until(() => state.messages === 1); // every ping was read
    const server = [...state.open][0]!;
    assert.ok(server.bufferedAmount > 0 && server.bufferedAmount <= (1 << 20) + 200, `bounded (${server.bufferedAmount})`);
    peer.socket.destroy();
  });

  test("1,000 connections opened and dropped (some mid-handshake, some mid-frame): the server still answers and nothing stays open", BOUNDED, async () => {
    const state = await startEcho();
    const peers: RawPeer[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const opened = await Promise.all(Array.from({ length: 100 }, async (_, i) => {
        const kind = (batch * 100 + i) % 4;
        if (kind === 0) {
          const peer = new RawPeer(state.port);
          peer.socket.write(handshake().slice(0, 30)); // mid-handshake
          return peer;
        }
        const peer = await openRaw(state.port);
        if (kind === 1) peer.write(frame(OPCODE_TEXT, "x".repeat(500)).subarray(0, 100)); // mid-frame
        if (kind === 2) peer.write(frame(OPCODE_TEXT, "half", false));
        return peer;
      }));
      peers.push(...opened);
      for (const peer of opened) peer.socket.destroy();
    }
    await Promise.all(peers.map((peer) => peer.closed));
    const probe = await openRaw(state.port);
    probe.write(frame(OPCODE_TEXT, "still here"));
    await until(() => probe.texts().length === 1);
    assert.deepEqual(probe.texts(), ["still here"]);
    await until(() => state.closes.length === 750);
    assert.equal(state.accepted, 751);
    assert.equal(state.open.size, 1, "only the probe is open");
    const count = await new Promise<number>((resolve, reject) => state.server.getConnections((error, n) => (error ? reject(error) : resolve(n))));
    assert.equal(count, 1, "only the probe's TCP connection");
    probe.socket.destroy();
  });
});

/** ws gives text as a string (version 7) or a Buffer (version 8, its types): either reads. */
function asText(data: unknown): string {
  if (typeof data === "string") return data;
  if (Buffer.isBuffer(data)) return data.toString();
  throw new TypeError("not text");
}

describe("interop: the ws package's client", () => {
  const open = async (port: number, protocols?: string[]): Promise<WebSocketClient> => {
    const client = new WebSocketClient(`ws://127.0.0.1:${port}/api`, protocols);
    await new Promise((resolve, reject) => {
      client.once("open", resolve);
      client.once("error", reject);
    });
    return client;
  };
  const next = (client: WebSocketClient): Promise<string> => new Promise((resolve) => client.once("message", (data) => resolve(asText(data))));

  test("echoes text and big messages, takes fragmented sends, answers pings, picks the subprotocol", BOUNDED, async () => {
    const state = await startEcho({ protocol: "jsonrpc" }); // a name, as the plugin gives it
    const client = await open(state.port, ["bearer.abc", "jsonrpc"]);
    assert.equal(client.protocol, "jsonrpc");
    assert.equal(client.extensions, "", "permessage-deflate offered, not taken");
    let reply = next(client);
    client.send("héllo ✓");
    assert.equal(await reply, "héllo ✓");
    const big = "z".repeat(LIMIT);
    reply = next(client);
    client.send(big);
    assert.equal(await reply, big);
    reply = next(client);
    client.send("big 300000"); // larger than a one-array frame: header and payload written apart
    assert.equal(await reply, "b".repeat(300_000));
    reply = next(client);
    client.send("part one, ", { fin: false });
    client.send("part two", { fin: true });
    assert.equal(await reply, "part one, part two");
    const pong = new Promise<string>((resolve) => client.once("pong", (data) => resolve(String(data))));
    client.ping("are you there");
    assert.equal(await pong, "are you there");
    const closed = new Promise<[number, string]>((resolve) => client.once("close", (code, reason) => resolve([code, asText(reason)])));
    client.close(4002, "done");
    assert.deepEqual((await closed)[0], 4002);
    await until(() => state.closes.length === 1);
    assert.deepEqual(state.closes, [{ code: 4002, reason: "done" }]);
  });

  test("close codes from the server and for broken rules reach the client", BOUNDED, async () => {
    const state = await startEcho();
    const client = await open(state.port);
    const closed = new Promise<[number, string]>((resolve) => client.once("close", (code, reason) => resolve([code, asText(reason)])));
    client.send("close 1001 stopping");
    assert.deepEqual(await closed, [1001, "stopping"]);
    const tooBig = await open(state.port);
    const refused = new Promise<number>((resolve) => tooBig.once("close", resolve));
    tooBig.send("x".repeat(LIMIT + 1));
    assert.equal(await refused, 1009);
    const binary = await open(state.port);
    const refusedBinary = new Promise<number>((resolve) => binary.once("close", resolve));
    binary.send(new Uint8Array([1, 2]));
    assert.equal(await refusedBinary, 1003);
    await until(() => state.closes.length === 3);
    assert.deepEqual(state.closes.map((told) => told.code).sort(), [1001, 1003, 1009]);
  });
});

describe("interop: Node's own WebSocket client", () => {
  // Node 22+ has a global WebSocket; Node 20 has it behind --experimental-websocket (tried in a child).
  test("connects, echoes, and closes with a code", BOUNDED, async () => {
    const state = await startEcho();
    const script = `
      const socket = new WebSocket("ws://127.0.0.1:${state.port}/api", ["jsonrpc"]);
      const out = { protocol: "", echoed: [] };
      socket.onopen = () => { out.protocol = socket.protocol; socket.send("from node ✓"); socket.send("big 70000"); };
      socket.onmessage = (event) => {
        out.echoed.push(event.data.length > 20 ? event.data.length : event.data);
        if (out.echoed.length === 2) socket.close(4003, "bye");
      };
      socket.onclose = (event) => { out.code = event.code; console.log(JSON.stringify(out)); };
      socket.onerror = () => { console.log(JSON.stringify({ error: true })); process.exit(1); };
    `;
    const flags = typeof (globalThis as { WebSocket?: unknown }).WebSocket === "function" ? [] : ["--experimental-websocket"];
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [...flags, "--no-warnings", "-e", script], { timeout: 10_000 }, (error, stdout) => {
        if (error === null) resolve(stdout);
        else reject(new Error(`the child failed: ${error.message}`));
      });
    });
    assert.deepEqual(JSON.parse(output), { protocol: "jsonrpc", echoed: ["from node ✓", 70_000], code: 4003 });
    await until(() => state.closes.length === 1);
    assert.deepEqual(state.closes, [{ code: 4003, reason: "bye" }]);
  });
});
