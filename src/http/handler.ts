/**
 * The Web-standard HTTP handler of a service: `fetch(request) → Response`. It routes the RPC path,
 * checks the method and content type, reads the body within its limit and hands the text to the
 * service layer.
 *
 * @module
 */

import { ErrorCode } from "../protocol/errors.ts";
import { errorResponse } from "../protocol/messages.ts";
import { type DispatchTarget, dispatchText } from "../service/dispatch.ts";
import { BodyEncodingError, BodyTooLargeError, readBodyText } from "./read_body.ts";

/** The HTTP settings of a service. */
export interface HttpOptions {
  /** The path of the JSON-RPC endpoint, such as `/api`. */
  readonly path: string;
  /** The largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
}

const JSON_HEADERS = { "content-type": "application/json", "x-content-type-options": "nosniff" } as const;

/**
 * Answers one HTTP request for a service.
 *
 * @param target The service to dispatch to.
 * @param options The endpoint path and body limit.
 * @param request The incoming request.
 * @returns The response: 200 with JSON-RPC, 204 when only notifications came, 404, 405, 413 or 415.
 * @example
 * ```ts
 * import { handleHttpRequest } from "./handler.ts";
 * import { Service } from "../service.ts";
 * const service = new Service({ name: "demo" }).publicMethod("ping", () => "pong");
 * const request = new Request("http://localhost/api", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: '{"jsonrpc":"2.0","method":"ping","id":1}',
 * });
 * await handleHttpRequest(service, { path: "/api", maxBodyBytes: 1 << 20 }, request);
 * ```
 */
export async function handleHttpRequest(
  target: DispatchTarget,
  options: HttpOptions,
  request: Request,
): Promise<Response> {
  if (pathOf(request.url) !== options.path) return new Response("Not Found", { status: 404 });
  if (request.method !== "POST") {
    return new Response("Method Not Allowed: use POST", { status: 405, headers: { allow: "POST" } });
  }
  const contentType = request.headers.get("content-type");
  if (contentType !== null && !isJsonMediaType(contentType)) {
    return rpcErrorReply(415, ErrorCode.InvalidRequest, "Unsupported Content-Type: send application/json");
  }
  let text: string;
  try {
    text = await readBodyText(request, options.maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return rpcErrorReply(413, ErrorCode.InvalidRequest, `Invalid Request: ${error.message}`);
    if (error instanceof BodyEncodingError) return rpcErrorReply(200, ErrorCode.ParseError, `Parse error: ${error.message}`);
    // The client went away while sending: nobody is left to read an answer.
    return new Response(null, { status: 400 });
  }
  const answer = await dispatchText(target, text, { headers: request.headers, signal: request.signal });
  return answer === undefined ? new Response(null, { status: 204 }) : new Response(answer, { headers: JSON_HEADERS });
}

/**
 * Tells whether a `Content-Type` value names JSON: `application/json` or any `+json` type, with
 * any parameters (such as `charset=utf-8`).
 *
 * @param contentType The header's value.
 * @returns `true` for a JSON media type.
 * @example
 * ```ts
 * import { isJsonMediaType } from "./handler.ts";
 * isJsonMediaType("application/json; charset=utf-8"); // true
 * isJsonMediaType("text/plain"); // false
 * ```
 */
export function isJsonMediaType(contentType: string): boolean {
  const essence = (contentType.split(";", 1)[0] as string).trim().toLowerCase();
  return essence === "application/json" || (essence.startsWith("application/") && essence.endsWith("+json"));
}

function rpcErrorReply(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify(errorResponse(null, { code, message })), { status, headers: JSON_HEADERS });
}

/** The path of an absolute URL, without building a `URL` object for every request. */
function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  let end = url.length;
  for (let i = start; i < url.length; i++) {
    const char = url.charCodeAt(i);
    if (char === 63 /* ? */ || char === 35 /* # */) {
      end = i;
      break;
    }
  }
  return url.slice(start, end);
}
