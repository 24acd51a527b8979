/**
 * A method's answer as the result of a `tools/call`: what a model reads.
 *
 * @module
 */

import type { JsonRpcErrorObject } from "../protocol/messages.ts";

/**
 * The result of a `tools/call`: text content always, the result itself as `structuredContent`
 * when it is an object, and `isError` when the method answered an error.
 *
 * @example
 * ```ts
 * import type { CallToolResult } from "./tool_result.ts";
 * const result: CallToolResult = { content: [{ type: "text", text: '{"id":"o-1"}' }], structuredContent: { id: "o-1" } };
 * ```
 */
export interface CallToolResult {
  /** One text block: a string result as it is, anything else as JSON; an error's code and message. */
  readonly content: readonly { readonly type: "text"; readonly text: string }[];
  /** The result, when it is a JSON object. */
  readonly structuredContent?: Readonly<Record<string, unknown>>;
  /** Present and `true` when the method answered an error. */
  readonly isError?: true;
}

/**
 * The tool result of a method's successful answer.
 *
 * @param result What the method answered.
 * @returns Its text, and the result itself as `structuredContent` when it is an object.
 * @example
 * ```ts
 * import { successResult } from "./tool_result.ts";
 * successResult("hello world"); // { content: [{ type: "text", text: "hello world" }] }
 * successResult({ sum: 3 }); // { content: [{ type: "text", text: '{"sum":3}' }], structuredContent: { sum: 3 } }
 * ```
 */
export function successResult(result: unknown): CallToolResult {
  // A string reads better as it is than as a JSON string with quotes and escapes.
  const text = typeof result === "string" ? result : (JSON.stringify(result) as string | undefined) ?? "null";
  const isObject = typeof result === "object" && result !== null && !Array.isArray(result);
  return isObject
    ? { content: [{ type: "text", text }], structuredContent: result as Record<string, unknown> }
    : { content: [{ type: "text", text }] };
}

/**
 * The tool result of a method's error answer: `isError`, so the model reads what went wrong and
 * may try again (with other arguments, say), where a protocol error would stop it.
 *
 * @param error The JSON-RPC error the method answered (as the service exposes it: an unexpected
 *   exception is `-32603` with no details).
 * @returns The error as text: its code, message and data (as JSON) when it has some.
 * @example
 * ```ts
 * import { errorResult } from "./tool_result.ts";
 * errorResult({ code: 1404, message: "No such order" });
 * // { content: [{ type: "text", text: "Error 1404: No such order" }], isError: true }
 * ```
 */
export function errorResult(error: JsonRpcErrorObject): CallToolResult {
  const data = error.data === undefined ? "" : `\n${JSON.stringify(error.data)}`;
  return { content: [{ type: "text", text: `Error ${error.code}: ${error.message}${data}` }], isError: true };
}

/**
 * A tool result for arguments that do not fit the method (found before calling it).
 *
 * @param problem What is wrong, as a sentence.
 * @returns The result, with `isError`, in the shape the service's own `-32602` answers have.
 * @example
 * ```ts
 * import { argumentsResult } from "./tool_result.ts";
 * argumentsResult("missing argument a").content[0]?.text; // "Error -32602: Invalid params: missing argument a"
 * ```
 */
export function argumentsResult(problem: string): CallToolResult {
  return errorResult({ code: -32602, message: `Invalid params: ${problem}` });
}
