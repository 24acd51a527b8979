// The WebSocket frame codec (src/websocket/frames.ts): each rule of RFC 6455 §5 a server enforces,
// at every split of the bytes, and the writer's frames read back.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  encodeCloseFrame,
  encodeFrame,
  encodeTextFrame,
  FrameParser,
  frameHeader,
  isValidCloseCode,
  ONE_ARRAY_TEXT,
  OPCODE_BINARY,
  OPCODE_CLOSE,
  OPCODE_CONTINUATION,
  OPCODE_PING,
  OPCODE_PONG,
  OPCODE_TEXT,
  unmask,
} from "../src/websocket/frames.ts";

const MASK = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A client's (masked) frame. */
function clientFrame(opcode: number, payload: Uint8Array | string, fin = true): Uint8Array {
  return encodeFrame(opcode, typeof payload === "string" ? utf8(payload) : payload, { fin, mask: MASK });
}

function join(...parts: Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  return whole;
}

/** Everything the parser tells, as strings, after the chunks (copied: the parser unmasks in place). */
function parse(chunks: readonly Uint8Array[], maxMessageBytes = 1 << 20): string[] {
  const told: string[] = [];
  const parser = new FrameParser({ maxMessageBytes }, {
    text: (message) => told.push(`text ${message}`),
    ping: (payload) => told.push(`ping ${new TextDecoder().decode(payload)}`),
    pong: (payload) => told.push(`pong ${new TextDecoder().decode(payload)}`),
    close: (code, reason) => told.push(`close ${code} ${reason}`),
    fail: (code, reason) => told.push(`fail ${code} ${reason}`),
  });
  for (const chunk of chunks) parser.push(chunk.slice());
  return told;
}

const failCode = (told: string[]): string | undefined => told.find((line) => line.startsWith("fail"))?.split(" ").slice(0, 2).join(" ");

/** Reads a server's (unmasked) frame. */
function readServerFrame(frame: Uint8Array): { fin: boolean; opcode: number; payload: Uint8Array } {
  const b1 = frame[1] as number;
  assert.equal(b1 & 0x80, 0, "server frames are not masked");
  let length = b1 & 0x7f;
  let at = 2;
  if (length === 126) {
    length = ((frame[2] as number) << 8) | (frame[3] as number);
    at = 4;
    assert.ok(length >= 126, "the shortest length encoding");
  } else if (length === 127) {
    length = new DataView(frame.buffer, frame.byteOffset).getUint32(2) * 2 ** 32 + new DataView(frame.buffer, frame.byteOffset).getUint32(6);
    at = 10;
    assert.ok(length >= 65536, "the shortest length encoding");
  }
  assert.equal(frame.length, at + length, "one whole frame");
  return { fin: ((frame[0] as number) & 0x80) !== 0, opcode: (frame[0] as number) & 0x0f, payload: frame.subarray(at) };
}

