// Calls over a WebSocket are seen by the plugins' observers as calls over HTTP are: two services
// alike (metrics(), callLog(), streams(), webSocket()), served by serve() on loopback, are sent the
// same messages, one as POSTs, the other over one WebSocket (the `ws` package's client), and their
// metrics and call logs must match line for line (durations aside).
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import WebSocket from "ws";
import { RpcError, serve, type ServerHandle, Service } from "../mod.ts";
import { callLog } from "../src/plugins/call_log.ts";
import { metrics } from "../src/plugins/metrics/metrics.ts";
import { streams } from "../src/plugins/streams/streams.ts";
import { webSocket } from "../src/websocket/plugin.ts";

const TOKEN = "observer-token";

/** A service whose observers write to `lines` and whose metrics it serves. */
function observedService(lines: string[]): Service {
  return new Service({ name: "observed", apiTokenIsValid: (token) => token === TOKEN, onError: false })
    .use(metrics())
    .use(callLog({ info: (line) => lines.push(line), warn: (line) => lines.push(line), error: (line) => lines.push(line) }))
    .use(streams())
    .use(webSocket())
    .publicMethod("add", (a: number, b: number) => a + b)
    .publicMethod("fails", () => {
      throw new RpcError(4001, "Out of stock");
    })
    .publicMethod("slow", () => new Promise((resolve) => setTimeout(resolve, 2_000)))
    .privateMethod("secret", () => "the secret")
    .publicMethod("ticks", async function* (count: number) {
      for (let i = 1; i <= count; i++) yield await Promise.resolve({ i });
    });
}

/** A message (or a POST body), its call timeout, and whether it streams. */
interface Message {
  readonly text: string;
  readonly timeout?: number;
  readonly stream?: true;
}

/**
 * The calls sent, in order: each a message (or a POST body), and its call timeout.
 * A WebSocket message carries its timeout as the member `timeout`, a POST as the header
 * X-Request-Timeout (HTTP ignores the member, which is there so that both bodies have the same size).
 */
const CALLS: readonly Message[] = [
  { text: '{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}' },
  { text: '{"jsonrpc":"2.0","method":"fails","id":2}' },
  { text: '[{"jsonrpc":"2.0","method":"add","params":[1,1],"id":3},{"jsonrpc":"2.0","method":"add","params":[2,2],"id":4},{"jsonrpc":"2.0","method":"add","params":[3,3]}]' },
  { text: '{"jsonrpc":"2.0","method":"nope","id":5}' },
  { text: '{"jsonrpc":"2.0","method":"secret","id":6}' },
  { text: '{"jsonrpc":"2.0","method":"add","params":["x"],"id":7}' },
  { text: '{"jsonrpc":"2.0","method":"slow","id":8,"timeout":30}', timeout: 30 },
  { text: "{not json" },
];

/** A streaming call. */
const STREAM: readonly Message[] = [{ text: '{"jsonrpc":"2.0","method":"ticks","params":[3],"id":9}', stream: true }];

/** Sends each message as a POST, and reads each answer whole. */
async function overHttp(url: string, messages: readonly Message[]): Promise<void> {
  for (const message of messages) {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (message.timeout !== undefined) headers["x-request-timeout"] = String(message.timeout);
    if (message.stream === true) headers["accept"] = "text/event-stream";
    const response = await fetch(url, { method: "POST", headers, body: message.text });
    await response.text();
  }
}

