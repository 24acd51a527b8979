/**
 * MCP's Streamable HTTP transport, server side: every request is a `POST` of one JSON-RPC
 * message, answered with one JSON body (a notification or a client's response with
 * `202 Accepted` and none), except a `tools/call` of a streaming method that asked for progress
 * (`params._meta.progressToken`, and `Accept: text/event-stream`): that one is answered with
 * Server-Sent Events, a `notifications/progress` per item, then the response. The server never
 * sends requests of its own, so it offers no `GET` stream (405, as the spec allows).
 *
 * Both generations: a request with the `_meta` envelope is stateless (2026-07-28; its
 * `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name` headers must agree with its body); one
 * without is session-based (`initialize` opens a session, whose id every later request carries,
 * and `DELETE` closes it).
 *
 * @module
 */

import { readBodyBytes, bodyText, BodyTooLargeError } from "../http/read_body.ts";
import { EVENT_STREAM_HEADERS } from "../http/sse.ts";
import type { JsonRpcId, JsonRpcRequest } from "../protocol/messages.ts";
import { validateRequest } from "../protocol/validate_request.ts";
import { answerMcpRequest, type McpAnswer, type McpExchange, progressTokenOf, PROTOCOL_VERSION_KEY, SESSION_VERSIONS, STATELESS_VERSIONS, type ToolSource } from "./protocol.ts";
import type { Sessions } from "./sessions.ts";

/**
 * How one MCP endpoint answers.
 *
 * @example
 * ```ts
 * import { Sessions } from "./sessions.ts";
 * import type { McpHttpSettings } from "./streamable_http.ts";
 * const settings: McpHttpSettings = {
 *   sessions: new Sessions({ max: 1_000, idleTimeout: 3_600_000 }),
 *   origins: new Set(["https://app.example.com"]),
 *   maxBodyBytes: 1_048_576,
 *   resourceMetadata: undefined,
 * };
 * ```
 */
export interface McpHttpSettings {
  /** The session store; `undefined` when the session-based generation runs without sessions. */
  readonly sessions: Sessions | undefined;
  /** Browser origins allowed besides loopback ones (`"*"`: any). */
  readonly origins: ReadonlySet<string>;
  /** The largest body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** The URL of the protected resource metadata (RFC 9728), named in a 401's `WWW-Authenticate`. */
  readonly resourceMetadata: string | undefined;
}

const SESSION_HEADER = "mcp-session-id";
const VERSION_HEADER = "mcp-protocol-version";
/** The `-32020` HeaderMismatch code of protocol 2026-07-28 (a header disagrees with the body). */
const HEADER_MISMATCH = -32020;
/** The `-32022` UnsupportedProtocolVersion code of protocol 2026-07-28. */
const UNSUPPORTED_VERSION = -32022;

/**
 * Answers one HTTP request to the MCP endpoint.
 *
 * @param request The request.
 * @param source The tools.
 * @param credentialed Whether the request carries a credential (checked when a private tool is called).
 * @param settings Sessions, origins, body limit and authorization metadata.
 * @returns The response.
 * @example
 * ```ts
 * import { answerMcpHttp } from "./streamable_http.ts";
 * import type { ToolSource } from "./protocol.ts";
 * const source: ToolSource = { name: "s", version: "1.0.0", methods: () => [], call: () => Promise.resolve({ result: null }) };
 * const settings = { sessions: undefined, origins: new Set<string>(), maxBodyBytes: 65_536, resourceMetadata: undefined };
 * const response = await answerMcpHttp(new Request("http://localhost/mcp", {
 *   method: "POST",
 *   headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
 *   body: JSON.stringify({ jsonrpc: "2.0", method: "ping", id: 1 }),
 * }), source, false, settings);
 * await response.json(); // { jsonrpc: "2.0", result: {}, id: 1 }
 * ```
 */
