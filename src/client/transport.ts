/**
 * One HTTP exchange of the client: POST a JSON-RPC message with `fetch`, read the answer, and turn
 * every way that can fail into a {@linkcode TransportError} or an `RpcError`.
 *
 * @module
 */

import { FROM_UPSTREAM, RpcError } from "../protocol/errors.ts";
import type { JsonRpcParams } from "../protocol/messages.ts";
import { TransportError } from "./errors.ts";
import { REQUEST_TIMEOUT_HEADER } from "../protocol/headers.ts";
import type { TraceContext } from "../tracing/trace_context.ts";
import { MAX_TIMER_DELAY } from "../timer.ts";

/**
 * A `fetch`-compatible function; the global `fetch` is one.
 *
 * @example
 * ```ts
 * import { createClient } from "../../mod.ts";
 * import type { FetchFunction } from "./transport.ts";
 * const logged: FetchFunction = (url, init) => {
 *   console.log("POST", url);
 *   return fetch(url, init);
 * };
 * const remote = createClient("http://127.0.0.1:5000/api", { fetch: logged });
 * ```
 */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Options of a client.
 *
 * @example
 * ```ts
 * import { createClient } from "./client.ts";
 * import type { ClientOptions } from "./transport.ts";
 * const options: ClientOptions = { token: "hello_world_token", headers: { "x-request-id": "42" }, timeout: 5_000 };
 * const remote = createClient("http://127.0.0.1:5000/api", options);
 * ```
 */
export interface ClientOptions {
  /**
   * The API token for private methods, sent in the `tokenHeader` header; or a function that gives
   * it (or a promise of it), asked before each request, for tokens that expire and are renewed (a
   * function that rejects fails the call with its error).
   */
  readonly token?: string | (() => string | Promise<string>) | undefined;
  /** The header that carries the token. Default `"X-Api-Token"`. */
  readonly tokenHeader?: string | undefined;
  /** Extra headers sent with every request. */
  readonly headers?: HeadersInit | undefined;
  /**
   * How long a call may take, in milliseconds, before it fails with a `"timeout"` TransportError
   * (and the server is told, in `X-Request-Timeout`). Default 30,000; `Infinity` for no limit. Past
   * 2^31-1 ms (24.8 days, the longest timer a runtime keeps) the client sets no timer of its own:
   * the service's deadline, which the header carries, ends the call.
   */
  readonly timeout?: number | undefined;
  /**
   * The largest answer read, in bytes, counted as the (decoded) body streams in; a larger one fails
   * with a `"bad-response"` TransportError and the rest is not read. Default 16 MiB.
   */
  readonly maxResponseBytes?: number | undefined;
  /** The `fetch` to use, such as a wrapper that logs or adds headers. Default: the global `fetch`. */
  readonly fetch?: FetchFunction | undefined;
  /**
   * Told of each HTTP exchange before it is sent (it may add headers, such as `traceparent`), and,
   * through the function it returns, of its answer or failure. Trace propagation and client spans
   * (`tsmicroservice/trace-context`, `tsmicroservice/opentelemetry`) are observers.
   */
  readonly observe?: ClientObserver | undefined;
  /**
   * Lets the client call streaming methods: `sseStreams` of `tsmicroservice/streams` (the
   * `streams()` plugin's Server-Sent Events). Without it, iterating a call throws a `TypeError`
   * saying so, and the client carries no streaming code.
   */
  readonly streams?: ((...parts: never[]) => object) | undefined;
}

/**
 * What a client's `observe` is told before a message is sent.
 *
 * @example
 * ```ts
 * import type { OutgoingExchange } from "./transport.ts";
 * const methods = (exchange: OutgoingExchange): string[] => [exchange.message].flat().map((entry) => entry.method);
 * ```
 */
export interface OutgoingExchange {
  /** The endpoint. */
  readonly url: string;
  /** The request, or the entries of a batch. */
  readonly message: OutgoingRequest | readonly OutgoingRequest[];
  /** The headers to be sent (the observer may set more; the token is already among them). */
  readonly headers: Headers;
  /** This call's options (its signal, timeout and trace). */
  readonly call: CallOptions;
}

