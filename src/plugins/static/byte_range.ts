/**
 * The `Range` header of a GET for a file (RFC 9110, section 14): which bytes to send.
 *
 * One range is answered (`bytes=0-99`, `bytes=100-`, `bytes=-100`); several, another unit or an
 * unparsable header get the whole file, as the RFC allows; a start past the end is a 416.
 *
 * @module
 */

import type { ByteRange } from "../../http/file_access.ts";

/** The whole file is sent: there is no range, or it is one the server may ignore. */
export const WHOLE_FILE = "whole";

/** No byte of the file is in the range asked for: the answer is 416. */
export const UNSATISFIABLE = "unsatisfiable";

// One range spec: `first-last`, `first-` or `-suffix` (digits only; spaces around are tolerated).
const ONE_RANGE = /^bytes[ \t]*=[ \t]*(\d*)[ \t]*-[ \t]*(\d*)[ \t]*$/i;

/**
 * Which bytes of a file a `Range` header asks for.
 *
 * @param header The request's `Range` header, or `null`.
 * @param size The file's size in bytes.
 * @returns The range (both ends included, the last one within the file), {@linkcode WHOLE_FILE},
 *   or {@linkcode UNSATISFIABLE}.
 * @example
 * ```ts
 * import { requestedRange } from "./byte_range.ts";
 * requestedRange("bytes=0-9", 100); // { start: 0, end: 9 }
 * requestedRange("bytes=-10", 100); // { start: 90, end: 99 }
 * requestedRange("bytes=100-", 100); // "unsatisfiable"
 * requestedRange("bytes=0-1,5-6", 100); // "whole"
 * ```
 */
export function requestedRange(header: string | null, size: number): ByteRange | typeof WHOLE_FILE | typeof UNSATISFIABLE {
  if (header === null) return WHOLE_FILE;
  const match = ONE_RANGE.exec(header);
  if (match === null) return WHOLE_FILE;
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return WHOLE_FILE;
  if (first === "") {
    // A suffix: the last N bytes (all of them when N is more than the file has).
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return UNSATISFIABLE;
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Number(last);
  // A last position before the first makes the header invalid, and an invalid header is ignored.
  if (last !== "" && end < start) return WHOLE_FILE;
  if (start >= size) return UNSATISFIABLE;
  return { start, end: Math.min(end, size - 1) };
}

/**
 * Whether `If-Range` lets a range be answered: with no `If-Range`, yes; with an entity tag, only
 * when it matches strongly (a weak tag never does); with a date, only when it is the file's
 * `Last-Modified`.
 *
 * @param ifRange The request's `If-Range` header, or `null`.
 * @param etag The file's entity tag, if it has one.
 * @param lastModified The file's `Last-Modified` date, as sent, if it has one.
 * @returns `true` when the range may be sent, `false` when the whole file must be.
 * @example
 * ```ts
 * import { rangeStillValid } from "./byte_range.ts";
 * rangeStillValid(null, undefined, undefined); // true
 * rangeStillValid('W/"a-1"', 'W/"a-1"', undefined); // false: a weak tag cannot validate a range
 * rangeStillValid("Thu, 01 Jan 1970 00:00:01 GMT", undefined, "Thu, 01 Jan 1970 00:00:01 GMT"); // true
 * ```
 */
export function rangeStillValid(ifRange: string | null, etag: string | undefined, lastModified: string | undefined): boolean {
  if (ifRange === null) return true;
  const given = ifRange.trim();
  if (given.startsWith('"') || given.startsWith("W/")) return etag !== undefined && !etag.startsWith("W/") && given === etag;
  return lastModified !== undefined && Date.parse(given) === Date.parse(lastModified) && !Number.isNaN(Date.parse(given));
}
