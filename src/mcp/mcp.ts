/**
 * `mcp()`: a service's methods as Model Context Protocol tools, so AI agents call them. It serves
 * MCP's Streamable HTTP transport at `/mcp`, for both protocol generations clients speak: the
 * session-based one (2025-11-25: `initialize`, then `Mcp-Session-Id` on each request) and the
 * stateless one (2026-07-28: each request carries its version).
 *
 * - `tools/list`: a tool per chosen method (public ones by default), with its description, its
 *   params as one JSON Schema object (from the method's schemas, or its params' names),
 *   `outputSchema` when the result's schema is an object, and `readOnlyHint` / `idempotentHint`
 *   from the method's `readOnly` and `idempotent` options.
 * - `tools/call`: the arguments become the method's named params (positional ones when the
 *   method has unnamed params), and the call goes through the service's own dispatch, with the
 *   HTTP request's headers: token checks, middlewares (logs, metrics, tracing), schemas, timeouts
 *   and limits apply as to any call. A result is text content, plus `structuredContent` when it
 *   is an object; an error the method answers is an `isError` result the model reads.
 * - Private methods, when chosen, are listed to requests that carry a credential (an API token
 *   or a bearer token) and checked when called; a call without a valid one is answered
 *   `401 Unauthorized` with a `WWW-Authenticate: Bearer` challenge (403 for a missing scope), as
 *   MCP's authorization asks.
 * - Browser origins other than loopback ones are refused (403) unless listed in `origins`.
 *
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { mcp } from "./mcp.ts";
 * const orders = new Service({ name: "orders" })
 *   .use(mcp())
 *   .publicMethod("get_order", (id: string) => ({ id, status: "shipped" }), { readOnly: true, description: "An order by its id." });
 * // Agents connect to http://host:port/mcp
 * ```
 *
 * @module
 */

import { readApiToken, type StreamTaker } from "../core/context.ts";
import { type DispatchTarget, errorObjectFor, targetOf } from "../core/dispatch.ts";
import { describeMethod } from "../core/introspection.ts";
import type { MethodDefinition } from "../core/method.ts";
import type { Plugin, PluginHost } from "../core/plugin.ts";
import { checkedItems } from "../plugins/streams/checked_items.ts";
import type { JsonRpcErrorObject, JsonRpcParams, JsonRpcResponse } from "../protocol/messages.ts";
import type { ToolSource } from "./protocol.ts";
import { Sessions } from "./sessions.ts";
import { answerMcpHttp, type McpHttpSettings } from "./streamable_http.ts";
import type { ToolMethod } from "./tools.ts";

/**
 * Options of {@linkcode mcp}.
 *
 * @example
 * ```ts
 * import type { McpOptions } from "./mcp.ts";
 * const options: McpOptions = {
 *   tools: (method) => method.name.startsWith("get_"),
 *   origins: ["https://agent.example.com"],
 *   resourceMetadata: "https://api.example.com/.well-known/oauth-protected-resource",
 * };
 * ```
 */
export interface McpOptions {
  /** Where the MCP endpoint is. Default `"/mcp"`. */
  readonly path?: string | undefined;
  /**
   * Which methods are tools: their names, or a test of each method. Default: the public ones.
   * A private method chosen here is listed only to requests with a credential.
   */
  readonly tools?: readonly string[] | ((method: MethodDefinition) => boolean) | undefined;
  /**
   * Browser origins that may call the endpoint besides loopback ones (`http://localhost:…`,
   * `127.0.0.1`, `[::1]`), such as `"https://agent.example.com"`; `"*"` allows every origin.
   * Requests without an `Origin` header (agents, not browsers) are always allowed.
   */
  readonly origins?: readonly string[] | undefined;
  /**
   * Whether the session-based generation gives sessions (an `Mcp-Session-Id` at `initialize`,
   * required after). Default `true`; `false` answers those clients without sessions, which suits
   * several instances behind a load balancer. Stateless (2026-07-28) clients never use sessions.
   */
  readonly sessions?: boolean | undefined;
  /** The most sessions kept; the least recently used goes first. Default 10,000. */
  readonly maxSessions?: number | undefined;
  /** How long an unused session lives, in ms. Default one hour. */
  readonly sessionIdleTimeout?: number | undefined;
  /** The largest request body, in bytes. Default: the service's `limits.maxBodyBytes`. */
  readonly maxBodyBytes?: number | undefined;
  /**
   * The URL of the service's OAuth protected resource metadata (RFC 9728), named in the
   * `WWW-Authenticate` challenge of a 401 so that MCP clients find the authorization server.
   */
  readonly resourceMetadata?: string | undefined;
  /** What to tell agents about the service as a whole. Default: the service's description. */
  readonly instructions?: string | undefined;
}

