/**
 * The MCP requests a tool server answers, whatever carries them (Streamable HTTP or stdio):
 * `initialize` and `server/discover`, `ping`, `tools/list` and `tools/call`. Both protocol
 * generations: the session-based one (2025-11-25 and before: `initialize` first) and the
 * stateless one (2026-07-28: no handshake, each request carries its protocol version in
 * `params._meta`, and each result says `resultType`).
 *
 * @module
 */

import type { JsonRpcErrorObject, JsonRpcParams, JsonRpcRequest, JsonRpcResponse } from "../protocol/messages.ts";
import { type StreamedOutcome, streamedResult } from "./stream_result.ts";
import { argumentsResult, type CallToolResult, errorResult, successResult } from "./tool_result.ts";
import { type McpTool, paramsOf, type ToolMethod, toolOf } from "./tools.ts";

/**
 * The stateless protocol versions answered (no `initialize`, a `_meta` envelope on each request).
 *
 * @example
 * ```ts
 * import { STATELESS_VERSIONS } from "./protocol.ts";
 * STATELESS_VERSIONS[0]; // "2026-07-28"
 * ```
 */
export const STATELESS_VERSIONS: readonly string[] = ["2026-07-28"];

/**
 * The session-based protocol versions answered (`initialize` first), newest first.
 *
 * @example
 * ```ts
 * import { SESSION_VERSIONS } from "./protocol.ts";
 * SESSION_VERSIONS[0]; // "2025-11-25"
 * ```
 */
export const SESSION_VERSIONS: readonly string[] = ["2025-11-25", "2025-06-18", "2025-03-26"];

/**
 * The `_meta` key of a stateless request's protocol version.
 *
 * @example
 * ```ts
 * import { PROTOCOL_VERSION_KEY } from "./protocol.ts";
 * const params = { _meta: { [PROTOCOL_VERSION_KEY]: "2026-07-28" } };
 * ```
 */
export const PROTOCOL_VERSION_KEY = "io.modelcontextprotocol/protocolVersion";

const SERVER_INFO_KEY = "io.modelcontextprotocol/serverInfo";

/**
 * What the tools are made of and how they are called: the service behind the MCP face.
 *
 * @example
 * ```ts
 * import type { ToolSource } from "./protocol.ts";
 * const source: ToolSource = {
 *   name: "clock",
 *   version: "1.0.0",
 *   methods: () => [{ name: "now", params: [], result: { name: "result", schema: {} }, paramStructure: "either", "x-private": false }],
 *   call: () => Promise.resolve({ result: Date.now() }),
 * };
 * ```
 */
export interface ToolSource {
  /** The service's name (the MCP server's name). */
  readonly name: string;
  /** The service's version. */
  readonly version: string;
  /** What to tell the agent about the service as a whole (the service's description), if anything. */
  readonly instructions?: string | undefined;
  /**
   * The methods offered as tools, public and private (a private one is listed only to a caller
   * with credentials).
   *
   * @returns The methods.
   * @example
   * ```ts
   * import type { ToolSource } from "./protocol.ts";
   * declare const source: ToolSource;
   * const names = (await source.methods()).map((method) => method.name);
   * ```
   */
  methods(): readonly ToolMethod[] | Promise<readonly ToolMethod[]>;
  /**
   * Calls a method with the caller's credentials.
   *
   * @param name The method.
   * @param params Its params.
   * @param signal Aborted when the client cancels the request or goes away.
   * @returns Its answer: the result, the error it answered, or the items of a method that streams
   *   (read to the end, reported as progress, by the caller).
   * @example
   * ```ts
   * import type { ToolSource } from "./protocol.ts";
   * declare const source: ToolSource;
   * const answer = await source.call("add", { a: 1, b: 2 }); // { result: 3 }
   * ```
   */
  call(name: string, params: JsonRpcParams, signal?: AbortSignal): Promise<{ readonly result: unknown } | { readonly error: JsonRpcErrorObject } | StreamedOutcome>;
}

/**
 * What is known of the request besides its message.
 *
 * @example
 * ```ts
 * import type { McpExchange } from "./protocol.ts";
 * const exchange: McpExchange = { credentialed: false, stateless: true };
 * ```
 */
