/**
 * The error codes one by one, the members of `ErrorCode` (errors.ts) as constants: the core imports
 * this module as a namespace (`import * as ErrorCode`), so `ErrorCode.InvalidRequest` reads the same
 * while a bundler writes the number itself where it is used, and no bundle carries the object with
 * its long member names unless a user reads it. Not exported from the package: users read `ErrorCode`.
 *
 * @internal The core's own; it may change in any release.
 * @module
 */

/**
 * The body is not valid JSON.
 *
 * @example
 * ```ts
 * import * as ErrorCode from "./error_codes.ts";
 * ErrorCode.ParseError; // -32700
 * ```
 */
export const ParseError = -32700;

/**
 * The JSON is not a valid request object.
 *
 * @example
 * ```ts
 * import * as ErrorCode from "./error_codes.ts";
 * ErrorCode.InvalidRequest; // -32600
 * ```
 */
export const InvalidRequest = -32600;

/**
 * No method of that name is registered (or it is reserved).
 *
 * @example
 * ```ts
 * import * as ErrorCode from "./error_codes.ts";
 * ErrorCode.MethodNotFound; // -32601
 * ```
 */
export const MethodNotFound = -32601;

/**
 * The params do not fit the method.
 *
 * @example
 * ```ts
 * import * as ErrorCode from "./error_codes.ts";
 * ErrorCode.InvalidParams; // -32602
 * ```
 */
export const InvalidParams = -32602;

/**
 * The method failed unexpectedly.
 *
 * @example
 * ```ts
 * import * as ErrorCode from "./error_codes.ts";
 * ErrorCode.InternalError; // -32603
 * ```
 */
export const InternalError = -32603;

/**
 * A private method was called without a valid API token (the Python original's code).
 *
 * @example
 * ```ts
 * import * as ErrorCode from "./error_codes.ts";
 * ErrorCode.AccessDenied; // -32001
 * ```
 */
export const AccessDenied = -32001;

/**
 * The call ran longer than its timeout; the handler's signal was aborted.
 *
 * @example
 * ```ts
 * import * as ErrorCode from "./error_codes.ts";
 * ErrorCode.Timeout; // -32002
 * ```
 */
export const Timeout = -32002;

/**
 * The caller is known but lacks a scope the method asks for.
 *
 * @example
 * ```ts
 * import * as ErrorCode from "./error_codes.ts";
 * ErrorCode.Forbidden; // -32003
 * ```
 */
export const Forbidden = -32003;
