/**
 * Dispatch of parsed JSON-RPC messages (single requests and batches) to registered methods.
 *
 * @module
 */

import { ErrorCode, RpcError } from "../protocol/errors.ts";
import {
  errorResponse,
  type JsonRpcErrorObject,
  type JsonRpcId,
  type JsonRpcRequest,
  type JsonRpcResponse,
  successResponse,
} from "../protocol/messages.ts";
import { validateRequest } from "../protocol/validate_request.ts";
import { type ApiTokenValidator, type CallContext, readApiToken, type RequestContext, type ServiceRef } from "./context.ts";
import type { MethodDefinition, MethodValidation } from "./method.ts";
import { bindParams } from "./params.ts";
import { validateParams, validateResult } from "./validation.ts";
import { mapConcurrently } from "./concurrency.ts";
import { nestsDeeperThan } from "../protocol/nesting_depth.ts";
import type { CallObserver, CallSummary } from "./call_log.ts";

/** Told about every failure that is not an {@linkcode RpcError} thrown on purpose. */
export type ErrorReporter = (error: unknown, info: { readonly method: string }) => void;

/** What dispatch needs to know of a service (its name and `handle` are what methods see of it). */
export interface DispatchTarget extends ServiceRef {
  /** Finds a registered method by name (only among registered ones). */
  findMethod(name: string): MethodDefinition | undefined;
  /** The header that carries the API token. */
  readonly apiTokenHeader: string;
  /** Decides whether a token may call private methods; when absent, none may. */
  readonly apiTokenIsValid: ApiTokenValidator | undefined;
  /** Whether unexpected errors show their class name and message to callers. */
  readonly exposeErrors: boolean;
  /** Told about unexpected errors, so they can be logged. */
  readonly onError: ErrorReporter | undefined;
  /** Told about each call once it has ended (never its params or token), if set. */
  readonly onCall?: CallObserver | undefined;
  /** The most entries a batch may have. */
  readonly maxBatchLength: number;
  /** The deepest nesting of arrays and objects allowed in a request's params. */
  readonly maxParamsDepth: number;
  /** How many calls of one batch may run at once. */
  readonly batchConcurrency: number;
  /** How long a call may run, in ms, unless its method says otherwise (`undefined`: no limit). */
  readonly timeout: number | undefined;
}

/** A whole answer: one response, an array for a batch, or nothing when only notifications came. */
export type DispatchResult = JsonRpcResponse | JsonRpcResponse[] | undefined;

const PARSE_ERROR: JsonRpcErrorObject = { code: ErrorCode.ParseError, message: "Parse error: the body is not valid JSON" };

/**
 * Answers a message that is already parsed: a single request or a batch.
 *
 * @param target The service.
 * @param message The parsed JSON value.
 * @param ctx The headers and abort signal of the request that carried it.
 * @returns The response, an array of responses for a batch, or `undefined` when nothing is to be
 *   sent back (a notification, or a batch of notifications only).
 * @example
 * ```ts
 * import { dispatchMessage } from "./dispatch.ts";
 * import { Service } from "../service.ts";
 * const service = new Service({ name: "demo" }).publicMethod("add", (a: number, b: number) => a + b);
 * await dispatchMessage(service, { jsonrpc: "2.0", method: "add", params: [1, 2], id: 1 }, { headers: new Headers() });
 * ```
 */
export async function dispatchMessage(
  target: DispatchTarget,
  message: unknown,
  ctx: RequestContext,
): Promise<DispatchResult> {
  if (!Array.isArray(message)) return await dispatchOne(target, message, ctx);
  if (message.length === 0) {
    return errorResponse(null, { code: ErrorCode.InvalidRequest, message: "Invalid Request: an empty batch" });
  }
  if (message.length > target.maxBatchLength) {
    return errorResponse(null, {
      code: ErrorCode.InvalidRequest,
      message: `Invalid Request: a batch of ${message.length} entries exceeds the limit of ${target.maxBatchLength}`,
    });
  }
  const answers = await mapConcurrently(message as unknown[], target.batchConcurrency, (entry) => dispatchOne(target, entry, ctx));
  const responses = answers.filter((answer): answer is JsonRpcResponse => answer !== undefined);
  return responses.length === 0 ? undefined : responses;
}

/**
 * Answers a message given as JSON text and gives the answer as JSON text.
 *
 * @param target The service.
 * @param text The body of the request.
 * @param ctx The headers and abort signal of the request that carried it.
 * @returns The JSON text to send back, or `undefined` when nothing is to be sent.
 * @example
 * ```ts
 * import { dispatchText } from "./dispatch.ts";
 * import { Service } from "../service.ts";
 * const service = new Service({ name: "demo" }).publicMethod("ping", () => "pong");
 * await dispatchText(service, '{"jsonrpc":"2.0","method":"ping","id":1}', { headers: new Headers() });
 * // '{"jsonrpc":"2.0","result":"pong","id":1}'
 * ```
 */
