// mcp() and streaming methods: a tools/call of an `async function*` method that asks for progress
// is answered with SSE (a notifications/progress per item, then the result), by the official SDK
// clients (1.x sessions, 2.x stateless) over a real loopback socket; without progress the items
// come in one JSON result. The call goes through the service's dispatch (tokens, middlewares), and
// a client that leaves ends the generator (its finally runs).
/* eslint-disable @typescript-eslint/require-await -- async generators that never await are streams too */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import * as v2 from "@modelcontextprotocol/client";
import { z } from "zod";
import { type CallContext, RpcError, serve, Service } from "../mod.ts";
import type { ServerHandle } from "../src/adapters/types.ts";
import { mcp } from "../src/mcp/mod.ts";
import { MAX_STREAM_ITEMS } from "../src/mcp/stream_result.ts";
import { schemas } from "../src/plugins/schemas/schemas.ts";
import { streams } from "../src/plugins/streams/streams.ts";

const TOKEN = "feed-token";

interface Progress {
  progress: number;
  message?: string | undefined;
}

/** Flags the generators set in their finally blocks, and what the middleware saw. */
const state = { endlessEnded: 0, leftEnded: 0, dripEnded: 0, seen: [] as string[], reported: [] as string[], resumed: Promise.resolve() };

function feedService(): Service {
  return new Service({ name: "feed", apiTokenIsValid: (token) => token === TOKEN, onError: (error) => void state.reported.push((error as Error).message) })
    .use(schemas())
    .use(streams())
    .use(mcp({ tools: () => true }))
    .use({ name: "observer", call: (call, next) => (state.seen.push(call.method), next()) })
    .publicMethod("ticks", async function* (count: number) {
      for (let tick = 1; tick <= count; tick++) {
        await sleep(5);
        yield { tick };
      }
    }, { output: z.object({ tick: z.number() }), description: "Counts up to count." })
    .publicMethod("leaky", async function* () {
      yield { tick: 1, secret: "s3cr3t" };
      yield { tick: "two" } as unknown as { tick: number }; // a handler that breaks its own type
    }, { output: z.object({ tick: z.number() }), params: [] })
    .publicMethod("words", async function* () {
      yield "a".repeat(5_000);
    })
    .publicMethod("breaks", async function* () {
      yield 1;
      throw new RpcError(1500, "The feed broke", { at: 2 });
    })
    .publicMethod("crashes", async function* () {
      yield 1;
      throw new Error("/secret/path: disk full");
    })
    .publicMethod("endless", async function* () {
      try {
        for (let n = 1; ; n++) yield n;
      } finally {
        state.endlessEnded++;
      }
    })
    .publicMethod("slow", async function* (ctx: CallContext) {
      const signal = ctx.signal ?? new AbortController().signal;
      try {
        for (let n = 1; !signal.aborted; n++) {
          yield n;
          await sleep(20, undefined, { signal }).catch(() => {});
        }
      } finally {
        state.leftEnded++;
      }
    }, { context: true })
    .publicMethod("drip", async function* () {
      // Deaf to ctx.signal: only the reader stopping ends it.
      try {
        for (let n = 1; ; n++) {
          yield n;
          await sleep(20);
        }
      } finally {
        state.dripEnded++;
      }
    })
    .publicMethod("pauses", async function* () {
      yield "first";
      await state.resumed;
      yield "second";
    })
    .privateMethod("audit_feed", async function* () {
      yield "entry";
    })
    .publicMethod("plain", () => ({ ok: true }));
}

async function session(url: URL, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: "progress-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  return client;
}