export async function answerMcpHttp(request: Request, source: ToolSource, credentialed: boolean, settings: McpHttpSettings): Promise<Response> {
  const { headers } = request;
  // DNS rebinding: a page of another site must not reach a server on this machine through the browser.
  if (!originAllowed(headers.get("origin"), settings.origins)) return failure(403, -32000, "Forbidden: this Origin may not call the MCP endpoint");
  if (request.method === "DELETE") return endSession(headers, settings.sessions);
  if (request.method !== "POST") {
    return new Response(null, { status: 405, headers: { allow: settings.sessions === undefined ? "POST" : "POST, DELETE" } });
  }
  const type = headers.get("content-type");
  if (type === null || !/^application\/json\s*(?:;|$)/i.test(type)) return failure(415, -32000, "Unsupported Media Type: send application/json");
  if (!acceptsJson(headers.get("accept"))) return failure(406, -32000, "Not Acceptable: the answers are application/json");
  let message: unknown;
  try {
    message = JSON.parse(bodyText(await readBodyBytes(request, settings.maxBodyBytes), settings.maxBodyBytes));
  } catch (error) {
    if (error instanceof BodyTooLargeError) return failure(413, -32600, `Invalid Request: the body exceeds ${settings.maxBodyBytes} bytes`);
    return failure(400, -32700, "Parse error: the body is not JSON");
  }
  // Batches left MCP in 2025-06-18, and the stateless generation has none either.
  if (Array.isArray(message)) return failure(400, -32600, "Invalid Request: MCP takes one message per request, not a batch");
  if (isClientResponse(message)) return new Response(null, { status: 202 }); // we send no requests: nothing to match
  const valid = validateRequest(message);
  if ("invalid" in valid) return failure(400, -32600, `Invalid Request: ${valid.reason}`, valid.id);
  const meta = metaOf(valid);
  // Read only for a call (on Deno, reading a request's signal prints a notice).
  const gone = (): AbortSignal => request.signal;
  return meta === undefined
    ? answerWithSession(valid, headers, source, credentialed, settings, gone)
    : answerStateless(valid, meta, headers, source, credentialed, settings, gone);
}

/** A stateless (2026-07-28) request: its version and headers checked, no session involved. */
async function answerStateless(
  request: JsonRpcRequest,
  meta: Readonly<Record<string, unknown>>,
  headers: Headers,
  source: ToolSource,
  credentialed: boolean,
  settings: McpHttpSettings,
  gone: () => AbortSignal,
): Promise<Response> {
  const id = request.id ?? null;
  const version = meta[PROTOCOL_VERSION_KEY];
  const all = [...STATELESS_VERSIONS, ...SESSION_VERSIONS];
  if (typeof version !== "string" || !STATELESS_VERSIONS.includes(version)) {
    return failure(400, UNSUPPORTED_VERSION, "Unsupported protocol version", id, { supported: all, requested: version });
  }
  const mismatch = headerMismatch(request, version, headers);
  if (mismatch !== undefined) return failure(400, HEADER_MISMATCH, `Header mismatch: ${mismatch}`, id);
  if (request.id === undefined) return new Response(null, { status: 202 });
  return answerOver(request, source, { credentialed, stateless: true }, headers, settings, gone);
}

/** The first standard header of a stateless request that is missing or disagrees with its body. */
function headerMismatch(request: JsonRpcRequest, version: string, headers: Headers): string | undefined {
  const sent = headers.get(VERSION_HEADER);
  const isRequest = request.id !== undefined;
  // Notifications need no headers; when they send them, they must agree.
  if (sent === null ? isRequest : sent !== version) return `${VERSION_HEADER} must be ${version}, as in params._meta`;
  const method = headers.get("mcp-method");
  if (method === null ? isRequest : method !== request.method) return `mcp-method must be ${request.method}, as in the body`;
  if (request.method === "tools/call") {
    const name = (request.params as Readonly<Record<string, unknown>>)["name"];
    const named = headers.get("mcp-name");
    if (named === null ? isRequest : named !== name) return "mcp-name must be the tool's name, as in params.name";
  }
  return undefined;
}

