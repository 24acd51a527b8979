// Shared fixtures for the in-process tests: real Request objects through service.fetch.
import assert from "node:assert/strict";
import { type Plugin, RpcError, serve, Service } from "../mod.ts";
import { streams } from "../src/plugins/streams/streams.ts";
import { bodyText, readBodyBytes } from "../src/http/read_body.ts";
import { endpointOf } from "../src/http/endpoint_of.ts";
import type { RpcEndpoint } from "../src/http/rpc_endpoint.ts";

/** What a POST answered: the HTTP status, headers, and the body parsed when it is JSON. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** Sends a body to a service's fetch handler as a real POST request. */
export async function post(
  app: { fetch(request: Request): Promise<Response> },
  body: string,
  headers: Record<string, string> = { "content-type": "application/json" },
  path = "/api",
): Promise<Answer> {
  const response = await app.fetch(new Request(`http://localhost${path}`, { method: "POST", headers, body }));
  const text = await response.text();
  const isJson = response.headers.get("content-type") === "application/json";
  return { status: response.status, headers: response.headers, text, json: isJson ? JSON.parse(text) : undefined };
}

/** Sends a value, stringified, and returns the parsed answer. */
export async function call(
  app: { fetch(request: Request): Promise<Response> },
  message: unknown,
  headers?: Record<string, string>,
): Promise<unknown> {
  return (await post(app, JSON.stringify(message), { "content-type": "application/json", ...headers })).json;
}

/** The methods of the JSON-RPC 2.0 specification's examples (as in examples/calculator.ts). */
export function calculatorService(): Service {
  return new Service({ name: "calculator.service" })
    .publicMethod("subtract", (minuend: number, subtrahend: number) => minuend - subtrahend)
    .publicMethod("sum", (...numbers: number[]) => numbers.reduce((total, n) => total + n, 0))
    .publicMethod("update", (...values: unknown[]) => values.length * 0)
    .publicMethod("notify_hello", (n: number) => n * 0)
    .publicMethod("notify_sum", (...numbers: number[]) => numbers.length * 0)
    .publicMethod("get_data", () => ["hello", 5])
    .publicMethod("divide", (dividend: number, divisor: number) => {
      if (divisor === 0) throw new RpcError(1, "Division by zero", { dividend });
      return dividend / divisor;
    });
}

/** The Python original's README example. */
export const HELLO_TOKEN = "hello_world_token";
export function helloService(): Service {
  return new Service({ name: "hello.world.service", apiTokenIsValid: (token) => token === HELLO_TOKEN })
    .publicMethod("say_hello", (name: string) => `hello ${name}`)
    .privateMethod("say_private_hello", (name: string) => `this is secret: hello ${name}`);
}

/** Waits until a condition holds, checking every 10 ms (gives up after 5 s). */
export async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 500) throw new Error("condition never held");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A request's body read and decoded the way the endpoint does it, for tests of read_body.ts. */
export function readBodyText(request: Request, limit: number): Promise<string> {
  return readBodyBytes(request, limit).then((bytes) => bodyText(bytes, limit));
}

/** The JSON-RPC endpoint of a service, as the adapters reach it. */
export function endpointFor(app: object): RpcEndpoint {
  const endpoint = endpointOf(app);
  if (endpoint === undefined) throw new Error("this app has no JSON-RPC endpoint");
  return endpoint;
}

/**
 * Stops something while an event handler runs, then lets the handler finish, and checks that the
 * stop waited for it: `order` (where the handler logs "handler started" and "handler finished")
 * ends with "stopped".
 */
export async function assertStopWaitsForHandler(stop: () => Promise<unknown>, release: () => void, order: string[]): Promise<void> {
  const stopping = stop().then(() => order.push("stopped"));
  // Several turns of the event loop: a stop that does not wait would be done by now.
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  release();
  await stopping;
  assert.deepEqual(order, ["handler started", "handler finished", "stopped"]);
}

/** A streaming service for the observers' tests (see {@linkcode tickingFeed}). */
export interface TickingFeed {
  readonly service: Service;
  /** POSTs `ticks(count, failAt)` accepting SSE; the response's body is the stream. */
  readonly open: (params: [count: number, failAt: number], signal?: AbortSignal) => Promise<Response>;
  /** Opens a long stream, reads its first item, then leaves (aborts). */
  readonly leave: () => Promise<void>;
  /** How many of the generator's `finally` blocks ran. */
  readonly finished: () => number;
  readonly close: () => Promise<void>;
}

/**
 * A service on 127.0.0.1 observed by `observer`, used before `streams()` as the observers must be,
 * whose `ticks(count, failAt)` yields 1, 2, … every 40 ms and throws `RpcError(4000)` at `failAt`.
 */
export async function tickingFeed(observer: Plugin): Promise<TickingFeed> {
  let finished = 0;
  const service = new Service({ name: "feed", onError: false })
    .use(observer)
    .use(streams())
    .publicMethod("ticks", async function* (count: number, failAt: number) {
      try {
        for (let tick = 1; tick <= count; tick++) {
          await new Promise((resolve) => setTimeout(resolve, 40));
          if (tick === failAt) throw new RpcError(4000, "feed broke");
          yield tick;
        }
      } finally {
        finished++;
      }
    });
  const server = await serve(service, { hostname: "127.0.0.1", port: 0 });
  const open = (params: [number, number], signal?: AbortSignal): Promise<Response> => fetch(`${server.url}/api`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", method: "ticks", params, id: 1 }),
    signal: signal ?? null,
  });
  return {
    service,
    open,
    async leave() {
      const abort = new AbortController();
      const leaving = await open([1000, 0], abort.signal);
      const reader = (leaving.body as ReadableStream<Uint8Array>).getReader();
      let seen = "";
      while (!seen.includes("id: 1\n")) seen += new TextDecoder().decode((await reader.read()).value);
      abort.abort();
    },
    finished: () => finished,
    close: () => server.close(),
  };
}
