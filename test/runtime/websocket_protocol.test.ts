// Protocol robustness of the service's WebSocket server on Node.js (our RFC 6455 code), Deno
// (Deno.upgradeWebSocket) and Bun (Bun.serve's websocket): test/runtime/fixtures/websocket_server.ts
// served by serve() on each, driven over raw node:net sockets by hand-made frames. After each
// violation the service still answers a fresh connection and none stays open (`seen().connections`
// returns to 0).
//
// What each runtime does (measured on Node.js 20, 22 and 24, Deno 2.9, Bun 1.4); RFC 6455 asks for a close
// frame with 1002 (protocol), 1007 (invalid UTF-8) or 1009 (too big), then the TCP close:
//
// | violation                            | Node.js (ours) | Deno                                   | Bun  |
// | ------------------------------------ | -------------- | -------------------------------------- | ---- |
// | unmasked client frame                | 1002           | served (masking not enforced)          | 1002 |
// | invalid UTF-8 (whole / split)        | 1007           | TCP cut, no close frame                | 1007 |
// | over the limit, declared in a header | 1009 at once   | waits for the payload (up to Deno's    | 1009 |
// |                                      |                | 64 MiB), then 1009 from standard_socket|      |
// |                                      |                | (a trickled one: 1001 from its idle    |      |
// |                                      |                | ping, within idleTimeout)              |      |
// | close amid a fragmented message      | 1000 echoed    | 1000 echoed                            | 1000 |
// | ping over 125 bytes / fragmented     | 1002           | TCP cut, no close frame                | 1002 |
// | slowloris upgrade (a byte / 100 ms)  | 408 after 30 s | never cut                              | cut after ~10-12 s |
//
// Deno's departures are its runtime's (the standard WebSocket API gives no frame-level hook): the
// service stays protected all the same (others served, nothing left open), which is what is
// asserted for them.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { OPCODE_BINARY, OPCODE_CLOSE, OPCODE_CONTINUATION, OPCODE_PING, OPCODE_PONG, OPCODE_TEXT, encodeFrame } from "../../src/websocket/frames.ts";
import { frame, handshake, openRaw, RawPeer, utf8 } from "../websocket_raw_peer.ts";
import { delay, type RuntimeName, RUNTIMES, stopAll } from "./processes.ts";
import { type ChildServer, rpc, startExample } from "./servers.ts";

after(stopAll);

const FIXTURE = "test/runtime/fixtures/websocket_server.ts";
/** The fixture's maxMessageBytes. */
const LIMIT = 4_096;
/** A close frame's payload: the code, then the reason. */
const closePayload = (code: number, reason = ""): Uint8Array => new Uint8Array([code >> 8, code & 0xff, ...utf8(reason)]);
const call = (id: unknown, params: unknown[] = [1, 2]): string => JSON.stringify({ jsonrpc: "2.0", method: "add", params, id });

/** How a connection ended: the server's close code (undefined: TCP closed without a close frame). */
interface Ending {
  code: number | undefined;
  /** ms from the violation to the TCP close. */
  after: number;
}

/** What a runtime answers a violation with: a close code, or `"cut"` (the TCP connection closed without a close frame). */
type Answer = number | "cut";

/** Polls `check` every 20 ms until it holds; fails after `ms` saying `what`. */
async function waitFor(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`${what}: not within ${ms} ms`);
    await delay(20);
  }
}

/**
 * Waits for the server to end the connection, answering its close frame as a client does (Deno
 * keeps the TCP connection until the peer's close frame comes back).
 */
async function ending(peer: RawPeer, started = Date.now(), ms = 5_000): Promise<Ending> {
  await waitFor(() => peer.ended || peer.closeFrame() !== undefined, "the server ends the connection", ms);
  if (!peer.ended) {
    peer.write(frame(OPCODE_CLOSE, closePayload(peer.closeFrame()!.code)));
    await waitFor(() => peer.ended, "the TCP close after the close handshake", ms);
  }
  return { code: peer.closeFrame()?.code, after: Date.now() - started };
}

