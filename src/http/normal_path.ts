/**
 * One path rule for every runtime: the request's URL as the URL standard parses it. Node.js (through
 * `new URL`) and Bun hand a service `/api` for `/api/../api`, `/` for `/hello/%2e%2e` and `/a/b` for
 * `/a\b`; Deno hands the target over as it was sent. So a Deno request whose path the standard
 * would change is rebuilt with the normalised URL, and a service answers the same on all three.
 *
 * @module
 */

// Dot segments (raw or percent-encoded), backslashes, and the characters the URL standard
// percent-encodes in a path (controls, space, `"`, `<`, `>`, a backtick, braces, non-ASCII).
// eslint-disable-next-line no-control-regex -- control characters are among what it finds
const NOT_NORMAL = /\\|[\u0000-\u0020"<>`{}\u007f-\uffff]|(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

/**
 * Whether a path (without its query) is not what the URL standard would make of it.
 *
 * @param path A path as sent, such as `/api/../api`.
 * @returns `true` when parsing the URL would change it.
 * @example
 * ```ts
 * import { needsNormalising } from "./normal_path.ts";
 * needsNormalising("/api/../api"); // true
 * needsNormalising("/static/style.css"); // false
 * ```
 */
export function needsNormalising(path: string): boolean {
  return NOT_NORMAL.test(path);
}

/**
 * The request as the URL standard has it: the same request when its path is already normal (as it
 * always is on Node.js and Bun), else a copy with the normalised URL.
 *
 * @param request The request.
 * @param path Its path, as sent.
 * @returns The request to answer, and its path.
 * @example
 * ```ts
 * import { normalisedRequest } from "./normal_path.ts";
 * const { path } = normalisedRequest(new Request("http://localhost/api"), "/api");
 * path; // "/api"
 * ```
 */
export function normalisedRequest(request: Request, path: string): { request: Request; path: string } {
  if (!needsNormalising(path)) return { request, path };
  const url = new URL(request.url);
  // `new Request(url, request)` would need the body unread, which it still is here.
  return { request: new Request(url.href, request), path: url.pathname };
}
