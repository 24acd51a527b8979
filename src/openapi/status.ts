/**
 * Which HTTP status `openapi()`'s plain routes answer a JSON-RPC error with.
 *
 * @module
 */

/**
 * The status of each error code this library answers itself. A declared error's own `status` wins
 * over this table; another code in JSON-RPC's reserved range (-32768 to -32000) is 500, any other
 * (an application error) 400.
 *
 * | code | meaning | status |
 * | --- | --- | --- |
 * | -32700 | Parse error (the body is not JSON) | 400 |
 * | -32600 | Invalid Request (not an object or array of params) | 400 |
 * | -32602 | Invalid params | 400 |
 * | -32001 | Access denied (no valid token) | 401 |
 * | -32003 | Forbidden (a scope is missing) | 403 |
 * | -32601 | Method not found | 404 |
 * | -32603 | Internal error | 500 |
 * | -32004 | Unavailable (something the call needs could not be reached) | 503 |
 * | -32002 | Timeout | 504 |
 *
 * @example
 * ```ts
 * import { STATUS_OF_CODE } from "./status.ts";
 * STATUS_OF_CODE.get(-32001); // 401
 * ```
 */
export const STATUS_OF_CODE: ReadonlyMap<number, number> = new Map([
  [-32700, 400],
  [-32600, 400],
  [-32602, 400],
  [-32001, 401],
  [-32003, 403],
  [-32601, 404],
  [-32603, 500],
  [-32004, 503],
  [-32002, 504],
]);

/**
 * The status of an application error that declares none: 400, the caller's request was refused.
 *
 * @example
 * ```ts
 * import { APPLICATION_ERROR_STATUS } from "./status.ts";
 * APPLICATION_ERROR_STATUS; // 400
 * ```
 */
export const APPLICATION_ERROR_STATUS = 400;

/**
 * The HTTP status for a JSON-RPC error code.
 *
 * @param code The error's code.
 * @param declared The statuses the called method's declared errors give, by code.
 * @returns The status: the declared one, else {@linkcode STATUS_OF_CODE}'s, else 500 for a
 *   reserved code and 400 for an application one.
 * @example
 * ```ts
 * import { statusOf } from "./status.ts";
 * statusOf(1404, new Map([[1404, 404]])); // 404
 * statusOf(-32602); // 400
 * statusOf(-32050); // 500
 * statusOf(7); // 400
 * ```
 */
export function statusOf(code: number, declared?: ReadonlyMap<number, number>): number {
  const status = declared?.get(code) ?? STATUS_OF_CODE.get(code);
  if (status !== undefined) return status;
  return code >= -32768 && code <= -32000 ? 500 : APPLICATION_ERROR_STATUS;
}