/**
 * How an exchange ended: the parsed answer (an error answer included), or what was thrown.
 *
 * @example
 * ```ts
 * import type { ExchangeEnd } from "./transport.ts";
 * const failed = (end: ExchangeEnd): boolean => end.error !== undefined;
 * ```
 */
export interface ExchangeEnd {
  /** The parsed answer, when one came (`undefined` for notifications). */
  readonly answer?: unknown;
  /** The `TransportError` (or `TypeError`) thrown, when none came. */
  readonly error?: unknown;
}

/**
 * A client's `observe` option: told of each exchange before it is sent, and may return a function
 * told how it ended. A throwing observer is ignored.
 *
 * @example
 * ```ts
 * import { createClient } from "./client.ts";
 * import type { ClientObserver } from "./transport.ts";
 * const requestId: ClientObserver = (exchange) => {
 *   exchange.headers.set("x-request-id", crypto.randomUUID());
 *   return undefined;
 * };
 * const remote = createClient("http://127.0.0.1:5000/api", { observe: requestId });
 * ```
 */
export type ClientObserver = (exchange: OutgoingExchange) => ((end: ExchangeEnd) => void) | undefined;

/**
 * Options of one call, notification or batch.
 *
 * @example
 * ```ts
 * import { createClient } from "./client.ts";
 * import type { CallOptions } from "./transport.ts";
 * const controller = new AbortController();
 * const options: CallOptions = { signal: controller.signal, timeout: 2_000 };
 * await createClient("http://127.0.0.1:5000/api").call("say_hello", ["world"], options);
 * ```
 */
export interface CallOptions {
  /**
   * Aborts the call: it fails with an `"aborted"` TransportError. (`undefined` is accepted, so a
   * handler can pass on its own `ctx.signal` as it is.)
   */
  readonly signal?: AbortSignal | undefined;
  /** This call's timeout in milliseconds, instead of the client's. */
  readonly timeout?: number | undefined;
  /**
   * When the call must be over, in ms since the epoch (as `Date.now()` gives), such as the deadline
   * a handler was given for its own call. With a timeout too, whichever comes first counts. A
   * deadline already past fails the call with a `"timeout"` TransportError before anything is sent.
   */
  readonly deadline?: number | undefined;
  /**
   * Whether this call may be sent again when its first attempt's fate is unknown (a client of a
   * `cluster(…)` only; see its `ClusterOptions`). Default: what the service said of the method
   * (learned by `connect`), or the cluster's `idempotent` option.
   */
  readonly idempotent?: boolean | undefined;
  /**
   * The trace this call continues, for trace propagation where no async context carries it (a
   * bare edge runtime): take it with `currentTrace()` at the start of the handler.
   */
  readonly trace?: TraceContext | undefined;
  /**
   * The token of this call alone, in place of the client's: a gateway passes its own caller's on
   * with `{ token: ctx.token }`. Given as `undefined`, the call goes without a token (an anonymous
   * caller stays anonymous upstream, rather than borrowing the client's token).
   */
  readonly token?: string | undefined;
}


/**
 * How many ms a call has left: the smaller of its timeout (the call's, else the client's) and
 * the time to its deadline.
 *
 * @param options The client's options.
 * @param call The call's options.
 * @param now The current time, as `Date.now()` gives it.
 * @returns The ms left, or `undefined` when the call has no limit.
 * @example
 * ```ts
 * import { timeLeft } from "./transport.ts";
 * timeLeft({ timeout: 5_000 }, { deadline: 1_000 }, 0); // 1000
 * ```
 */
export function timeLeft(options: ClientOptions, call: CallOptions, now: number = Date.now()): number | undefined {
  const ms = Math.min(call.timeout ?? options.timeout ?? DEFAULT_CALL_TIMEOUT, (call.deadline ?? Infinity) - now);
  return ms === Infinity ? undefined : ms;
}