export interface McpExchange {
  /** Whether the request carried a credential (an API token or a bearer token). */
  readonly credentialed: boolean;
  /** Whether the request is of the stateless generation (it has the `_meta` envelope). */
  readonly stateless: boolean;
  /** Aborted when the client gives the request up; passed on to the method's call. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Sends a message to the client before the response, on the request's own answer (an SSE
   * stream), when the transport can: a streaming tool's `notifications/progress`. Awaited, so a
   * slow client holds the stream still. `undefined`: the client gets the response only.
   */
  readonly notify?: ((message: JsonRpcRequest) => Promise<void>) | undefined;
}

/**
 * The progress token of a request (`params._meta.progressToken`), when it asked for progress.
 *
 * @param params The request's params.
 * @returns The token (a string or an integer), or `undefined`.
 * @example
 * ```ts
 * import { progressTokenOf } from "./protocol.ts";
 * progressTokenOf({ name: "ticks", _meta: { progressToken: 7 } }); // 7
 * progressTokenOf({ name: "ticks" }); // undefined
 * ```
 */
export function progressTokenOf(params: unknown): string | number | undefined {
  if (typeof params !== "object" || params === null || Array.isArray(params)) return undefined;
  const meta = (params as Readonly<Record<string, unknown>>)["_meta"];
  if (typeof meta !== "object" || meta === null) return undefined;
  const token = (meta as Readonly<Record<string, unknown>>)["progressToken"];
  return typeof token === "string" || Number.isInteger(token) ? token as string | number : undefined;
}

/**
 * Why a call was refused for its credentials: none given (`missing`), not valid (`invalid`), or
 * valid without the scope the method needs (`forbidden`). HTTP answers them 401, 401 and 403.
 *
 * @example
 * ```ts
 * import type { Denial } from "./protocol.ts";
 * const status = (denial: Denial): number => denial === "forbidden" ? 403 : 401;
 * ```
 */
export type Denial = "missing" | "invalid" | "forbidden";

/**
 * The answer to one MCP request.
 *
 * @example
 * ```ts
 * import type { McpAnswer } from "./protocol.ts";
 * const answer: McpAnswer = { response: { jsonrpc: "2.0", result: {}, id: 1 } };
 * ```
 */
export interface McpAnswer {
  /** The JSON-RPC response. */
  readonly response: JsonRpcResponse;
  /** Set when a `tools/call` was refused for its credentials (the response is then that error). */
  readonly denial?: Denial;
}

/** The JSON-RPC code of a caller that lacks a scope (`ErrorCode.Forbidden` of tsmicroservice/auth). */
const FORBIDDEN = -32003;
const ACCESS_DENIED = -32001;

/**
 * Answers one MCP request.
 *
 * @param request The request (a notification is never answered: do not pass one).
 * @param source The tools.
 * @param exchange Whether the caller has credentials, and which protocol generation it speaks.
 * @returns The response, and why a call was refused when it was for its credentials.
 * @example
 * ```ts
 * import { answerMcpRequest, type ToolSource } from "./protocol.ts";
 * const source: ToolSource = {
 *   name: "greeter",
 *   version: "1.0.0",
 *   methods: () => [{
 *     name: "say_hello",
 *     params: [{ name: "name", schema: { type: "string" }, required: true }],
 *     result: { name: "result", schema: {} },
 *     paramStructure: "either",
 *     "x-private": false,
 *   }],
 *   call: (_name, params) => Promise.resolve({ result: `hello ${(params as { name: string }).name}` }),
 * };
 * const request = { jsonrpc: "2.0", method: "tools/call", params: { name: "say_hello", arguments: { name: "world" } }, id: 1 } as const;
 * const { response } = await answerMcpRequest(request, source, { credentialed: false, stateless: false });
 * // { jsonrpc: "2.0", result: { content: [{ type: "text", text: "hello world" }] }, id: 1 }
 * ```
 */
