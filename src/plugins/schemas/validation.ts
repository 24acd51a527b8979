/**
 * Checking params and results with a method's Standard Schemas; callers see each issue's path
 * (parameter name first) and message, never the value sent.
 *
 * @module
 */

import { ErrorCode } from "../../protocol/errors.ts";
import type { JsonRpcErrorObject } from "../../protocol/messages.ts";
import type { ParamList } from "../../core/params.ts";
import type { StandardIssue, StandardResult, StandardSchemaV1 } from "../../core/standard_schema.ts";

/**
 * The most issues one error reports: a huge invalid array must not become a huger answer.
 *
 * @example
 * ```ts
 * import { type InvalidParamsData, MAX_REPORTED_ISSUES } from "./validation.ts";
 * const data: InvalidParamsData = { issues: [{ path: "x", message: "expected a number" }] };
 * data.issues.length <= MAX_REPORTED_ISSUES; // true
 * ```
 */
export const MAX_REPORTED_ISSUES = 20;

/**
 * One problem with a call's params, as `error.data.issues` reports it.
 *
 * @example
 * ```ts
 * import type { ParamIssue } from "./validation.ts";
 * const issue: ParamIssue = { path: "point.x", message: "Expected number, received string" };
 * ```
 */
export interface ParamIssue {
  /** Where: the parameter's name, then the keys and indexes inside it (`"point.x"`); `""` for the whole list. */
  readonly path: string;
  /** What is wrong, in the validator's words. */
  readonly message: string;
}

/**
 * The `data` of an Invalid params error raised by a schema.
 *
 * @example
 * ```ts
 * import { createClient, ErrorCode, RpcError } from "../../../mod.ts";
 * import type { InvalidParamsData } from "./validation.ts";
 * try {
 *   await createClient("http://127.0.0.1:5000/api").call("move", [{ x: "left" }]);
 * } catch (error) {
 *   if (error instanceof RpcError && error.code === ErrorCode.InvalidParams) {
 *     for (const issue of (error.data as InvalidParamsData).issues) console.log(issue.path, issue.message);
 *   }
 * }
 * ```
 */
export interface InvalidParamsData {
  /** The first issues found (at most {@linkcode MAX_REPORTED_ISSUES}). */
  readonly issues: readonly ParamIssue[];
  /** How many more issues were found and left out, when there were too many. */
  readonly omittedIssues?: number;
}

/**
 * Thrown when a result fails its `output` schema: a service bug, `-32603 Internal error` for the
 * caller, reported to `onError`.
 *
 * @example
 * ```ts
 * import { ResultValidationError } from "./validation.ts";
 * const error = new ResultValidationError("add", [{ path: "", message: "Expected number" }]);
 * error.message; // 'Method add returned a result its output schema refuses: Expected number'
 * ```
 */
export class ResultValidationError extends Error {
  /** The issues the schema found. */
  readonly issues: readonly ParamIssue[];

  /**
   * Makes the error for a method whose result its `output` schema refused.
   *
   * @param method The method whose result was refused.
   * @param issues The issues, paths already written out.
   * @example
   * ```ts
   * import { ResultValidationError } from "./validation.ts";
   * const error = new ResultValidationError("add", [{ path: "", message: "Expected number" }]);
   * error.issues.length; // 1
   * ```
   */
  constructor(method: string, issues: readonly ParamIssue[]) {
    super(`Method ${method} returned a result its output schema refuses: ${summary(issues)}`);
    this.name = "ResultValidationError";
    this.issues = issues;
  }
}

/**
 * Checks the argument list of a call with the method's `input` schema.
 *
 * Trailing `undefined` arguments (named params not given) are dropped first, so optional tuple
 * items see them as absent.
 *
 * @param schema The schema of the argument list.
 * @param list The method's parameter list, to name the issues' first step.
 * @param args The arguments bound from the call's params (this array may be shortened).
 * @returns The checked (possibly transformed) arguments as a new array, or the Invalid params error
 *   to answer.
 * @throws {TypeError} When the schema gives back something other than an array (a service bug).
 * @example
 * ```ts
 * import { validateParams } from "./validation.ts";
 * import { paramListFromSpec } from "../../core/params.ts";
 * const positive = {
 *   "~standard": {
 *     version: 1 as const,
 *     vendor: "example",
 *     validate: (value: unknown) =>
 *       (value as number[]).every((n) => n > 0) ? { value: value as number[] } : { issues: [{ message: "must be positive", path: [0] }] },
 *   },
 * };
 * await validateParams(positive, paramListFromSpec(["n"]), [-1]);
 * // { code: -32602, message: "Invalid params: n: must be positive", data: { issues: [{ path: "n", message: "must be positive" }] } }
 * ```
 */
export async function validateParams(
  schema: StandardSchemaV1,
  list: ParamList,
  args: unknown[],
): Promise<unknown[] | JsonRpcErrorObject> {
  let end = args.length;
  while (end > 0 && args[end - 1] === undefined) end--;
  args.length = end;
  const outcome = await runValidator(schema, args);
  if (outcome.issues !== undefined) return invalidParams(outcome.issues.map((issue) => toParamIssue(issue, list)));
  const value: unknown = outcome.value;
  if (!Array.isArray(value)) throw new TypeError("The input schema of a method must give back an array (the arguments)");
  // A copy: the context may be appended to it, and the validator may have handed back a shared array.
  return (value as readonly unknown[]).slice();
}