/** Sends each message over one WebSocket, waiting for its answer (the last, for a stream) before the next. */
async function overWebSocket(url: string, messages: readonly Message[]): Promise<void> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  const received: unknown[] = [];
  let told: (() => void) | undefined;
  socket.on("message", (data: Buffer) => {
    received.push(JSON.parse(data.toString()));
    told?.();
  });
  const answered = (done: (message: unknown) => boolean): Promise<void> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within 5 s; received ${JSON.stringify(received)}`)), 5_000);
    const check = (): void => {
      if (!received.some(done)) return;
      clearTimeout(timer);
      told = undefined;
      received.length = 0;
      resolve();
    };
    told = check;
    check();
  });
  for (const message of messages) {
    const parsed = (() => {
      try {
        return JSON.parse(message.text) as unknown;
      } catch {
        return undefined;
      }
    })();
    socket.send(message.text);
    // A batch is answered by one array; anything else by the message with its id (null for a parse error).
    const id = parsed === undefined || Array.isArray(parsed) ? null : (parsed as { id: unknown }).id;
    await answered((answer) => (Array.isArray(parsed) ? Array.isArray(answer) : !Array.isArray(answer) && (answer as { id?: unknown; method?: unknown }).id === id && (answer as { method?: unknown }).method === undefined));
  }
  const closed = new Promise((resolve) => socket.once("close", resolve));
  socket.close(1000);
  await closed;
}

/** The metric samples of a service that count (durations' sums and buckets vary from run to run). */
async function countedMetrics(url: string): Promise<string[]> {
  const text = await (await fetch(url.replace(/\/api$/, "/metrics"))).text();
  return text.split("\n").filter((line) =>
    line !== "" && !line.startsWith("#") && !line.startsWith("rpc_server_call_duration_seconds_bucket") && !line.startsWith("rpc_server_call_duration_seconds_sum")
  );
}

/** Log lines without their durations. */
const withoutDurations = (lines: readonly string[]): string[] => lines.map((line) => line.replace(/ \d+(\.\d+)?ms\b/g, ""));

/** Waits until a list stops growing for a moment (a stream's log line comes as it ends). */
async function settled(lines: readonly string[]): Promise<void> {
  for (let last = -1, tries = 0; last !== lines.length && tries < 50; tries++) {
    last = lines.length;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The two services, served: one is called over HTTP, the other over a WebSocket. */
async function servedPair(servers: ServerHandle[]): Promise<{ http: { url: string; lines: string[] }; ws: { url: string; lines: string[] } }> {
  const httpLines: string[] = [];
  const wsLines: string[] = [];
  const httpServer = await serve(observedService(httpLines), { hostname: "127.0.0.1", port: 0 });
  servers.push(httpServer);
  const wsServer = await serve(observedService(wsLines), { hostname: "127.0.0.1", port: 0 });
  servers.push(wsServer);
  return { http: { url: `${httpServer.url}/api`, lines: httpLines }, ws: { url: `${wsServer.url}/api`, lines: wsLines } };
}

describe("observers and WebSocket calls", () => {
  const servers: ServerHandle[] = [];
  after(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  test("metrics() and callLog() see the calls of a WebSocket as they see the same calls over HTTP", async () => {
    const { http, ws } = await servedPair(servers);
    await overHttp(http.url, CALLS);
    await overWebSocket(ws.url.replace(/^http/, "ws"), CALLS);
    await settled(http.lines);
    await settled(ws.lines);

    const httpMetrics = await countedMetrics(http.url);
    const wsMetrics = await countedMetrics(ws.url);
    // Not vacuous: each kind of call was counted.
    for (const series of [
      'rpc_server_calls_total{method="add",outcome="ok"} 4',
      'rpc_server_calls_total{method="add",outcome="invalid_params"} 1',
      'rpc_server_calls_total{method="fails",outcome="application"} 1',
      'rpc_server_calls_total{method="unknown",outcome="method_not_found"} 1',
      'rpc_server_calls_total{method="secret",outcome="access_denied"} 1',
      'rpc_server_calls_total{method="slow",outcome="timeout"} 1',
      'rpc_server_calls_total{method="unknown",outcome="parse_error"} 1',
      "rpc_server_calls_in_flight 0",
      "rpc_server_batch_size_count 8",
    ]) {
      assert.ok(httpMetrics.includes(series), `over HTTP: ${series} in\n${httpMetrics.join("\n")}`);
    }
    assert.deepEqual(wsMetrics, httpMetrics, "the same samples over WebSocket as over HTTP");
    assert.equal(http.lines.length, 9, http.lines.join("\n"));
    assert.deepEqual(withoutDurations(ws.lines), withoutDurations(http.lines), "the same log lines over WebSocket as over HTTP");
  });

  // Over HTTP, streams() tells the observers (a call middleware used before it) when a stream ends
  // and how many items it sent ("observed ticks ok 2.1ms 3 items"); over a WebSocket, webSocket()
  // (used after them too) tells them the same.
  test("a stream over WebSocket is seen as one over HTTP: its items counted, its call told when it ends", async () => {
    const { http, ws } = await servedPair(servers);
    await overHttp(http.url, STREAM);
    await overWebSocket(ws.url.replace(/^http/, "ws"), STREAM);
    await settled(http.lines);
    await settled(ws.lines);
    const httpMetrics = await countedMetrics(http.url);
    const wsMetrics = await countedMetrics(ws.url);
    assert.ok(httpMetrics.includes('rpc_server_stream_items_total{method="ticks",outcome="ok"} 3'), httpMetrics.join("\n"));
    assert.deepEqual(wsMetrics, httpMetrics, "the same samples over WebSocket as over HTTP");
    assert.deepEqual(withoutDurations(ws.lines), withoutDurations(http.lines), "the same log lines over WebSocket as over HTTP");
  });
});