export async function dispatchText(
  target: DispatchTarget,
  text: string,
  ctx: RequestContext,
): Promise<string | undefined> {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return JSON.stringify(errorResponse(null, PARSE_ERROR));
  }
  const result = await dispatchMessage(target, message, ctx);
  if (result === undefined) return undefined;
  return Array.isArray(result)
    ? `[${result.map((response) => serialize(target, response)).join(",")}]`
    : serialize(target, result);
}

/** Serialises one response; a result that JSON cannot carry becomes an internal error. */
function serialize(target: DispatchTarget, response: JsonRpcResponse): string {
  try {
    return JSON.stringify(response);
  } catch (error) {
    report(target, error, "(serialising a response)");
    return JSON.stringify(errorResponse(response.id, { code: ErrorCode.InternalError, message: "Internal error" }));
  }
}

async function dispatchOne(target: DispatchTarget, entry: unknown, ctx: RequestContext): Promise<JsonRpcResponse | undefined> {
  const request = validateRequest(entry);
  if ("invalid" in request) {
    return errorResponse(request.id, { code: ErrorCode.InvalidRequest, message: `Invalid Request: ${request.reason}` });
  }
  const isNotification = !Object.hasOwn(request, "id");
  const id: JsonRpcId = request.id ?? null;
  if (nestsDeeperThan(request.params, target.maxParamsDepth)) {
    return errorResponse(id, {
      code: ErrorCode.InvalidRequest,
      message: `Invalid Request: params nest deeper than ${target.maxParamsDepth} levels`,
    });
  }
  // Calls are timed only when someone watches them.
  const outcome = target.onCall === undefined
    ? await runCall(target, request, ctx, isNotification)
    : await observedCall(target.onCall, target, request, ctx, isNotification);
  if (isNotification) return undefined;
  return "error" in outcome ? errorResponse(id, outcome.error) : successResponse(id, outcome.result);
}

type CallOutcome = { readonly result: unknown } | { readonly error: JsonRpcErrorObject; readonly thrown?: unknown };

/** Runs a call and tells the observer how it went: method, duration, outcome, what was thrown. */
async function observedCall(
  observe: CallObserver,
  target: DispatchTarget,
  request: JsonRpcRequest,
  ctx: RequestContext,
  isNotification: boolean,
): Promise<CallOutcome> {
  const started = performance.now();
  const outcome = await runCall(target, request, ctx, isNotification);
  const base = { method: request.method, duration: performance.now() - started, notification: isNotification };
  let summary: CallSummary;
  if (!("error" in outcome)) summary = { ...base, ok: true };
  else if ("thrown" in outcome) summary = { ...base, ok: false, code: outcome.error.code, error: outcome.thrown };
  else summary = { ...base, ok: false, code: outcome.error.code };
  try {
    observe(summary);
  } catch {
    // A failing logger must not change the answer.
  }
  return outcome;
}

async function runCall(
  target: DispatchTarget,
  request: JsonRpcRequest,
  ctx: RequestContext,
  isNotification: boolean,
): Promise<CallOutcome> {
  const method = target.findMethod(request.method);
  if (method === undefined) {
    return { error: { code: ErrorCode.MethodNotFound, message: `Method not found: ${request.method}` } };
  }
  try {
    const token = readApiToken(ctx.headers, target.apiTokenHeader);
    if (method.isPrivate && !(await tokenAllows(target, method, token, ctx))) {
      return { error: { code: ErrorCode.AccessDenied, message: "Access denied: a valid API token is required" } };
    }
    const args = bindParams(method.params, request.params);
    if (typeof args === "string") {
      return { error: { code: ErrorCode.InvalidParams, message: `Invalid params: ${args}` } };
    }
    const timeout = method.timeout ?? target.timeout;
    if (timeout === undefined) {
      // A method without schemas or context pays for neither: no extra await, no extra object.
      if (method.validation !== undefined) {
        return await runChecked({ target, method, ctx, token, isNotification }, method.validation, args, undefined);
      }
      if (method.takesContext) addContext(args, method, callContext({ target, method, ctx, token, isNotification }, ctx.signal));
      return { result: await method.handler(...(args as never[])) };
    }
    return await runWithTimeout({ target, method, ctx, token, isNotification }, args, timeout);
  } catch (error) {
    return { error: errorObjectFor(target, error, method.name), thrown: error };
  }
}

/** What a call's context is made of. */
interface CallInfo {
  readonly target: DispatchTarget;
  readonly method: MethodDefinition;
  readonly ctx: RequestContext;
  readonly token: string | undefined;
  readonly isNotification: boolean;
}

/**
 * Checks the params, runs the handler, then checks its result, for a method with schemas. The
 * context gets `deadlineSignal` when the call has a deadline, else the request's own signal, read
 * only then (Deno warns on any read of a request's signal).
 */
