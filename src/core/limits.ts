/**
 * The limits every service keeps (body size and time, batch length, params depth, batch
 * concurrency) and their defaults.
 *
 * @module
 */

/**
 * A service's limits, each optional in `new Service({ limits })`.
 *
 * @example
 * ```ts
 * import { Service } from "./service.ts";
 * import type { Limits } from "./limits.ts";
 * const limits: Limits = { maxBodyBytes: 64 * 1024, maxBatchLength: 20 };
 * new Service({ name: "small", limits });
 * ```
 */
export interface Limits {
  /** The largest request body accepted, in bytes; a larger one is HTTP 413. Default 1 MiB. */
  readonly maxBodyBytes?: number | undefined;
  /**
   * How long a request body may take after its headers, in ms, else 408 (per runtime: README.md,
   * "Limits and security defaults"). `Infinity` for no limit. Default 30,000.
   */
  readonly bodyTimeout?: number | undefined;
  /** The most entries a batch may have; a longer batch is one Invalid Request error. Default 100. */
  readonly maxBatchLength?: number | undefined;
  /** The deepest nesting of arrays and objects allowed in params. Default 64. */
  readonly maxParamsDepth?: number | undefined;
  /** How many calls of one batch run at once. Default 10. */
  readonly batchConcurrency?: number | undefined;
}

/**
 * The default largest request body: 1 MiB.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_BODY_BYTES } from "./limits.ts";
 * import { Service } from "./service.ts";
 * const uploads = new Service({ name: "uploads", limits: { maxBodyBytes: 8 * DEFAULT_MAX_BODY_BYTES } });
 * ```
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/**
 * The default time a request body may take to arrive: 30 s (as Node.js's own request timeout).
 *
 * @example
 * ```ts
 * import { DEFAULT_BODY_TIMEOUT } from "./limits.ts";
 * import { Service } from "./service.ts";
 * new Service({ name: "s" }).limits.bodyTimeout === DEFAULT_BODY_TIMEOUT; // true
 * ```
 */
export const DEFAULT_BODY_TIMEOUT = 30_000;
/**
 * The default longest batch.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_BATCH_LENGTH } from "./limits.ts";
 * import { Service } from "./service.ts";
 * new Service({ name: "s" }).limits.maxBatchLength === DEFAULT_MAX_BATCH_LENGTH; // true
 * ```
 */
export const DEFAULT_MAX_BATCH_LENGTH = 100;
/**
 * The default deepest nesting of params.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_PARAMS_DEPTH } from "./limits.ts";
 * import { Service } from "./service.ts";
 * new Service({ name: "s" }).limits.maxParamsDepth === DEFAULT_MAX_PARAMS_DEPTH; // true
 * ```
 */
export const DEFAULT_MAX_PARAMS_DEPTH = 64;
/**
 * The default number of calls of one batch that run at once.
 *
 * @example
 * ```ts
 * import { DEFAULT_BATCH_CONCURRENCY } from "./limits.ts";
 * import { Service } from "./service.ts";
 * const service = new Service({ name: "s", limits: { batchConcurrency: DEFAULT_BATCH_CONCURRENCY / 2 } });
 * ```
 */
export const DEFAULT_BATCH_CONCURRENCY = 10;

/**
 * Completes a service's limits with the defaults, checking each given one.
 *
 * @param limits The limits given, if any.
 * @returns Every limit.
 * @throws {TypeError} When a limit is not a positive number.
 * @example
 * ```ts
 * import { resolveLimits } from "./limits.ts";
 * resolveLimits({ maxBatchLength: 20 }).maxBatchLength; // 20
 * ```
 */
export function resolveLimits(limits: Limits = {}): { readonly [K in keyof Limits]-?: number } {
  const resolved = {
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    bodyTimeout: DEFAULT_BODY_TIMEOUT,
    maxBatchLength: DEFAULT_MAX_BATCH_LENGTH,
    maxParamsDepth: DEFAULT_MAX_PARAMS_DEPTH,
    batchConcurrency: DEFAULT_BATCH_CONCURRENCY,
  };
  for (const key of Object.keys(resolved) as (keyof Limits)[]) resolved[key] = positiveLimit(key, limits[key], resolved[key]);
  return resolved;
}

/**
 * A limit option: a positive number (Infinity allowed), or the default when absent.
 *
 * @param name The option's name, for the message.
 * @param value The value given.
 * @param fallback The default (`undefined` for an option with none).
 * @returns The limit.
 * @throws {TypeError} When the value is not a positive number.
 * @example
 * ```ts
 * import { positiveLimit } from "./limits.ts";
 * positiveLimit("timeout", undefined, 5_000); // 5000
 * ```
 */
export function positiveLimit<Fallback extends number | undefined>(name: string, value: number | undefined, fallback: Fallback): number | Fallback {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0)) throw new TypeError(`${name} must be a positive number, got ${String(value)}`);
  return value;
}
