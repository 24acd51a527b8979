/**
 * Checks that one parsed JSON value is a valid JSON-RPC 2.0 request object.
 *
 * @module
 */

import type { JsonRpcId, JsonRpcRequest } from "./messages.ts";

/** Why a value is not a valid request, and the id to answer with. */
export interface InvalidRequest {
  /** Marks the result as invalid. */
  readonly invalid: true;
  /** The request's id when it had a legal one, otherwise `null` (as the specification asks). */
  readonly id: JsonRpcId;
  /** What is wrong, as one sentence for the caller. */
  readonly reason: string;
}

/**
 * Tells whether a value is a legal request id: a string, a finite number or `null`.
 *
 * @param value Any value.
 * @returns `true` for a legal id.
 * @example
 * ```ts
 * import { isJsonRpcId } from "./validate_request.ts";
 * isJsonRpcId(0); // true
 * isJsonRpcId(true); // false
 * ```
 */
export function isJsonRpcId(value: unknown): value is JsonRpcId {
  return value === null || typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

/**
 * Validates one entry of a message (a single request or one element of a batch).
 *
 * @param value A value produced by `JSON.parse`.
 * @returns The request, typed, or an {@linkcode InvalidRequest} saying what is wrong.
 * @example
 * ```ts
 * import { validateRequest } from "./validate_request.ts";
 * validateRequest({ jsonrpc: "2.0", method: "sum", params: [1, 2], id: 1 }); // the request
 * validateRequest({ jsonrpc: "1.0", method: "sum" }); // { invalid: true, id: null, reason: ... }
 * ```
 */
export function validateRequest(value: unknown): JsonRpcRequest | InvalidRequest {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return invalid(null, "a request must be an object");
  }
  const entry = value as Record<string, unknown>;
  const hasId = Object.hasOwn(entry, "id");
  const id = hasId ? entry["id"] : undefined;
  if (hasId && !isJsonRpcId(id)) {
    return invalid(null, '"id" must be a string, a number or null');
  }
  const answerId = hasId ? (id as JsonRpcId) : null;
  if (entry["jsonrpc"] !== "2.0") return invalid(answerId, '"jsonrpc" must be exactly "2.0"');
  if (typeof entry["method"] !== "string") return invalid(answerId, '"method" must be a string');
  const params = entry["params"];
  if (params !== undefined && (typeof params !== "object" || params === null)) {
    return invalid(answerId, '"params" must be an array or an object');
  }
  return entry as unknown as JsonRpcRequest;
}

function invalid(id: JsonRpcId, reason: string): InvalidRequest {
  return { invalid: true, id, reason };
}