/**
 * How long a call may take when neither the client nor the call says: 30 s.
 *
 * @example
 * ```ts
 * import { createClient, DEFAULT_CALL_TIMEOUT } from "./mod.ts";
 * const patient = createClient("http://127.0.0.1:5000/api", { timeout: 4 * DEFAULT_CALL_TIMEOUT });
 * ```
 */
export const DEFAULT_CALL_TIMEOUT = 30_000;

/**
 * The largest answer a client reads when its options do not say: 16 MiB.
 *
 * @example
 * ```ts
 * import { createClient, DEFAULT_MAX_RESPONSE_BYTES } from "./mod.ts";
 * const bulk = createClient("http://127.0.0.1:5000/api", { maxResponseBytes: 4 * DEFAULT_MAX_RESPONSE_BYTES });
 * ```
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * An answer as it came (anything JSON gives, or a custom upstream's), read member by member: only
 * an object has members, so each read is `?.`.
 *
 * @example
 * ```ts
 * import type { AnswerRead } from "./transport.ts";
 * const answer: unknown = JSON.parse('{"jsonrpc":"2.0","result":3,"id":7}');
 * (answer as AnswerRead)?.id; // 7
 * ```
 */
export type AnswerRead = { readonly jsonrpc?: unknown; readonly id?: unknown; readonly result?: unknown; readonly error?: unknown } | null | undefined;

/** A request object as the client sends it; `id` is absent on notifications. */
export interface OutgoingRequest {
  /** Always `"2.0"`. */
  readonly jsonrpc: "2.0";
  /** The method's name. */
  readonly method: string;
  /** The params, always present (`[]` when there are none): some servers require them. */
  readonly params: JsonRpcParams;
  /** The call's id; `undefined` (left out of the JSON) for a notification. */
  readonly id: number | undefined;
}

let lastId = 0;

/**
 * Gives a fresh request id, unique among every call this module makes.
 *
 * @returns The id.
 * @example
 * ```ts
 * import { nextId } from "./transport.ts";
 * nextId() !== nextId(); // true
 * ```
 */
export function nextId(): number {
  return ++lastId;
}

/**
 * Builds a request object. Trailing `undefined` positional params are dropped, so a method's
 * defaults apply (JSON would turn them into `null`).
 *
 * @param method The method's name.
 * @param params Positional (array) or named (object) params; none when absent.
 * @param id The call's id, or `undefined` for a notification.
 * @returns The request.
 * @example
 * ```ts
 * import { request } from "./transport.ts";
 * request("greet", ["ann", undefined], 1); // { jsonrpc: "2.0", method: "greet", params: ["ann"], id: 1 }
 * ```
 */
export function request(method: string, params: JsonRpcParams | undefined, id?: number): OutgoingRequest {
  let sent = params ?? [];
  if (Array.isArray(sent)) {
    let end = sent.length;
    while (end > 0 && sent[end - 1] === undefined) end--;
    sent = sent.slice(0, end);
  }
  return { jsonrpc: "2.0", method, params: sent, id };
}

/**
 * POSTs a message and gives back the parsed answer.
 *
 * @param url The endpoint.
 * @param options The client's options (token, headers, timeout, fetch).
 * @param message A request or an array of requests.
 * @param call This call's signal and timeout.
 * @returns The parsed JSON answer, or `undefined` when the body is empty (as for notifications).
 * @throws {TransportError} When no JSON-RPC answer came: network failure, timeout, abort, an HTTP
 *   error status without a JSON-RPC body, or a body that is not JSON.
 * @throws {TypeError} When the params cannot be turned into JSON (a `BigInt`, a cycle).
 * @example
 * ```ts
 * import { post, request } from "./transport.ts";
 * await post("http://127.0.0.1:5000/api", {}, request("say_hello", ["world"], 1));
 * // { jsonrpc: "2.0", result: "hello world", id: 1 }
 * ```
 */