async function runChecked(
  call: CallInfo,
  validation: MethodValidation,
  args: unknown[],
  deadlineSignal: AbortSignal | undefined,
): Promise<CallOutcome> {
  const { method } = call;
  let checked = args;
  if (validation.input !== undefined) {
    const outcome = await validateParams(validation.input, method.params, args);
    if (!Array.isArray(outcome)) return { error: outcome };
    checked = outcome;
  }
  if (method.takesContext) addContext(checked, method, callContext(call, deadlineSignal ?? call.ctx.signal));
  const result: unknown = await method.handler(...(checked as never[]));
  return { result: validation.output === undefined ? result : await validateResult(validation.output, method.name, result) };
}

/** The context goes right after the declared params, so defaults in between still apply. */
function addContext(args: unknown[], method: MethodDefinition, context: CallContext): void {
  args.length = Math.max(args.length, method.params.names.length);
  args.push(context);
}

/** The context a method that asks for it receives. */
function callContext(call: CallInfo, signal: AbortSignal | undefined): CallContext {
  const { target, method, ctx, token, isNotification } = call;
  return {
    method: method.name,
    headers: ctx.headers,
    token,
    signal,
    isNotification,
    service: target,
    call: (name, params) => callWithin(target, name, params, { headers: ctx.headers, signal }),
  };
}

/** Calls a method of the same service in process, for a handler's `ctx.call`. */
async function callWithin(
  target: DispatchTarget,
  method: string,
  params: JsonRpcRequest["params"],
  ctx: RequestContext,
): Promise<unknown> {
  const request: JsonRpcRequest = params === undefined ? { jsonrpc: "2.0", method, id: null } : { jsonrpc: "2.0", method, params, id: null };
  const outcome = await runCall(target, request, ctx, false);
  if ("error" in outcome) throw new RpcError(outcome.error.code, outcome.error.message, outcome.error.data);
  return outcome.result;
}

/**
 * Runs a handler with a deadline: when it passes, the call answers a timeout error and the signal
 * the handler sees is aborted, so it can stop its own work.
 */
async function runWithTimeout(call: CallInfo, args: unknown[], timeout: number): Promise<CallOutcome> {
  const { method } = call;
  const callerSignal = call.ctx.signal;
  const deadline = new AbortController();
  const signal = callerSignal === undefined ? deadline.signal : AbortSignal.any([callerSignal, deadline.signal]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const expired = new Promise<CallOutcome>((resolve) => {
      timer = setTimeout(() => {
        deadline.abort();
        resolve({ error: { code: ErrorCode.Timeout, message: `Timeout: the call took longer than ${timeout} ms` } });
      }, timeout);
    });
    let running: Promise<CallOutcome>;
    if (method.validation !== undefined) {
      running = runChecked(call, method.validation, args, signal);
    } else {
      if (method.takesContext) addContext(args, method, callContext(call, signal));
      running = Promise.resolve(method.handler(...(args as never[]))).then((result) => ({ result }));
    }
    // A handler that fails after its deadline has nobody left to tell.
    running.catch(() => {});
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
}

async function tokenAllows(
  target: DispatchTarget,
  method: MethodDefinition,
  token: string | undefined,
  ctx: RequestContext,
): Promise<boolean> {
  if (target.apiTokenIsValid === undefined || token === undefined) return false;
  // Only a real `true` grants access: a validator written in JavaScript might return anything.
  const verdict: unknown = await target.apiTokenIsValid(token, { method: method.name, headers: ctx.headers });
  return verdict === true;
}

function errorObjectFor(target: DispatchTarget, error: unknown, method: string): JsonRpcErrorObject {
  const intended = intendedError(error);
  if (intended !== undefined) return intended;
  report(target, error, method);
  if (!target.exposeErrors) return { code: ErrorCode.InternalError, message: "Internal error" };
  const exposed = error instanceof Error ? { name: error.name, message: error.message } : { message: String(error) };
  return { code: ErrorCode.InternalError, message: "Internal error", data: exposed };
}

/**
 * The error object of an RpcError thrown on purpose, also one made by another copy of this library
 * (two installed versions, say), which `instanceof` alone would miss.
 */
function intendedError(error: unknown): JsonRpcErrorObject | undefined {
  if (error instanceof RpcError) return error.toJSON();
  if (!(error instanceof Error) || error.name !== "RpcError") return undefined;
  const { code, data } = error as Error & { code?: unknown; data?: unknown };
  if (typeof code !== "number" || !Number.isInteger(code)) return undefined;
  return data === undefined ? { code, message: error.message } : { code, message: error.message, data };
}

function report(target: DispatchTarget, error: unknown, method: string): void {
  try {
    target.onError?.(error, { method });
  } catch {
    // A failing logger must not turn a served answer into a crash.
  }
}