async function stateless(url: URL, headers: Record<string, string> = {}): Promise<v2.Client> {
  const client = new v2.Client({ name: "progress-test", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
  await client.connect(new v2.StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  return client;
}

/** Calls a tool with either SDK, with or without an onprogress callback. */
type Call = (name: string, args: Record<string, unknown>, onprogress?: (progress: Progress) => void) => Promise<Record<string, unknown>>;

async function opener(kind: "1.x" | "2.x", url: URL, headers: Record<string, string> = {}): Promise<{ call: Call; close: () => Promise<void> }> {
  if (kind === "1.x") {
    const client = await session(url, headers);
    return {
      call: async (name, args, onprogress) => (await client.callTool({ name, arguments: args }, undefined, onprogress === undefined ? {} : { onprogress })),
      close: () => client.close(),
    };
  }
  const client = await stateless(url, headers);
  return {
    call: async (name, args, onprogress) => (await client.callTool({ name, arguments: args }, onprogress === undefined ? {} : { onprogress })),
    close: () => client.close(),
  };
}

const META = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} };

/** A stateless tools/call as raw HTTP (the 2026-07-28 headers), for what the SDKs do not show. */
function rawCall(url: URL, name: string, args: Record<string, unknown>, options: { token?: string | number; accept?: string; signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<Response> {
  const meta = options.token === undefined ? META : { ...META, progressToken: options.token };
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: options.accept ?? "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/call",
      "mcp-name": name,
      ...options.headers,
    },
    body: JSON.stringify({ jsonrpc: "2.0", method: "tools/call", params: { name, arguments: args, _meta: meta }, id: 9 }),
    signal: options.signal ?? AbortSignal.timeout(10_000),
  });
}