/**
 * Serves the service's methods as MCP tools at `/mcp` (Streamable HTTP).
 *
 * @param options Which methods become tools, the path, allowed origins, sessions and limits.
 * @returns The plugin, for `service.use()`.
 * @throws {TypeError} When the path does not start with `/`, or a count or time is not positive.
 * @example
 * ```ts
 * import { z } from "zod";
 * import { Service } from "../core/service.ts";
 * import { schemas } from "../plugins/schemas/schemas.ts";
 * import { mcp } from "./mcp.ts";
 * const calculator = new Service({ name: "calculator", apiTokenIsValid: (token) => token === "secret" })
 *   .use(schemas())
 *   .use(mcp({ tools: () => true })) // every method; private ones need the token
 *   .publicMethod("add", (a: number, b: number) => a + b, { idempotent: true, readOnly: true })
 *   .publicMethod("divide", ({ a, b }) => ({ quotient: a / b }), {
 *     input: z.object({ a: z.number(), b: z.number().refine((b) => b !== 0, "not zero") }),
 *   })
 *   .privateMethod("reset", () => "done");
 * ```
 */
export function mcp(options: McpOptions = {}): Plugin {
  const path = options.path ?? "/mcp";
  if (!path.startsWith("/")) throw new TypeError(`mcp(): the path must start with "/", got ${path}`);
  for (const key of ["maxSessions", "sessionIdleTimeout", "maxBodyBytes"] as const) {
    const value = options[key];
    if (value !== undefined && !(value > 0)) throw new TypeError(`mcp(): ${key} must be a positive number`);
  }
  const chosen = choice(options.tools);
  const sessions = options.sessions === false
    ? undefined
    : new Sessions({ max: options.maxSessions ?? 10_000, idleTimeout: options.sessionIdleTimeout ?? 3_600_000 });
  let host: PluginHost | undefined;
  let settings: McpHttpSettings | undefined;
  return {
    name: "mcp",
    setup(service: PluginHost): void {
      host = service;
      // The service's own body limit, which `Service` has (a PluginHost need not).
      const limits = (service as { readonly limits?: { readonly maxBodyBytes?: number } }).limits;
      settings = {
        sessions,
        origins: new Set(options.origins ?? []),
        maxBodyBytes: options.maxBodyBytes ?? limits?.maxBodyBytes ?? 1_048_576,
        resourceMetadata: options.resourceMetadata,
      };
    },
    allows: (asked: string): string | undefined => (asked === path ? (sessions === undefined ? "POST" : "POST, DELETE") : undefined),
    fetch(request: Request, asked: string): Promise<Response> | undefined {
      if (asked !== path || host === undefined || settings === undefined) return undefined;
      const service = host;
      const source: ToolSource = {
        name: service.name,
        version: service.version,
        instructions: options.instructions ?? (service as { readonly description?: string }).description,
        methods: () => service.listMethods().filter(chosen).map(toolMethod),
        // The service's own dispatch, with this request's headers: the token (in its header or as
        // a bearer token) is checked there, and the middlewares see the call as any other.
        call: async (name: string, params: JsonRpcParams, signal?: AbortSignal) => {
          // A method that streams hands its items here (dispatch's stream taker, as the streams
          // plugin's is for POST /api) once the service's checks and middlewares let it run.
          let taken: AsyncIterable<unknown> | undefined;
          const stream: StreamTaker = (items) => {
            taken = items;
            return null; // what the middlewares see as the call's result; the items follow
          };
          const gone = signal === undefined ? request.signal : AbortSignal.any([request.signal, signal]);
          const answer = (await service.handle({ jsonrpc: "2.0", method: name, params, id: 0 }, { headers: request.headers, signal: gone, stream })) as JsonRpcResponse;
          const items = taken;
          if (items === undefined) return outcomeOf(answer);
          if ("error" in answer) {
            // Refused after the taker took it (a middleware's failure): nothing will read it.
            Promise.resolve().then(() => items[Symbol.asyncIterator]().return?.()).catch(() => {});
            return outcomeOf(answer);
          }
          const method = service.listMethods().find((candidate) => candidate.name === name);
          return { stream: checkedItems(items, method), errorOf: (thrown: unknown) => streamError(service, thrown, name) };
        },
      };
      const credentialed = readApiToken(request.headers, service.apiTokenHeader) !== undefined;
      return answerMcpHttp(request, source, credentialed, settings);
    },
  };
}

function choice(tools: McpOptions["tools"]): (method: MethodDefinition) => boolean {
  if (tools === undefined) return (method) => !method.isPrivate;
  if (typeof tools === "function") return tools;
  const names = new Set(tools);
  return (method) => names.has(method.name);
}

function toolMethod(method: MethodDefinition): ToolMethod {
  return { ...describeMethod(method), readOnly: method.readOnly === true };
}

/**
 * What a stream's throw answers, as dispatch answers a call's: an `RpcError`'s own, else `-32603`
 * (reported to the service's `onError`, details only when it exposes errors).
 */
function streamError(service: PluginHost, thrown: unknown, method: string): JsonRpcErrorObject {
  let target: DispatchTarget;
  try {
    target = targetOf(service as unknown as Parameters<typeof targetOf>[0]);
  } catch {
    return { code: -32603, message: "Internal error" }; // a host that is no Service: nothing to report to
  }
  return errorObjectFor(target, thrown, method);
}

function outcomeOf(response: JsonRpcResponse): { readonly result: unknown } | { readonly error: JsonRpcErrorObject } {
  return "error" in response ? { error: response.error } : { result: response.result };
}