export async function answerMcpRequest(request: JsonRpcRequest, source: ToolSource, exchange: McpExchange): Promise<McpAnswer> {
  const id = request.id ?? null;
  const params = (request.params ?? {}) as Readonly<Record<string, unknown>>;
  const answer = (result: Record<string, unknown>): McpAnswer => ({
    // A stateless result says it is complete (2026-07-28 has results that ask for more input).
    response: { jsonrpc: "2.0", result: exchange.stateless ? { ...result, resultType: "complete" } : result, id },
  });
  const fail = (code: number, message: string, data?: unknown): McpAnswer => ({
    response: { jsonrpc: "2.0", error: data === undefined ? { code, message } : { code, message, data }, id },
  });
  if (Array.isArray(request.params)) return fail(-32602, "Invalid params: MCP params are an object");
  switch (request.method) {
    case "initialize": {
      if (exchange.stateless) return fail(-32601, "Method not found: initialize (protocol 2026-07-28 has no handshake)");
      const asked = params["protocolVersion"];
      // The client's version when it is one we speak, else our newest: the client then decides.
      const version = typeof asked === "string" && SESSION_VERSIONS.includes(asked) ? asked : SESSION_VERSIONS[0];
      return answer({
        protocolVersion: version,
        capabilities: { tools: { listChanged: false } },
        serverInfo: { name: source.name, version: source.version },
        ...(source.instructions === undefined ? {} : { instructions: source.instructions }),
      });
    }
    case "server/discover":
      return answer({
        supportedVersions: [...STATELESS_VERSIONS, ...SESSION_VERSIONS],
        capabilities: { tools: { listChanged: false } },
        ...(source.instructions === undefined ? {} : { instructions: source.instructions }),
        // The registry may change between requests: no caching promised.
        ttlMs: 0,
        cacheScope: "private",
        _meta: { [SERVER_INFO_KEY]: { name: source.name, version: source.version } },
      });
    case "ping":
      return answer({});
    case "tools/list": {
      const tools = await listTools(source, exchange.credentialed);
      return answer(exchange.stateless ? { tools, ttlMs: 0, cacheScope: exchange.credentialed ? "private" : "public" } : { tools });
    }
    case "tools/call":
      return await callTool(source, params, exchange, answer, fail);
    default:
      return fail(-32601, `Method not found: ${request.method}`);
  }
}

/**
 * The tools a caller sees: the public methods, and the private ones when it has credentials.
 *
 * @param source The tools.
 * @param credentialed Whether the caller has credentials.
 * @returns The tools, in registration order.
 * @example
 * ```ts
 * import { listTools, type ToolSource } from "./protocol.ts";
 * declare const source: ToolSource;
 * const visible = await listTools(source, false); // public methods only
 * ```
 */
export async function listTools(source: ToolSource, credentialed: boolean): Promise<McpTool[]> {
  const methods = await source.methods();
  // Credentials are checked when a tool is called, by the service itself; rpc.discover already
  // names every method to anyone, so listing a private one shows nothing new.
  return methods.filter((method) => credentialed || !method["x-private"]).map((method) => toolOf(method, source.name));
}

async function callTool(
  source: ToolSource,
  params: Readonly<Record<string, unknown>>,
  exchange: McpExchange,
  answer: (result: Record<string, unknown>) => McpAnswer,
  fail: (code: number, message: string, data?: unknown) => McpAnswer,
): Promise<McpAnswer> {
  const name = params["name"];
  if (typeof name !== "string") return fail(-32602, "Invalid params: tools/call needs the tool's name");
  const args = params["arguments"];
  if (args !== undefined && (typeof args !== "object" || args === null || Array.isArray(args))) {
    return fail(-32602, "Invalid params: a tool's arguments are an object");
  }
  const method = (await source.methods()).find((candidate) => candidate.name === name);
  if (method === undefined) return fail(-32602, `Unknown tool: ${name}`);
  if (method["x-private"] && !exchange.credentialed) {
    return { ...fail(ACCESS_DENIED, "Access denied: a valid token is required"), denial: "missing" };
  }
  const toolResult = (result: CallToolResult): McpAnswer => answer({ ...result });
  const bound = paramsOf(method, args as Readonly<Record<string, unknown>> | undefined);
  if (typeof bound === "string") return toolResult(argumentsResult(bound));
  const outcome = await source.call(name, bound, exchange.signal);
  if ("stream" in outcome) {
    const token = progressTokenOf(params);
    const { notify } = exchange;
    // One notification per item: progress counts the items, the message is the item.
    const report = token === undefined || notify === undefined
      ? undefined
      : (progress: number, message: string) => notify({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: token, progress, message } });
    return toolResult(await streamedResult(outcome, report, exchange.signal));
  }
  if (!("error" in outcome)) return toolResult(successResult(outcome.result));
  const { error } = outcome;
  // Credentials are the client's to fix, not the model's: the transport asks for them (HTTP 401/403).
  if (error.code === ACCESS_DENIED) return { ...fail(error.code, error.message), denial: "invalid" };
  if (error.code === FORBIDDEN) return { ...fail(error.code, error.message), denial: "forbidden" };
  return toolResult(errorResult(error));
}