/** The `data` of each event of an SSE body, parsed. */
function events(text: string): Record<string, unknown>[] {
  return text.split("\n\n").filter((block) => block.includes("data:")).map((block) => {
    const data = block.split("\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trim()).join("\n");
    return JSON.parse(data) as Record<string, unknown>;
  });
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe("mcp() with streaming methods", { timeout: 60_000 }, () => {
  let server: ServerHandle;
  let url: URL;
  before(async () => {
    server = await serve(feedService(), { hostname: "127.0.0.1", port: 0 });
    url = new URL(`${server.url}/mcp`);
  });
  after(() => server.close());

  for (const kind of ["1.x", "2.x"] as const) {
    describe(`SDK ${kind}`, () => {
      test("tools/call with onprogress: a notification per item (progress counts, message is the item), then every item", async () => {
        const client = await opener(kind, url);
        const seen: Progress[] = [];
        const before = state.seen.length;
        const result = await client.call("ticks", { count: 3 }, (progress) => seen.push(progress));
        await client.close();
        assert.deepEqual(seen.map(({ progress, message }) => ({ progress, message })), [
          { progress: 1, message: '{"tick":1}' },
          { progress: 2, message: '{"tick":2}' },
          { progress: 3, message: '{"tick":3}' },
        ]);
        assert.deepEqual(result["structuredContent"], { items: [{ tick: 1 }, { tick: 2 }, { tick: 3 }], count: 3 });
        assert.deepEqual(result["content"], [{ type: "text", text: '{"items":[{"tick":1},{"tick":2},{"tick":3}],"count":3}' }]);
        // The service's own dispatch ran it: its middleware saw the call.
        assert.deepEqual(state.seen.slice(before), ["ticks"]);
      });

      test("tools/call without onprogress: the items in one result", async () => {
        const client = await opener(kind, url);
        const result = await client.call("ticks", { count: 2 });
        await client.close();
        assert.deepEqual(result["structuredContent"], { items: [{ tick: 1 }, { tick: 2 }], count: 2 });
      });

      test("a stream that throws: an isError result with the items before, its error as the method answers it", async () => {
        const client = await opener(kind, url);
        const seen: Progress[] = [];
        const broke = await client.call("breaks", {}, (progress) => seen.push(progress));
        const crashed = await client.call("crashes", {});
        await client.close();
        assert.deepEqual(seen.map((progress) => progress.progress), [1]);
        assert.equal(broke["isError"], true);
        assert.deepEqual(broke["content"], [{ type: "text", text: 'Error 1500: The feed broke\n{"at":2}' }]);
        assert.deepEqual(broke["structuredContent"], { items: [1], count: 1 });
        // An unexpected error's words (a path here) stay in the service, reported to its onError.
        assert.deepEqual(crashed["content"], [{ type: "text", text: "Error -32603: Internal error" }]);
        assert.equal(state.reported.at(-1), "/secret/path: disk full");
      });

      test("a private streaming tool: refused without the token (401), streamed with it", async () => {
        const anonymous = await opener(kind, url);
        await assert.rejects(anonymous.call("audit_feed", {}, () => {}));
        await anonymous.close().catch(() => {});
        const staff = await opener(kind, url, { "x-api-token": TOKEN });
        const seen: Progress[] = [];
        const result = await staff.call("audit_feed", {}, (progress) => seen.push(progress));
        await staff.close();
        assert.deepEqual(seen.map(({ progress, message }) => ({ progress, message })), [{ progress: 1, message: "entry" }]);
        assert.deepEqual(result["structuredContent"], { items: ["entry"], count: 1 });
      });
    });
  }

  test("tools/list: a streaming tool's outputSchema is its result (items of the method's output schema, count)", async () => {
    const client = await session(url);
    const { tools } = await client.listTools();
    await client.close();
    const ticks = tools.find((tool) => tool.name === "ticks");
    assert.deepEqual(ticks?.outputSchema, {
      type: "object",
      properties: {
        items: { type: "array", items: { type: "object", properties: { tick: { type: "number" } }, required: ["tick"], additionalProperties: false } },
        count: { type: "integer" },
        truncated: { type: "boolean" },
      },
      required: ["items", "count"],
    });
  });

  test("each item goes through the method's output schema, as on /api: stripped of unknown keys, refused when it does not fit", async () => {
    const client = await session(url);
    const seen: Progress[] = [];
    const result = await client.callTool({ name: "leaky", arguments: {} }, undefined, { onprogress: (progress) => seen.push(progress) });
    await client.close();
    assert.deepEqual(seen.map((progress) => progress.message), ['{"tick":1}']);
    assert.equal(result.isError, true);
    assert.deepEqual(result.structuredContent, { items: [{ tick: 1 }], count: 1 });
    assert.deepEqual(result.content, [{ type: "text", text: "Error -32603: Internal error" }]);
    assert.match(state.reported.at(-1) ?? "", /leaky/);
  });

  test("a notification goes out as its item comes (not held for the next), and a quiet stream gets a heartbeat every 5 s", { timeout: 15_000 }, async () => {
    let resume!: () => void;
    state.resumed = new Promise((resolve) => (resume = resolve));
    const response = await rawCall(url, "pauses", {}, { token: "p" });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (found: (text: string) => boolean, within: number): Promise<void> => {
      const deadline = Date.now() + within;
      while (!found(text)) {
        const left = deadline - Date.now();
        if (left <= 0) assert.fail(`not there within ${within} ms; got ${JSON.stringify(text)}`);
        const chunk = await Promise.race([reader.read(), sleep(left).then(() => undefined)]);
        if (chunk?.value !== undefined) text += decoder.decode(chunk.value, { stream: true });
      }
    };
    // The generator waits after its first item: that item's notification is there already.
    await readUntil((sofar) => sofar.includes('"message":"first"'), 2_000);
    const before = text.length;
    await readUntil((sofar) => sofar.slice(before).includes(":\n\n"), 7_000);
    resume();
    await readUntil((sofar) => sofar.includes('"result"'), 2_000);
    reader.releaseLock();
    assert.deepEqual(events(text).map((event) => (event["params"] as { message?: string } | undefined)?.message), ["first", "second", undefined]);
  });

  test("raw HTTP: the SSE answer's events, a long item's message clipped, the response last", async () => {
    const response = await rawCall(url, "words", {}, { token: "w-1" });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
    const [progress, last, ...rest] = events(await response.text());
    assert.equal(rest.length, 0);
    const params = progress?.["params"] as { progressToken: string; progress: number; message: string };
    assert.equal(progress?.["method"], "notifications/progress");
    assert.equal(progress["id"], undefined);
    assert.equal(params.progressToken, "w-1");
    assert.equal(params.progress, 1);
    assert.equal(params.message.length, 1_000);
    assert.ok(params.message.endsWith("…"));
    const result = (last as { result: { structuredContent: { items: string[] }; resultType: string } }).result;
    assert.equal(last?.["id"], 9);
    assert.equal(result.structuredContent.items[0]?.length, 5_000); // the result keeps the whole item
    assert.equal(result.resultType, "complete");
  });

  test("raw HTTP: JSON when the client does not read SSE, when no token is given, and for a tool that does not stream", async () => {
    for (const response of [
      await rawCall(url, "ticks", { count: 2 }, { token: 1, accept: "application/json" }),
      await rawCall(url, "ticks", { count: 2 }),
    ]) {
      assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
      const body = (await response.json()) as { result: { structuredContent: unknown } };
      assert.deepEqual(body.result.structuredContent, { items: [{ tick: 1 }, { tick: 2 }], count: 2 });
    }
    const plain = await rawCall(url, "plain", {}, { token: 2 });
    assert.match(plain.headers.get("content-type") ?? "", /^application\/json/);
    assert.deepEqual(((await plain.json()) as { result: { structuredContent: unknown } }).result.structuredContent, { ok: true });
    // Refused before it streams: a JSON 401 with its challenge, as any private tool.
    const refused = await rawCall(url, "audit_feed", {}, { token: 3 });
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get("www-authenticate") ?? "", /^Bearer/);
    await refused.body?.cancel();
  });

  test("an endless stream is cut at the limit: truncated, and the generator's finally runs", async () => {
    const ended = state.endlessEnded;
    const response = await rawCall(url, "endless", {});
    const { result } = (await response.json()) as { result: { structuredContent: { items: number[]; count: number; truncated: boolean } } };
    assert.equal(result.structuredContent.count, MAX_STREAM_ITEMS);
    assert.equal(result.structuredContent.items.length, MAX_STREAM_ITEMS);
    assert.equal(result.structuredContent.truncated, true);
    await until(() => state.endlessEnded === ended + 1, "the endless generator's finally");
  });

  test("the client going away ends the generator: its finally runs, with SSE and with JSON", async () => {
    // SSE: read the first event, then leave.
    const leaving = new AbortController();
    const before = state.leftEnded;
    const response = await rawCall(url, "slow", {}, { token: "s", signal: leaving.signal });
    assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    assert.match(new TextDecoder().decode(first.value), /notifications\/progress/);
    leaving.abort();
    await until(() => state.leftEnded === before + 1, "the generator's finally after the SSE client left");
    // JSON (no progress asked): the call runs until the client leaves.
    const quitting = new AbortController();
    const pending = rawCall(url, "slow", {}, { signal: quitting.signal }).catch(() => undefined);
    await sleep(100);
    quitting.abort();
    await pending;
    await until(() => state.leftEnded === before + 2, "the generator's finally after the JSON client left");
  });

  test("a generator deaf to ctx.signal is ended too when the client leaves (its next item is not asked for)", async () => {
    for (const token of ["d", undefined]) {
      const ended = state.dripEnded;
      const leaving = new AbortController();
      const pending = rawCall(url, "drip", {}, { ...(token === undefined ? {} : { token }), signal: leaving.signal }).then((response) => response.text()).catch(() => undefined);
      await sleep(150);
      leaving.abort();
      await pending;
      // Without it, the stream would be read on to its 1,000th item (20 s).
      await until(() => state.dripEnded === ended + 1, `drip's finally (${token === undefined ? "JSON" : "SSE"})`);
    }
  });
});
