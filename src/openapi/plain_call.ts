/**
 * Answering a plain route of `openapi()`: `POST {path}/{method}` with the params as the JSON body,
 * answered with the result (200) or the error object (a status from the error's code), no
 * JSON-RPC envelope. The call goes through the service's own dispatch (`service.handle`), so the
 * token check, scopes, middlewares (metrics, tracing, call logs, rate limits), timeouts, the
 * caller's deadline and the params limits apply as they do at the JSON-RPC endpoint.
 *
 * @module
 */

import type { MethodDefinition } from "../core/method.ts";
import type { PluginHost } from "../core/plugin.ts";
import { DEFAULT_MAX_BODY_BYTES } from "../core/limits.ts";
import { BodyTooLargeError, bodyText, readBodyBytes } from "../http/read_body.ts";
import { isJsonMediaType } from "../http/rpc_endpoint.ts";
import { statusOf } from "./status.ts";

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" } as const;

/**
 * Calls a method with the params a plain request's JSON body carries, and answers as plain JSON.
 *
 * @param service The service (its `handle` runs the call).
 * @param method The method the route is for.
 * @param request The request.
 * @returns The answer: 200 with the result, else the error object with its status (see
 *   `statusOf`), 401 with `WWW-Authenticate: Bearer`.
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { plainCall } from "./plain_call.ts";
 * const service = new Service({ name: "s" }).publicMethod("add", (a: number, b: number) => a + b);
 * const request = new Request("http://localhost/api/add", { method: "POST", headers: { "content-type": "application/json" }, body: '{"a":1,"b":2}' });
 * await (await plainCall(service, service.findMethod("add")!, request)).json(); // 3
 * ```
 */
export async function plainCall(service: PluginHost, method: MethodDefinition, request: Request): Promise<Response> {
  const contentType = request.headers.get("content-type");
  if (contentType !== null && !isJsonMediaType(contentType)) {
    return answer(415, { code: -32600, message: "Unsupported Content-Type: send application/json" });
  }
  const limit = (service as { readonly limits?: { readonly maxBodyBytes?: number } }).limits?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let text: string;
  try {
    text = bodyText(await readBodyBytes(request, limit), limit);
  } catch (error) {
    return error instanceof BodyTooLargeError
      ? answer(413, { code: -32600, message: `Request body too large (over ${limit} bytes)` })
      : answer(400, { code: -32700, message: "Parse error: the body is not UTF-8" });
  }
  let params: unknown;
  if (text.trim() === "") {
    params = method.params.named ? {} : [];
  } else {
    try {
      params = JSON.parse(text);
    } catch {
      return answer(400, { code: -32700, message: "Parse error: the body is not JSON" });
    }
    if (typeof params !== "object" || params === null) {
      return answer(400, { code: -32600, message: "The body must be an object of named params (or an array of positional ones)" });
    }
  }
  // `request.signal` is read only if the call asks for it (on Deno, reading it prints a warning).
  const reply = await service.handle(
    { jsonrpc: "2.0", method: method.name, params, id: 0 },
    { headers: request.headers, get signal() { return request.signal; } },
  ) as { readonly result?: unknown; readonly error?: { readonly code: number } } | undefined;
  if (reply?.error !== undefined) {
    const declared = new Map(Object.values(method.errors ?? {}).flatMap((error) => error.status === undefined ? [] : [[error.code, error.status] as const]));
    return answer(statusOf(reply.error.code, declared), reply.error);
  }
  try {
    return answer(200, reply?.result ?? null);
  } catch (error) {
    // What JSON cannot carry (a bigint, a cycle) is the service's bug, as at the JSON-RPC endpoint.
    service.report(error, method.name);
    return answer(500, { code: -32603, message: "Internal error" });
  }
}

function answer(status: number, body: unknown): Response {
  const text = JSON.stringify(body) as string | undefined;
  if (text === undefined) throw new TypeError("The result cannot be written as JSON");
  const headers: Record<string, string> = status === 401 ? { ...JSON_HEADERS, "www-authenticate": "Bearer" } : JSON_HEADERS;
  return new Response(text, { status, headers });
}