describe("frame parser", () => {
  test("a masked text frame, split at every byte offset and a byte at a time", () => {
    const frame = clientFrame(OPCODE_TEXT, "hello, wörld");
    assert.deepEqual(parse([frame]), ["text hello, wörld"]);
    for (let split = 1; split < frame.length; split++) {
      assert.deepEqual(parse([frame.subarray(0, split), frame.subarray(split)]), ["text hello, wörld"], `split at ${split}`);
    }
    assert.deepEqual(parse([...frame].map((byte) => new Uint8Array([byte]))), ["text hello, wörld"]);
  });

  test("7, 16 and 64-bit lengths at their edges", () => {
    for (const length of [0, 1, 125, 126, 127, 65535, 65536, 70_000]) {
      const text = "x".repeat(length);
      const frame = clientFrame(OPCODE_TEXT, text);
      assert.equal(frame[1]! & 0x7f, length < 126 ? length : length < 65536 ? 126 : 127);
      assert.deepEqual(parse([frame]), [`text ${text}`], `length ${length}`);
      // The header split at each of its bytes, the payload in three parts.
      const header = length < 126 ? 6 : length < 65536 ? 8 : 14;
      for (let split = 1; split <= header; split++) {
        const parts = [frame.subarray(0, split), frame.subarray(split, split + 7), frame.subarray(split + 7, frame.length - 1), frame.subarray(frame.length - 1)];
        assert.deepEqual(parse(parts), [`text ${text}`], `length ${length}, split at ${split}`);
      }
    }
  });

  test("a fragmented message with pings and a pong between its fragments, split at every offset", () => {
    const stream = join(
      clientFrame(OPCODE_TEXT, "frag", false),
      clientFrame(OPCODE_PING, "p1"),
      clientFrame(OPCODE_CONTINUATION, "ment", false),
      clientFrame(OPCODE_PONG, "p2"),
      clientFrame(OPCODE_CONTINUATION, "", false),
      clientFrame(OPCODE_CONTINUATION, "ed ✓"),
      clientFrame(OPCODE_TEXT, "next"),
    );
    const expected = ["ping p1", "pong p2", "text fragmented ✓", "text next"];
    assert.deepEqual(parse([stream]), expected);
    for (let split = 1; split < stream.length; split++) {
      assert.deepEqual(parse([stream.subarray(0, split), stream.subarray(split)]), expected, `split at ${split}`);
    }
    assert.deepEqual(parse([...stream].map((byte) => new Uint8Array([byte]))), expected);
  });

  test("unmasked client frames fail with 1002", () => {
    assert.equal(failCode(parse([encodeFrame(OPCODE_TEXT, utf8("hi"))])), "fail 1002");
    assert.equal(failCode(parse([encodeFrame(OPCODE_PING, utf8("hi"))])), "fail 1002");
  });

  test("reserved bits without an extension fail with 1002", () => {
    for (const bit of [0x40, 0x20, 0x10]) {
      const frame = clientFrame(OPCODE_TEXT, "hi");
      frame[0] = frame[0]! | bit;
      assert.deepEqual(parse([frame]).map((line) => line.slice(0, 9)), ["fail 1002"], `bit ${bit}`);
    }
  });

  test("unknown opcodes fail with 1002", () => {
    for (const opcode of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
      // A payload that would pass as a close frame's (code 1000): the opcode alone must fail it.
      assert.deepEqual(parse([clientFrame(opcode, new Uint8Array([0x03, 0xe8]))]).map((line) => line.slice(0, 9)), ["fail 1002"], `opcode ${opcode}`);
    }
  });

  test("control frames: over 125 bytes or fragmented fail with 1002; 125 is fine", () => {
    assert.equal(failCode(parse([clientFrame(OPCODE_PING, "x".repeat(126))])), "fail 1002");
    assert.deepEqual(parse([clientFrame(OPCODE_PING, "x".repeat(125))]), [`ping ${"x".repeat(125)}`]);
    assert.equal(failCode(parse([clientFrame(OPCODE_PING, "x", false)])), "fail 1002");
    assert.equal(failCode(parse([clientFrame(OPCODE_CLOSE, new Uint8Array([3, 232]), false)])), "fail 1002");
  });

  test("a continuation without a message, or a new message inside one, fails with 1002", () => {
    assert.equal(failCode(parse([clientFrame(OPCODE_CONTINUATION, "x")])), "fail 1002");
    assert.equal(failCode(parse([clientFrame(OPCODE_TEXT, "a", false), clientFrame(OPCODE_TEXT, "b")])), "fail 1002");
    // After a whole fragmented message, a continuation is again one too many.
    assert.deepEqual(parse([clientFrame(OPCODE_TEXT, "a", false), clientFrame(OPCODE_CONTINUATION, "b"), clientFrame(OPCODE_CONTINUATION, "c")]).map((l) => l.slice(0, 9)), ["text ab", "fail 1002"]);
  });

  test("the rules two bytes decide fail from those two bytes, before the rest of the header", () => {
    // A 64-bit length follows each of these: the failure does not wait for it.
    assert.equal(failCode(parse([new Uint8Array([0x82, 0xff])])), "fail 1003", "binary");
    assert.equal(failCode(parse([new Uint8Array([0xc1, 0xff])])), "fail 1002", "a reserved bit");
    assert.equal(failCode(parse([new Uint8Array([0x83, 0xff])])), "fail 1002", "an unknown opcode");
    assert.equal(failCode(parse([new Uint8Array([0x80, 0xff])])), "fail 1002", "a continuation without a message");
    assert.equal(failCode(parse([new Uint8Array([0x89, 0xfe])])), "fail 1002", "a control frame over 125 bytes");
    // Byte by byte: the same.
    assert.equal(failCode(parse([new Uint8Array([0x82]), new Uint8Array([0xff])])), "fail 1003");
  });

  test("binary messages fail with 1003 from the header alone", () => {
    const frame = clientFrame(OPCODE_BINARY, new Uint8Array(1000));
    assert.equal(failCode(parse([frame.subarray(0, 8)])), "fail 1003");
  });

  test("a message over maxMessageBytes fails with 1009 from the declared length, before its payload", () => {
    const frame = clientFrame(OPCODE_TEXT, "x".repeat(101));
    assert.equal(failCode(parse([frame.subarray(0, 8)], 100)), "fail 1009", "the header alone is enough");
    assert.deepEqual(parse([clientFrame(OPCODE_TEXT, "x".repeat(100))], 100), [`text ${"x".repeat(100)}`], "exactly the limit passes");
    // A 64-bit length far over the limit: nothing is buffered, the failure is at once.
    const huge = frameHeader(OPCODE_TEXT, 2 ** 40, { mask: MASK });
    assert.equal(failCode(parse([huge], 100)), "fail 1009");
    // The sum of the fragments counts, and a later message starts again from 0.
    assert.equal(failCode(parse([clientFrame(OPCODE_TEXT, "x".repeat(60), false), clientFrame(OPCODE_CONTINUATION, "x".repeat(41))], 100)), "fail 1009");
    assert.deepEqual(
      parse([clientFrame(OPCODE_TEXT, "x".repeat(60), false), clientFrame(OPCODE_CONTINUATION, "x".repeat(40)), clientFrame(OPCODE_TEXT, "y".repeat(100))], 100),
      [`text ${"x".repeat(100)}`, `text ${"y".repeat(100)}`],
    );
    // Control frames between fragments do not count.
    assert.equal(parse([clientFrame(OPCODE_TEXT, "x".repeat(60), false), clientFrame(OPCODE_PING, "x".repeat(100)), clientFrame(OPCODE_CONTINUATION, "x".repeat(40))], 100).length, 2);
  });

  test("a 64-bit length with its most significant bit set fails with 1002", () => {
    const header = frameHeader(OPCODE_TEXT, 1, { mask: MASK });
    const bad = new Uint8Array([0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, ...MASK]);
    assert.equal(header.length, 6);
    assert.equal(failCode(parse([bad])), "fail 1002");
  });

  test("invalid UTF-8 fails with 1007; UTF-8 split across fragments is whole again", () => {
    assert.equal(failCode(parse([clientFrame(OPCODE_TEXT, new Uint8Array([0x68, 0xc3, 0x28]))])), "fail 1007");
    assert.equal(failCode(parse([clientFrame(OPCODE_TEXT, new Uint8Array([0xed, 0xa0, 0x80]))])), "fail 1007", "a surrogate");
    assert.equal(failCode(parse([clientFrame(OPCODE_TEXT, new Uint8Array([0xf4, 0x90, 0x80, 0x80]))])), "fail 1007", "over U+10FFFF");
    const euro = utf8("€"); // 3 bytes, split 1 + 2 across fragments
    assert.deepEqual(parse([clientFrame(OPCODE_TEXT, euro.subarray(0, 1), false), clientFrame(OPCODE_CONTINUATION, euro.subarray(1))]), ["text €"]);
    // Invalid only once the fragments are put together: the bad byte is in the second fragment.
    assert.equal(failCode(parse([clientFrame(OPCODE_TEXT, euro.subarray(0, 1), false), clientFrame(OPCODE_CONTINUATION, new Uint8Array([0x28]), false)])), "fail 1007", "failed at the fragment, before the end");
    // A message ending mid-character.
    assert.equal(failCode(parse([clientFrame(OPCODE_TEXT, euro.subarray(0, 1), false), clientFrame(OPCODE_CONTINUATION, euro.subarray(1, 2))])), "fail 1007");
    // A byte-order mark is text like any other: kept.
    assert.deepEqual(parse([clientFrame(OPCODE_TEXT, "\uFEFF{}")]), ["text \uFEFF{}"]);
  });

  test("close frames: no payload is 1005, a code and a reason, 1 byte is 1002, invalid codes 1002, invalid UTF-8 reason 1007", () => {
    const close = (payload: number[] | Uint8Array): string[] => parse([clientFrame(OPCODE_CLOSE, new Uint8Array(payload))]);
    assert.deepEqual(close([]), ["close 1005 "]);
    assert.deepEqual(close([0x03, 0xe8, ...utf8("bye ✓")]), ["close 1000 bye ✓"]);
    assert.equal(failCode(close([0x03])), "fail 1002");
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535]) {
      assert.equal(failCode(close([code >> 8, code & 0xff])), "fail 1002", `code ${code}`);
    }
    for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999]) {
      assert.deepEqual(close([code >> 8, code & 0xff]), [`close ${code} `], `code ${code}`);
    }
    assert.equal(failCode(close([0x03, 0xe8, 0xc3, 0x28])), "fail 1007");
  });

  test("nothing is read after a close frame or a failure", () => {
    assert.deepEqual(parse([join(clientFrame(OPCODE_CLOSE, new Uint8Array([3, 232])), clientFrame(OPCODE_TEXT, "late"))]), ["close 1000 "]);
    assert.deepEqual(parse([join(encodeFrame(OPCODE_TEXT, utf8("x")), clientFrame(OPCODE_TEXT, "late"))]).length, 1);
  });

  test("a close frame between fragments is read (a close mid-message)", () => {
    assert.deepEqual(parse([clientFrame(OPCODE_TEXT, "half", false), clientFrame(OPCODE_CLOSE, new Uint8Array([3, 233]))]), ["close 1001 "]);
  });
});