/** A session-based request: `initialize` opens a session; any other needs a live one. */
async function answerWithSession(
  request: JsonRpcRequest,
  headers: Headers,
  source: ToolSource,
  credentialed: boolean,
  settings: McpHttpSettings,
  gone: () => AbortSignal,
): Promise<Response> {
  const id = request.id ?? null;
  const { sessions } = settings;
  const exchange = { credentialed, stateless: false };
  if (request.method === "initialize") {
    if (request.id === undefined) return new Response(null, { status: 202 });
    const answer = await answerMcpRequest(request, source, exchange);
    const result = answer.response as { readonly result?: { readonly protocolVersion?: string } };
    const version = result.result?.protocolVersion;
    if (sessions === undefined || version === undefined) return respond(answer, settings);
    return respond(answer, settings, { [SESSION_HEADER]: sessions.open(version) });
  }
  if (sessions !== undefined) {
    const session = headers.get(SESSION_HEADER);
    if (session === null) return failure(400, -32000, "Bad Request: send the Mcp-Session-Id header that initialize answered", id);
    if (sessions.version(session) === undefined) return failure(404, -32001, "Session not found: initialize again", id);
  }
  // Any version of this generation is answered alike (as the SDKs' own servers do); no header
  // means 2025-03-26, which had none.
  const versionSent = headers.get(VERSION_HEADER);
  if (versionSent !== null && !SESSION_VERSIONS.includes(versionSent)) {
    return failure(400, -32000, `Bad Request: unsupported protocol version ${versionSent}`, id);
  }
  if (request.id === undefined) return new Response(null, { status: 202 }); // notifications/initialized, cancelled…
  return answerOver(request, source, exchange, headers, settings, gone);
}

/**
 * Answers a request as JSON, or, when it may get progress (a `tools/call` with a progress token
 * from a client that reads SSE), as an event stream opened at the first notification: a tool
 * that sends none (it does not stream, or it was refused) is still answered as JSON, with its
 * HTTP status (401 and 403 included).
 */
function answerOver(
  request: JsonRpcRequest,
  source: ToolSource,
  exchange: McpExchange,
  headers: Headers,
  settings: McpHttpSettings,
  httpSignal: () => AbortSignal,
): Promise<Response> {
  if (request.method !== "tools/call") return answerMcpRequest(request, source, exchange).then((answer) => respond(answer, settings));
  const wantsEvents = progressTokenOf(request.params) !== undefined && /\btext\/event-stream\b/i.test(headers.get("accept") ?? "");
  // A client that leaves stops the reading of a streaming tool's items (the call's signal aborts too).
  if (!wantsEvents) return answerMcpRequest(request, source, { ...exchange, signal: httpSignal() }).then((answer) => respond(answer, settings));
  const gone = new AbortController();
  let channel: EventChannel | undefined;
  let opened!: (response: Response) => void;
  const first = new Promise<Response>((resolve) => (opened = resolve));
  const notify = (message: JsonRpcRequest): Promise<void> => {
    if (channel === undefined) {
      channel = eventChannel(gone);
      opened(new Response(channel.body, { status: 200, headers: EVENT_STREAM_HEADERS }));
    }
    return channel.send(message);
  };
  const answered = answerMcpRequest(request, source, { ...exchange, signal: AbortSignal.any([httpSignal(), gone.signal]), notify }).then(
    (answer) => {
      if (channel === undefined) return respond(answer, settings);
      channel.end(answer.response);
      return first;
    },
    (error: unknown) => {
      if (channel === undefined) throw error;
      // The events already went out: the response is the last of them.
      channel.end({ jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: request.id ?? null });
      return first;
    },
  );
  return Promise.race([first, answered]);
}

/** An SSE answer the messages are written to; pulled, so a slow reader holds the writer still. */
interface EventChannel {
  readonly body: ReadableStream<Uint8Array>;
  /** Writes a message; settles when the reader wants more (or is gone). */
  send(message: unknown): Promise<void>;
  /** Writes the last message and closes. */
  end(message: unknown): void;
}

/** How often, in ms, a quiet event stream gets a comment line (Bun closes a connection idle for 10 s; proxies too). */
const HEARTBEAT = 5_000;