/**
 * Checks the one argument (the params object) of a method whose `input` is an object schema;
 * issue paths are the keys as they are.
 *
 * @param schema The object schema.
 * @param args The bound arguments: the params object alone.
 * @returns The checked (possibly transformed) object as the only argument, or the Invalid params
 *   error to answer.
 * @example
 * ```ts
 * import { z } from "zod";
 * import { validateObjectParams } from "./validation.ts";
 * await validateObjectParams(z.object({ name: z.string() }), [{ name: 1 }]);
 * // { code: -32602, message: "Invalid params: name: Invalid input: expected string, received number", data: … }
 * ```
 */
export async function validateObjectParams(schema: StandardSchemaV1, args: readonly unknown[]): Promise<unknown[] | JsonRpcErrorObject> {
  const outcome = await runValidator(schema, args[0]);
  if (outcome.issues !== undefined) return invalidParams(outcome.issues.map((issue) => ({ path: pathOf(issue), message: messageOf(issue) })));
  return [outcome.value];
}

function invalidParams(issues: readonly ParamIssue[]): JsonRpcErrorObject {
  const reported = issues.slice(0, MAX_REPORTED_ISSUES);
  const data: InvalidParamsData =
    issues.length > reported.length ? { issues: reported, omittedIssues: issues.length - reported.length } : { issues: reported };
  return { code: ErrorCode.InvalidParams, message: `Invalid params: ${summary(issues)}`, data };
}

/**
 * Checks a method's result with its `output` schema.
 *
 * @param schema The schema of the result.
 * @param method The method's name, for the error.
 * @param result What the handler returned (awaited).
 * @returns The checked (possibly transformed) result.
 * @throws {ResultValidationError} When the schema refuses the result.
 * @example
 * ```ts
 * import { validateResult } from "./validation.ts";
 * const text = {
 *   "~standard": {
 *     version: 1 as const,
 *     vendor: "example",
 *     validate: (value: unknown) => (typeof value === "string" ? { value } : { issues: [{ message: "Expected string" }] }),
 *   },
 * };
 * await validateResult(text, "greet", "hi"); // "hi"
 * ```
 */
export async function validateResult(schema: StandardSchemaV1, method: string, result: unknown): Promise<unknown> {
  const outcome = await runValidator(schema, result);
  if (outcome.issues === undefined) return outcome.value;
  throw new ResultValidationError(method, outcome.issues.map((issue) => ({ path: pathOf(issue), message: messageOf(issue) })));
}

/**
 * Writes an issue's path dotted, its first step (a position) as the parameter's name: `[0, "x"]`
 * is `"minuend.x"`, a rest parameter `numbers`' third item `"numbers.2"`.
 *
 * @param issue The validator's issue.
 * @param list The method's parameter list.
 * @returns The path and message to report.
 * @example
 * ```ts
 * import { toParamIssue } from "./validation.ts";
 * import { paramListFromSpec } from "../../core/params.ts";
 * toParamIssue({ message: "Expected number", path: [0, "x"] }, paramListFromSpec(["minuend", "subtrahend"]));
 * // { path: "minuend.x", message: "Expected number" }
 * ```
 */
export function toParamIssue(issue: StandardIssue, list: ParamList): ParamIssue {
  const steps = stepsOf(issue);
  const [first, ...inside] = steps;
  if (first === undefined) return { path: "", message: messageOf(issue) };
  const index = typeof first === "number" ? first : /^(?:0|[1-9]\d*)$/.test(first) ? Number(first) : undefined;
  let head = first;
  if (index !== undefined) {
    const fixed = list.names.length;
    if (index < fixed) head = list.names[index] ?? `#${index + 1}`;
    else head = list.rest === undefined ? `#${index + 1}` : `${list.rest}.${index - fixed}`;
  }
  return { path: [head, ...inside].join("."), message: messageOf(issue) };
}

async function runValidator(schema: StandardSchemaV1, value: unknown): Promise<StandardResult<unknown>> {
  const answer = schema["~standard"].validate(value);
  const outcome: unknown = answer instanceof Promise ? await answer : answer;
  if (typeof outcome !== "object" || outcome === null) throw new TypeError("A Standard Schema's validate answered no result object");
  const { issues } = outcome as { issues?: unknown };
  if (issues === undefined) return outcome as StandardResult<unknown>;
  if (!Array.isArray(issues)) return { issues: [] };
  // A JavaScript validator might list anything: only issue-shaped entries' fields are kept.
  return { issues: issues.map((issue: unknown) => (typeof issue === "object" && issue !== null ? (issue as StandardIssue) : { message: "invalid" })) };
}

function summary(issues: readonly ParamIssue[]): string {
  const [first] = issues;
  if (first === undefined) return "refused by the schema";
  const text = first.path === "" ? first.message : `${first.path}: ${first.message}`;
  return issues.length === 1 ? text : `${text} (and ${issues.length - 1} more issue${issues.length === 2 ? "" : "s"})`;
}

function pathOf(issue: StandardIssue): string {
  return stepsOf(issue).join(".");
}

function stepsOf(issue: StandardIssue): (string | number)[] {
  const path: unknown = (issue as { path?: unknown }).path;
  if (!Array.isArray(path)) return [];
  return path.map((step: unknown) => {
    const key: unknown = typeof step === "object" && step !== null ? (step as { key?: unknown }).key : step;
    if (typeof key === "number") return key;
    if (typeof key === "symbol") return key.description ?? "symbol";
    return String(key);
  });
}

function messageOf(issue: StandardIssue): string {
  const message: unknown = (issue as { message?: unknown }).message;
  return typeof message === "string" ? message : "invalid";
}
