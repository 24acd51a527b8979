/**
 * How the Deno adapter makes the `Response` of a JSON-RPC answer.
 *
 * @module
 */

import { toResponse } from "../http/handler.ts";
import type { PlainReply } from "../http/rpc_endpoint.ts";

const JSON_INIT: ResponseInit = { headers: { "content-type": "application/json" } };

/**
 * The same response as {@linkcode toResponse}, made the way Deno sends fastest: with more headers
 * than a Content-Type, Deno's constructor makes a native object with a finalizer (about 1 µs);
 * headers appended afterwards cost far less. (On Bun two steps cost more than one.)
 *
 * @internal The Deno adapter's; it may change in any release.
 * @param reply The answer.
 * @returns The response.
 * @example
 * ```ts
 * import { denoResponse } from "./deno_response.ts";
 * denoResponse({ status: 200, headers: { "content-type": "application/json", "x-content-type-options": "nosniff" }, body: "{}" });
 * ```
 */
export function denoResponse(reply: PlainReply): Response {
  if (reply.status !== 200 || reply.headers["content-type"] !== "application/json") return toResponse(reply);
  const response = new Response(reply.body, JSON_INIT);
  for (const name in reply.headers) if (name !== "content-type") response.headers.append(name, reply.headers[name] as string);
  return response;
}