function eventChannel(gone: AbortController): EventChannel {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let wanted: (() => void) | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  const resume = (): void => {
    const resolve = wanted;
    wanted = undefined;
    resolve?.();
  };
  const put = (text: string): void => {
    controller.enqueue(encoder.encode(text));
  };
  const body = new ReadableStream<Uint8Array>({
    start: (given) => {
      controller = given;
      // A comment first: the node adapter holds a body's first chunk until a second comes (to
      // send a short body in one write), and the first notification must not wait for the next.
      put(":\n\n");
      // Never onto a queue the reader is not taking: a stalled reader is not a quiet one.
      ticker = setInterval(() => {
        if ((controller.desiredSize ?? 0) >= 0) put(":\n\n");
      }, HEARTBEAT);
    },
    pull: resume,
    // The client went away: the call's signal aborts, which ends the tool's stream.
    cancel: () => {
      clearInterval(ticker);
      gone.abort();
      resume();
    },
  }, { highWaterMark: 1 });
  const write = (message: unknown): void => {
    put(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  };
  return {
    body,
    send(message) {
      if (gone.signal.aborted) return Promise.resolve();
      write(message);
      if ((controller.desiredSize ?? 0) > 0) return Promise.resolve();
      return new Promise((resolve) => (wanted = resolve));
    },
    end(message) {
      clearInterval(ticker);
      if (gone.signal.aborted) return;
      write(message);
      controller.close();
    },
  };
}

/** `DELETE` with a session id: the client is done with it. */
function endSession(headers: Headers, sessions: Sessions | undefined): Response {
  if (sessions === undefined) return new Response(null, { status: 405, headers: { allow: "POST" } });
  const session = headers.get(SESSION_HEADER);
  if (session === null) return failure(400, -32000, "Bad Request: send the Mcp-Session-Id header to end");
  return sessions.close(session) ? new Response(null, { status: 204 }) : failure(404, -32001, "Session not found");
}

/** The answer as HTTP: 200, except a call refused for its credentials (401 or 403, as OAuth says). */
function respond(answer: McpAnswer, settings: McpHttpSettings, headers: Record<string, string> = {}): Response {
  const { denial } = answer;
  if (denial === undefined) return json(200, answer.response, headers);
  const metadata = settings.resourceMetadata === undefined ? "" : `, resource_metadata="${settings.resourceMetadata}"`;
  const challenge = denial === "missing"
    ? `Bearer realm="mcp"${metadata}`
    : denial === "invalid"
    ? `Bearer error="invalid_token"${metadata}`
    : `Bearer error="insufficient_scope"${metadata}`;
  return json(denial === "forbidden" ? 403 : 401, answer.response, { ...headers, "www-authenticate": challenge });
}

/** The request's `_meta` envelope when it is a stateless one (it names a protocol version). */
function metaOf(request: JsonRpcRequest): Readonly<Record<string, unknown>> | undefined {
  const params = request.params as Readonly<Record<string, unknown>> | undefined;
  const meta = typeof params === "object" && !Array.isArray(params) ? params["_meta"] : undefined;
  if (typeof meta !== "object" || meta === null || !Object.hasOwn(meta, PROTOCOL_VERSION_KEY)) return undefined;
  return meta as Readonly<Record<string, unknown>>;
}

function isClientResponse(message: unknown): boolean {
  if (typeof message !== "object" || message === null) return false;
  return !Object.hasOwn(message, "method") && (Object.hasOwn(message, "result") || Object.hasOwn(message, "error"));
}

/**
 * Whether a browser page of this origin may call the endpoint: no `Origin` (not a browser, or
 * the same page), a loopback one (`localhost`, `127.0.0.1`, `[::1]`, any port), or one listed.
 *
 * @param origin The `Origin` header, or `null`.
 * @param allowed The origins allowed besides loopback ones; `"*"` allows any.
 * @returns Whether the request may go on.
 * @example
 * ```ts
 * import { originAllowed } from "./streamable_http.ts";
 * originAllowed("http://localhost:6274", new Set()); // true
 * originAllowed("https://evil.example", new Set()); // false
 * originAllowed("https://app.example.com", new Set(["https://app.example.com"])); // true
 * ```
 */
export function originAllowed(origin: string | null, allowed: ReadonlySet<string>): boolean {
  if (origin === null || allowed.has("*") || allowed.has(origin)) return true;
  let hostname: string;
  try {
    hostname = new URL(origin).hostname;
  } catch {
    return false; // "null" (a sandboxed page, a file) and anything unreadable
  }
  return hostname === "localhost" || hostname === "127.0.0.1" || hostname === "[::1]";
}

/** Whether the `Accept` header lets us answer JSON (no header: anything goes). */
function acceptsJson(accept: string | null): boolean {
  if (accept === null) return true;
  return accept.split(",").some((range) => /^\s*(?:application\/json|application\/\*|\*\/\*)\s*(?:;|$)/i.test(range));
}

function failure(status: number, code: number, message: string, id: JsonRpcId = null, data?: unknown): Response {
  return json(status, { jsonrpc: "2.0", error: data === undefined ? { code, message } : { code, message, data }, id });
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}