export async function post(url: string, options: ClientOptions, message: unknown, call: CallOptions = {}): Promise<unknown> {
  const body = JSON.stringify(message);
  // What headersFor() gives, written out: a call less costs every client bundle bytes.
  const headers = new Headers(options.headers);
  headers.set("content-type", "application/json");
  const token = "token" in call ? call.token : typeof options.token === "function" ? await options.token() : options.token;
  if (token !== undefined) headers.set(options.tokenHeader ?? "X-Api-Token", token);
  const ms = timeLeft(options, call);
  if (ms !== undefined) {
    if (ms <= 0) throw new TransportError(url, "timeout", "the call's deadline has passed");
    // At most 12 digits (31 years), as services read the header.
    headers.set(REQUEST_TIMEOUT_HEADER, String(Math.min(999_999_999_999, Math.max(1, Math.floor(ms)))));
  }
  let end: ((end: ExchangeEnd) => void) | undefined;
  // A failing observer must not fail the call.
  const tell = (how: ExchangeEnd): void => {
    try {
      end?.(how);
    } catch { /* ignored, as above */ }
  };
  try {
    end = options.observe?.({ url, message: message as OutgoingRequest, headers, call });
  } catch { /* ignored, as above */ }
  try {
    const answer = await send(url, options, body, headers, call, ms);
    tell({ answer });
    return answer;
  } catch (error) {
    tell({ error });
    throw error;
  }
}

/**
 * The headers of a request: the client's own, the JSON content type, and the token (the call's,
 * when it gives one, else the client's). (A stream's request has them; `post` builds the same in place.)
 *
 * @param options The client's options.
 * @param call The call's options (its `token`, when it has one).
 * @returns The headers.
 * @example
 * ```ts
 * import { headersFor } from "./transport.ts";
 * (await headersFor({ token: "secret" })).get("x-api-token"); // "secret"
 * ```
 */
export async function headersFor(options: ClientOptions, call: Pick<CallOptions, "token"> = {}): Promise<Headers> {
  const headers = new Headers(options.headers);
  headers.set("content-type", "application/json");
  const token = "token" in call ? call.token : typeof options.token === "function" ? await options.token() : options.token;
  if (token !== undefined) headers.set(options.tokenHeader ?? "X-Api-Token", token);
  return headers;
}

