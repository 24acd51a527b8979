/**
 * Turning anything thrown into an `Error`, for the places that must reject with one.
 *
 * @module
 */

/**
 * Anything thrown, as an `Error` (a thrown string or object becomes one with its text).
 *
 * @param thrown What was thrown.
 * @returns The error.
 * @example
 * ```ts
 * import { asError } from "./as_error.ts";
 * asError("boom").message; // "boom"
 * ```
 */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
