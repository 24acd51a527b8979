/**
 * `detectRuntime()`: which runtime this is, from two globals; imports nothing, so fetch-only
 * bundles may use it.
 *
 * @module
 */

/**
 * The runtimes `serve()` knows.
 *
 * @example
 * ```ts
 * import { detectRuntime, type Runtime } from "./runtime.ts";
 * const runtime: Runtime = detectRuntime(); // "node", "deno" or "bun"
 * ```
 */
export type Runtime = "deno" | "bun" | "node";

/**
 * Tells which runtime this code runs on.
 *
 * @returns `"deno"`, `"bun"` or `"node"` (anything else, a worker or a browser, counts as `"node"`).
 * @example
 * ```ts
 * import { detectRuntime } from "./runtime.ts";
 * console.log(detectRuntime());
 * ```
 */
export function detectRuntime(): Runtime {
  const global = globalThis as { Deno?: unknown; Bun?: unknown };
  if (global.Deno !== undefined) return "deno";
  if (global.Bun !== undefined) return "bun";
  return "node";
}