async function send(url: string, options: ClientOptions, body: string, headers: Headers, call: CallOptions, ms: number | undefined): Promise<unknown> {
  // Every runtime's timer fires at once past 2^31-1 ms (24.8 days): a longer wait is left to the
  // service's deadline, which X-Request-Timeout carries. AbortSignal.timeout takes whole ms only.
  const timer = ms === undefined || ms > MAX_TIMER_DELAY ? undefined : AbortSignal.timeout(Math.ceil(ms));
  const signal = call.signal && timer ? AbortSignal.any([call.signal, timer]) : (call.signal ?? timer ?? null);
  // A local binding, so a custom fetch that is the browser's own is not called with a wrong `this`.
  const fetchFunction = options.fetch ?? fetch;
  let response: Response | undefined;
  let text: string;
  try {
    // A JSON-RPC endpoint has no business redirecting: following would re-send the body and the
    // token to wherever the Location points.
    response = await fetchFunction(url, { method: "POST", headers, body, signal, redirect: "manual" });
    const status = response.status;
    if (response.type === "opaqueredirect" || (status >= 300 && status < 400)) {
      await response.body?.cancel().catch(() => {});
      const target = response.headers.get("location");
      throw new TransportError(url, "http", `HTTP ${status}: redirects${target === null ? "" : ` to ${target}`}, not followed`, status);
    }
    text = await readText(url, response, options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
  } catch (error) {
    if (error instanceof TransportError) throw error;
    if (timer?.aborted === true) throw new TransportError(url, "timeout", `no answer within ${ms} ms`, response?.status, error);
    if (call.signal?.aborted === true) throw new TransportError(url, "aborted", "the call was aborted", response?.status, call.signal.reason);
    const inner = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    throw new TransportError(url, "network", inner instanceof Error ? inner.message : String(inner), response?.status, error);
  }
  let answer: unknown = NOT_JSON;
  try {
    answer = text === "" ? undefined : JSON.parse(text);
  } catch { /* stays NOT_JSON */ }
  // Some servers send JSON-RPC errors with an HTTP error status (the JSON-RPC over HTTP draft does):
  // the JSON-RPC answer is what counts then.
  if (!response.ok && !Array.isArray(answer) && (answer as { jsonrpc?: unknown } | undefined)?.jsonrpc !== "2.0") {
    // A 404 is most often a URL without the service's path: say where services listen.
    const hint = response.status === 404 && !new URL(url).pathname.endsWith("/api") ? " (is the path, /api by default, in the URL?)" : "";
    throw new TransportError(url, "http", `HTTP ${response.status} ${response.statusText}${hint}`, response.status);
  }
  if (answer === NOT_JSON) throw new TransportError(url, "bad-response", "the answer is not JSON", response.status);
  return answer;
}

// What an answer that JSON.parse refused is, until it is thrown as a TransportError.
const NOT_JSON = Symbol();

/**
 * Reads the answer to one call: its result, or its error thrown.
 *
 * @param url The endpoint (for error messages).
 * @param answer The parsed answer.
 * @param id The call's id.
 * @returns The result.
 * @throws {RpcError} When the answer is an error (with the call's id, or `null` when the server
 *   could not read the request).
 * @throws {TransportError} When the answer is not a JSON-RPC answer to this call.
 * @example
 * ```ts
 * import { resultOf } from "./transport.ts";
 * resultOf("http://localhost/api", { jsonrpc: "2.0", result: 3, id: 7 }, 7); // 3
 * ```
 */
export function resultOf(url: string, answer: AnswerRead, id: number): unknown {
  // `error: null` next to a result is no error: the Python original sent both members.
  if (answer?.error != null && (answer.id === id || answer.id === null)) throw errorOf(url, answer);
  // Only an object has the call's id (a number), so `in` is safe once it matched.
  if (answer?.id === id && "result" in answer) return answer.result;
  throw new TransportError(url, "bad-response", `no JSON-RPC answer to call ${id}`);
}

/**
 * Turns an error answer into the error to throw.
 *
 * @param url The endpoint (for error messages).
 * @param answer An answer that should carry an `error` member.
 * @returns An {@linkcode RpcError} with the answer's `code`, `message` and `data`, or a
 *   `"bad-response"` {@linkcode TransportError} when it carries no well-formed error.
 * @example
 * ```ts
 * import { errorOf } from "./transport.ts";
 * errorOf("http://localhost/api", { jsonrpc: "2.0", error: { code: -32601, message: "Method not found" }, id: 1 });
 * ```
 */
export function errorOf(url: string, answer: unknown): RpcError | TransportError {
  const error = (answer as { error?: { code?: unknown; message?: unknown; data?: unknown } } | null | undefined)?.error;
  if (!Number.isInteger(error?.code)) return new TransportError(url, "bad-response", "not a JSON-RPC answer");
  const failure = new RpcError(error?.code as number, typeof error?.message === "string" ? error.message : "", error?.data);
  // Marked as another service's answer, so a service that lets it through maps it safely.
  Object.defineProperty(failure, FROM_UPSTREAM, { value: url });
  return failure;
}

/** Reads a body as text, at most `limit` bytes of it (counted as it streams, whatever it declared). */
async function readText(url: string, response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader();
  // Refused with the body cancelled: before reading any of it when its declared length is over.
  const tooLarge = async (): Promise<never> => {
    await reader?.cancel().catch(() => {});
    throw new TransportError(url, "bad-response", `the answer is larger than ${limit} bytes (maxResponseBytes)`, response.status);
  };
  if (Number(response.headers.get("content-length")) > limit) return tooLarge();
  const decoder = new TextDecoder();
  let text = "";
  let size = 0;
  for (;;) {
    const read = await reader?.read();
    if (read === undefined || read.done) return text + decoder.decode();
    size += read.value.byteLength;
    if (size > limit) return tooLarge();
    text += decoder.decode(read.value, { stream: true });
  }
}