describe("unmask", () => {
  test("the word-at-a-time path equals a byte loop at every length and alignment", () => {
    const mask = new Uint8Array([0x12, 0x34, 0x56, 0x78]);
    const backing = new Uint8Array(300);
    for (let i = 0; i < backing.length; i++) backing[i] = (i * 31 + 7) & 0xff;
    for (let start = 0; start < 4; start++) {
      for (let length = 0; length < 200; length++) {
        const data = backing.slice().subarray(start, start + length);
        const expected = Uint8Array.from(data, (byte, i) => byte ^ mask[i & 3]!);
        unmask(data, mask);
        assert.deepEqual(data, expected, `start ${start}, length ${length}`);
      }
    }
  });
});

describe("frame writer", () => {
  test("text frames of each length encoding read back, unmasked, in one array", () => {
    for (const length of [0, 1, 125, 126, 65535, 65536, ONE_ARRAY_TEXT, ONE_ARRAY_TEXT + 1, 100_000]) {
      const text = "é".repeat(Math.floor(length / 2)) + "a".repeat(length % 2);
      const frame = readServerFrame(encodeTextFrame(text));
      assert.equal(frame.fin, true);
      assert.equal(frame.opcode, OPCODE_TEXT);
      assert.equal(new TextDecoder().decode(frame.payload), text, `length ${length}`);
    }
  });

  test("a masked frame (as a client writes) parses back; the payload given is untouched", () => {
    const payload = utf8("masked ✓".repeat(20));
    const copy = payload.slice();
    const frame = encodeFrame(OPCODE_TEXT, payload, { mask: MASK });
    assert.deepEqual(payload, copy);
    assert.deepEqual(parse([frame]), [`text ${"masked ✓".repeat(20)}`]);
    const first = encodeFrame(OPCODE_TEXT, utf8("a"), { fin: false });
    assert.equal(first[0], 0x01, "FIN clear");
  });

  test("close frames: a code and a reason cut to 123 bytes at a character boundary, or empty", () => {
    const close = readServerFrame(encodeCloseFrame(1000, "bye"));
    assert.equal(close.opcode, OPCODE_CLOSE);
    assert.deepEqual([...close.payload], [0x03, 0xe8, ...utf8("bye")]);
    const long = readServerFrame(encodeCloseFrame(4000, "€".repeat(100)));
    assert.equal(long.payload.length, 2 + 123, "41 whole euros (123 bytes)");
    assert.equal(new TextDecoder("utf-8", { fatal: true }).decode(long.payload.subarray(2)), "€".repeat(41));
    const cut = readServerFrame(encodeCloseFrame(4000, "a" + "€".repeat(100)));
    assert.equal(cut.payload.length, 2 + 121, "a character is never cut");
    assert.equal(readServerFrame(encodeCloseFrame(undefined, "ignored")).payload.length, 0);
  });

  test("isValidCloseCode names the codes a close frame may carry", () => {
    assert.deepEqual([999, 1000, 1003, 1004, 1005, 1006, 1007, 1014, 1015, 2999, 3000, 4999, 5000].filter(isValidCloseCode), [1000, 1003, 1007, 1014, 3000, 4999]);
  });
});
