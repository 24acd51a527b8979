/**
 * Anything thrown as an `Error` or as words, never throwing: a handler may throw a null-prototype
 * object, a revoked proxy or an error whose `name` getter throws, and the answer must still go out.
 *
 * @module
 */

/** What can be said about a thrown value: an `Error`'s name (when readable) and its message. */
export interface ThrownDescription {
  /** The error's `name`, for an `Error` whose name could be read as a string. */
  readonly name?: string;
  /** The error's message, or the thrown value as text. */
  readonly message: string;
}

const UNPRINTABLE = "(unprintable)";

/**
 * Anything thrown, as an `Error` (a thrown string or object becomes one with its text). Never throws.
 *
 * @param thrown What was thrown.
 * @returns The error.
 * @example
 * ```ts
 * import { asError } from "./as_error.ts";
 * asError("boom").message; // "boom"
 * asError(Object.create(null)).message; // "[object Object]"
 * ```
 */
export function asError(thrown: unknown): Error {
  return isError(thrown) ? thrown : new Error(textOf(thrown));
}

/**
 * Whether a value is an `Error`, answering `false` instead of throwing for a revoked proxy.
 *
 * @param value Anything.
 * @returns Whether `value instanceof Error` holds.
 * @example
 * ```ts
 * import { isError } from "./as_error.ts";
 * isError(new TypeError("x")); // true
 * isError("x"); // false
 * ```
 */
export function isError(value: unknown): value is Error {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

/**
 * An `Error`'s name when it can be read as a string, else `undefined` (also for what is not an `Error`).
 *
 * @param thrown What was thrown.
 * @returns The name, or `undefined`.
 * @example
 * ```ts
 * import { errorName } from "./as_error.ts";
 * errorName(new RangeError("x")); // "RangeError"
 * errorName("x"); // undefined
 * ```
 */
export function errorName(thrown: unknown): string | undefined {
  if (!isError(thrown)) return undefined;
  try {
    const name: unknown = thrown.name;
    return typeof name === "string" ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A thrown value's name and message, for error data and logs. Never throws: an unreadable name is
 * left out, an unreadable message replaced by a placeholder.
 *
 * @param thrown What was thrown.
 * @returns Its name (for an `Error`) and message.
 * @example
 * ```ts
 * import { describeThrown } from "./as_error.ts";
 * describeThrown(new TypeError("bad")); // { name: "TypeError", message: "bad" }
 * describeThrown(42); // { message: "42" }
 * ```
 */
export function describeThrown(thrown: unknown): ThrownDescription {
  const name = errorName(thrown);
  let message: string;
  try {
    // Anything else thrown is its own message.
    const read: unknown = isError(thrown) ? thrown.message : thrown;
    message = typeof read === "string" ? read : textOf(read);
  } catch {
    message = UNPRINTABLE;
  }
  return { ...(name !== undefined && { name }), message };
}

function textOf(value: unknown): string {
  try {
    return String(value);
  } catch {
    try {
      // Works on a null-prototype object, which has no toString.
      return Object.prototype.toString.call(value);
    } catch {
      return UNPRINTABLE;
    }
  }
}
