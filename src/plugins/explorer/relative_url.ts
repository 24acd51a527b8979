/**
 * The URL of one path of a service relative to another, so that the explorer page keeps working
 * behind a proxy that serves the whole service under a prefix.
 *
 * @module
 */

/**
 * Gives the relative URL that, resolved against a page at `from`, leads to `to` (both absolute
 * paths of the same origin). It always starts with `./` or `../`, so a path segment with a colon
 * is never read as a URL scheme.
 *
 * @param from The path of the page, such as `/docs`.
 * @param to The path to reach, such as `/api`.
 * @returns Such as `./api`, or `../api` from `/tools/docs`.
 * @throws {TypeError} When a path does not start with `/`.
 * @example
 * ```ts
 * import { relativeUrl } from "./relative_url.ts";
 * relativeUrl("/docs", "/api"); // "./api"
 * relativeUrl("/tools/docs", "/rpc/v1"); // "../rpc/v1"
 * ```
 */
export function relativeUrl(from: string, to: string): string {
  if (!from.startsWith("/") || !to.startsWith("/")) throw new TypeError(`Paths must start with "/", got ${from} and ${to}`);
  // The folder of the page: every segment but the last (a page at /a/b lives in /a/).
  const base = from.split("/").slice(1, -1);
  const target = to.split("/").slice(1);
  let common = 0;
  // Keep the last segment of the target out of the shared part: it is what the URL names.
  while (common < base.length && common < target.length - 1 && base[common] === target[common]) common++;
  const ups = base.length - common;
  return (ups === 0 ? "./" : "../".repeat(ups)) + target.slice(common).join("/");
}