// The runtimes side by side: the slowloris test watches for over 30 s on each.
describe("WebSocket protocol robustness", { concurrency: true, timeout: 150_000 }, () => {
  for (const runtime of RUNTIMES) {
    describe(`on ${runtime}`, { concurrency: false }, () => {
      let server: ChildServer;
      const raw: RawPeer[] = [];
      /** A raw connection past its handshake, destroyed after the suite whatever happens. */
      const connect = async (): Promise<RawPeer> => {
        const peer = await openRaw(server.port);
        raw.push(peer);
        return peer;
      };
      const seen = async (): Promise<Record<string, number>> => {
        const answer = await rpc(server, '{"jsonrpc":"2.0","method":"seen","id":1}');
        return (answer.json as { result: Record<string, number> }).result;
      };
      const connections = async (): Promise<number> => (await seen())["connections"] ?? -1;
      /** The service answers a call on a fresh connection, and no connection is left open once it is closed. */
      const stillServing = async (): Promise<void> => {
        const probe = await connect();
        probe.write(frame(OPCODE_TEXT, call("probe", [2, 3])));
        await waitFor(() => probe.texts().length > 0, `${runtime}: the fresh connection's answer`);
        assert.deepEqual(probe.texts().map((text) => JSON.parse(text) as unknown), [{ jsonrpc: "2.0", result: 5, id: "probe" }]);
        probe.write(frame(OPCODE_CLOSE, closePayload(1000)));
        await ending(probe);
        await noneOpen(10_000);
      };
      /** Waits until the service counts no connection open. */
      const noneOpen = async (ms: number): Promise<void> => {
        const end = Date.now() + ms;
        let open = await connections();
        while (open !== 0) {
          if (Date.now() > end) assert.fail(`${runtime}: ${open} connections still counted open after ${ms} ms`);
          await delay(50);
          open = await connections();
        }
      };
      /** Sends the frames of a violation on a fresh connection, and says how the server ended it. */
      const violate = async (...frames: Uint8Array[]): Promise<{ ending: Ending; peer: RawPeer }> => {
        const peer = await connect();
        const started = Date.now();
        peer.write(...frames);
        return { ending: await ending(peer, started), peer };
      };
      const expectAnswer = (ending: Ending, expected: Answer, what: string): void => {
        assert.equal(ending.code ?? "cut", expected, `${runtime}, ${what}: ${JSON.stringify(ending)}`);
        assert.ok(ending.after < 1_000, `${runtime}, ${what}: ended at once (${ending.after} ms)`);
      };

      before(async () => {
        server = await startExample(runtime, FIXTURE);
      });
      after(async () => {
        for (const peer of raw) peer.socket.destroy();
        await server.process.stop();
      });

      test("a message in three fragments with a ping and a pong between them: answered, and the ping's payload comes back in a pong", async () => {
        const peer = await connect();
        const text = call(7);
        peer.write(
          frame(OPCODE_TEXT, text.slice(0, 10), false),
          frame(OPCODE_PING, "are you there?"),
          frame(OPCODE_CONTINUATION, text.slice(10, 20), false),
          frame(OPCODE_PONG, "an unasked pong is ignored"),
          frame(OPCODE_CONTINUATION, text.slice(20)),
        );
        await waitFor(() => peer.texts().length > 0 && peer.frames.some((each) => each.opcode === OPCODE_PONG), "the answer and the pong");
        assert.deepEqual(peer.texts().map((each) => JSON.parse(each) as unknown), [{ jsonrpc: "2.0", result: 3, id: 7 }]);
        assert.deepEqual(peer.frames.filter((each) => each.opcode === OPCODE_PONG).map((each) => each.payload.toString()), ["are you there?"]);
        // Multi-byte characters split between fragments are whole once joined.
        const split = utf8(JSON.stringify({ jsonrpc: "2.0", method: "add", params: ["€", "€"], id: 8 }));
        const middle = split.indexOf(0xe2) + 1;
        peer.write(frame(OPCODE_TEXT, split.subarray(0, middle), false), frame(OPCODE_CONTINUATION, split.subarray(middle)));
        await waitFor(() => peer.texts().length === 2, "the second answer");
        assert.deepEqual(JSON.parse(peer.texts()[1]!), { jsonrpc: "2.0", result: "€€", id: 8 });
        peer.socket.destroy();
        await stillServing();
      });

      test("an unmasked client frame: 1002 on Node.js and Bun; Deno serves it", async () => {
        const { peer, ending: ended } = await violateOrServe(encodeFrame(OPCODE_TEXT, utf8(call(1))));
        if (runtime === "deno") {
          // Deno does not enforce masking (RFC 6455 §5.1: the server MUST close): it answers.
          assert.deepEqual(peer.texts().map((each) => JSON.parse(each) as unknown), [{ jsonrpc: "2.0", result: 3, id: 1 }]);
          peer.socket.destroy();
        } else {
          expectAnswer(ended!, 1002, "an unmasked frame");
          assert.deepEqual(peer.texts(), [], "nothing answered");
        }
        await stillServing();
      });

      test("invalid UTF-8 in a text message, whole or split across two fragments: 1007 (Deno cuts the TCP connection)", async () => {
        const expected: Answer = runtime === "deno" ? "cut" : 1007;
        const whole = await violate(frame(OPCODE_TEXT, new Uint8Array([0x22, 0x68, 0xff, 0x22])));
        expectAnswer(whole.ending, expected, "invalid UTF-8");
        // Each fragment alone could start or end a character; together they are not one.
        const split = await violate(frame(OPCODE_TEXT, new Uint8Array([0x22, 0xe2, 0x82]), false), frame(OPCODE_CONTINUATION, new Uint8Array([0x41, 0x22])));
        expectAnswer(split.ending, expected, "invalid UTF-8 across fragments");
        assert.deepEqual([...whole.peer.texts(), ...split.peer.texts()], [], "nothing answered");
        await stillServing();
      });

      test("a frame over the 4,096-byte limit: 1009 from its declared length (Deno: once the payload has come)", async () => {
        const over = frame(OPCODE_TEXT, call(1, ["x".repeat(LIMIT), 1]));
        const peer = await connect();
        let started = Date.now();
        peer.write(over.subarray(0, 20)); // the header, which declares the length, and a little
        if (runtime === "deno") {
          // Deno reads a whole message (up to its own 64 MiB) before the service sees its size.
          await delay(500);
          assert.equal(peer.ended || peer.closeFrame() !== undefined, false, "Deno waits for the payload");
          started = Date.now();
          peer.write(over.subarray(20));
        }
        expectAnswer(await ending(peer, started), 1009, "a frame over the limit");
        assert.deepEqual(peer.texts(), []);
        if (runtime === "deno") {
          // What bounds it there is Deno's idle watch: a frame's payload is no sign of life (only
          // whole messages and pongs are), so a peer trickling an oversized message is cut once the
          // ping it cannot answer mid-frame goes unanswered: within the fixture's idleTimeout (2 s).
          const trickler = await connect();
          const huge = frame(OPCODE_TEXT, "z".repeat(1_000_000));
          const trickled = Date.now();
          for (let at = 0; !trickler.ended && Date.now() - trickled < 6_000; at += 1_000) {
            trickler.socket.write(huge.subarray(at, at + 1_000));
            await delay(100);
          }
          const cut = Date.now() - trickled;
          assert.ok(trickler.ended && cut < 3_000, `Deno cut the trickled message after ${cut} ms (ended: ${trickler.ended})`);
          assert.deepEqual(trickler.closeFrame(), { code: 1001, reason: "No response from ping frame." });
        }
        // The limit is the whole message's: fragments that add up to more are refused too.
        const half = "x".repeat(LIMIT / 2);
        const fragments = await violate(frame(OPCODE_TEXT, half, false), frame(OPCODE_CONTINUATION, half, false), frame(OPCODE_CONTINUATION, "x"));
        expectAnswer(fragments.ending, 1009, "fragments over the limit");
        // Exactly the limit is served.
        const head = call(2, ["", 1]);
        const exact = await connect();
        exact.write(frame(OPCODE_TEXT, call(2, ["y".repeat(LIMIT - head.length), 1])));
        await waitFor(() => exact.texts().length === 1, "the answer to a message of exactly the limit");
        assert.equal((JSON.parse(exact.texts()[0]!) as { result: string }).result.length, LIMIT - head.length + 1);
        exact.socket.destroy();
        await stillServing();
      });

      test("a close frame in the middle of a fragmented message: the close is answered (1000), the half message dropped", async () => {
        const text = call(1);
        const { ending: ended, peer } = await violate(frame(OPCODE_TEXT, text.slice(0, 12), false), frame(OPCODE_CLOSE, closePayload(1000, "bye")));
        // Node.js echoes the code alone; Deno and Bun the reason too.
        expectAnswer(ended, 1000, "a close mid-message");
        assert.deepEqual(peer.texts(), []);
        await stillServing();
      });

      test("a ping over 125 bytes and a fragmented ping: 1002 (Deno cuts the TCP connection)", async () => {
        const expected: Answer = runtime === "deno" ? "cut" : 1002;
        const long = await violate(frame(OPCODE_PING, "p".repeat(126)));
        expectAnswer(long.ending, expected, "a ping of 126 bytes");
        const fragmented = await violate(frame(OPCODE_PING, "ab", false), frame(OPCODE_CONTINUATION, "cd"));
        expectAnswer(fragmented.ending, expected, "a fragmented ping");
        assert.equal([...long.peer.frames, ...fragmented.peer.frames].filter((each) => each.opcode === OPCODE_PONG).length, 0, "neither answered with a pong");
        await stillServing();
      });

      test("a slowloris upgrade (its headers a byte every 100 ms) does not keep others from being served", async () => {
        // Node.js answers 408 after serve()'s requestTimeout (30 s by default); Bun cuts it after
        // about 10 s (its idle timeout), silently; Deno never does (README: put a proxy in front).
        const cutAfter: Record<RuntimeName, [number, number] | undefined> = { node: [29_000, 33_000], bun: [9_000, 14_000], deno: undefined };
        const watched = 34_000;
        const slow = new RawPeer(server.port);
        raw.push(slow);
        // The handshake without its final blank line, then a header that never ends.
        const drip = `${handshake().slice(0, -2)}x-padding: ${"a".repeat(1_000)}`;
        let sent = 0;
        const started = Date.now();
        const dripping = setInterval(() => {
          if (!slow.ended) slow.socket.write(drip[sent++ % drip.length]!);
        }, 100);
        try {
          let calls = 0;
          while (!slow.ended && Date.now() - started < watched) {
            const peer = await connect();
            peer.write(frame(OPCODE_TEXT, call(++calls, [calls, 1])));
            await waitFor(() => peer.texts().length === 1, `${runtime}: call ${calls} during the slowloris`, 2_000);
            assert.deepEqual(JSON.parse(peer.texts()[0]!), { jsonrpc: "2.0", result: calls + 1, id: calls });
            peer.socket.destroy();
            await delay(500);
          }
          const cut = Date.now() - started;
          assert.ok(calls >= 10, `calls kept being answered (${calls})`);
          const expected = cutAfter[runtime];
          if (expected === undefined) {
            assert.equal(slow.ended, false, `${runtime} cut the slowloris after ${cut} ms`);
          } else {
            assert.ok(slow.ended && cut >= expected[0] && cut <= expected[1], `${runtime} cut the slowloris after ${cut} ms, ended: ${slow.ended}`);
            assert.equal(slow.head?.split("\r\n")[0], runtime === "node" ? "HTTP/1.1 408 Request Timeout" : undefined);
          }
        } finally {
          clearInterval(dripping);
          slow.socket.destroy();
        }
        await stillServing();
      });

      test("1,000 connections opened and dropped, half with a close frame and half cut: none left open", async () => {
        for (let round = 0; round < 10; round++) {
          const batch = await Promise.all(Array.from({ length: 100 }, () => openRaw(server.port)));
          await Promise.all(batch.map(async (peer, index) => {
            if (index % 2 === 1) {
              peer.socket.destroy();
              return;
            }
            peer.write(frame(OPCODE_CLOSE, closePayload(1000)));
            try {
              assert.equal((await ending(peer)).code, 1000);
            } finally {
              peer.socket.destroy();
            }
          }));
        }
        await stillServing();
      });

      test("a peer that never answers the service's close frame (binary: 1003, over the limit: 1009) is let go", async () => {
        // Node.js and Bun end such a connection at once. Deno keeps a server WebSocket it closes
        // until the peer's close frame comes back, with no timeout, and tells nothing before: the
        // service must not wait for it (the connection would stay counted against maxConnections).
        // The TCP connection itself stays with Deno until the peer answers or leaves: its
        // WebSocket has no way to drop it.
        const refusals: [Uint8Array, number][] = [
          [frame(OPCODE_BINARY, new Uint8Array([1, 2, 3])), 1003],
          [frame(OPCODE_TEXT, "x".repeat(LIMIT + 1)), 1009],
        ];
        for (const [bytes, code] of refusals) {
          const peer = await connect();
          peer.write(bytes);
          await waitFor(() => peer.closeFrame() !== undefined, `${runtime}: the close frame (${code})`);
          assert.equal(peer.closeFrame()?.code, code);
          await noneOpen(3_000);
          if (runtime !== "deno") await waitFor(() => peer.ended, `${runtime}: the TCP close after ${code}`, 3_000);
          peer.socket.destroy();
        }
        await stillServing();
      });

      /** Sends a frame the runtime may refuse or serve: ended (refused) or undefined (served: an answer came). */
      async function violateOrServe(bytes: Uint8Array): Promise<{ ending: Ending | undefined; peer: RawPeer }> {
        const peer = await connect();
        const started = Date.now();
        peer.write(bytes);
        await waitFor(() => peer.ended || peer.closeFrame() !== undefined || peer.texts().length > 0, "an answer or the end");
        return { ending: peer.texts().length > 0 ? undefined : await ending(peer, started), peer };
      }
    });
  }
});
