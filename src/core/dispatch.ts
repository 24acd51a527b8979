/**
 * Dispatch of parsed JSON-RPC messages (single requests and batches) to registered methods.
 *
 * @module
 */

import { FROM_UPSTREAM, RpcError } from "../protocol/errors.ts";
// The codes as constants (bundles inline them): the same names as ErrorCode's members.
import * as ErrorCode from "../protocol/error_codes.ts";
import {
  errorResponse,
  type JsonRpcErrorObject,
  type JsonRpcId,
  type JsonRpcRequest,
  type JsonRpcResponse,
  successResponse,
} from "../protocol/messages.ts";
import { REQUEST_TIMEOUT_HEADER } from "../protocol/headers.ts";
import { validateRequest } from "../protocol/validate_request.ts";
import { type ApiTokenValidator, type CallContext, type Caller, type HeaderReader, readApiToken, type RequestContext, type ServiceRef, withoutCredentials } from "./context.ts";
import type { MethodChecks, MethodDefinition } from "./method.ts";
import { bindParams } from "./params.ts";
import { mapConcurrently } from "./concurrency.ts";
import { describeThrown, errorName } from "./as_error.ts";
import { nestsDeeperThan } from "../protocol/nesting_depth.ts";
import type { CallMiddleware, CallStart, CallSummary } from "./call_middleware.ts";
import { type LongTimer, setLongTimeout } from "../timer.ts";

/**
 * Told about every failure that is not an {@linkcode RpcError} thrown on purpose.
 *
 * @example
 * ```ts
 * import { Service } from "./service.ts";
 * import type { ErrorReporter } from "./dispatch.ts";
 * const onError: ErrorReporter = (error, { method }) => console.error(`${method} failed:`, error);
 * const service = new Service({ name: "s", onError });
 * ```
 */
export type ErrorReporter = (error: unknown, info: { readonly method: string }) => void;

/**
 * What dispatch needs to know of a service (its name and `handle` are what methods see of it).
 * A {@linkcode Service} is one.
 *
 * @internal The contract between the Service class and dispatch; it may change in any release.
 */
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
  /**
   * The plugins with a call middleware, the first used outermost; when absent, calls run bare.
   * Each middleware is called as its plugin's member, so a plugin's method keeps its `this`.
   */
  readonly call?: readonly { readonly call: CallMiddleware }[] | undefined;
  /** The plugins told each JSON-RPC body's size and batch length (as members, in use() order), when some want them. */
  readonly received?: readonly { received(body: { readonly bytes: number; readonly batch: number | undefined }): void }[] | undefined;
  /** The plugins told the code of each message refused before it became a call, when some want it. */
  readonly refused?: readonly { refused(code: number): void }[] | undefined;
  /** The most entries a batch may have. */
  readonly maxBatchLength: number;
  /** The deepest nesting of arrays and objects allowed in a request's params. */
  readonly maxParamsDepth: number;
  /** How many calls of one batch may run at once. */
  readonly batchConcurrency: number;
  /** How long a call may run, in ms, unless its method says otherwise (`undefined`: no limit). */
  readonly timeout: number | undefined;
}

/**
 * The key under which a service gives its dispatch target, for code that dispatches to it without
 * HTTP and without a promise (benchmarks, tests). Not part of the public API.
 *
 * @internal The contract between the Service class and dispatch; it may change in any release.
 */
export const DISPATCH_TARGET: unique symbol = Symbol.for("tsmicroservice.dispatchTarget");

/**
 * The dispatch target of a service (see {@linkcode DISPATCH_TARGET}).
 *
 * @internal The contract between the Service class and dispatch; it may change in any release.
 * @param service The service.
 * @returns Its target.
 * @example
 * ```ts
 * import { dispatchText, targetOf } from "./dispatch.ts";
 * import { Service } from "./service.ts";
 * const service = new Service({ name: "demo" }).publicMethod("ping", () => "pong");
 * dispatchText(targetOf(service), '{"jsonrpc":"2.0","method":"ping","id":1}', { headers: new Headers() });
 * ```
 */
export function targetOf(service: { [DISPATCH_TARGET](): DispatchTarget }): DispatchTarget {
  return service[DISPATCH_TARGET]();
}

/**
 * A whole answer: one response, an array for a batch, or nothing when only notifications came.
 *
 * @example
 * ```ts
 * import { Service } from "./service.ts";
 * import type { DispatchResult } from "./dispatch.ts";
 * const service = new Service({ name: "s" }).publicMethod("ping", () => "pong");
 * const answer: DispatchResult = await service.handle([{ jsonrpc: "2.0", method: "ping", id: 1 }]);
 * // [{ jsonrpc: "2.0", result: "pong", id: 1 }]
 * ```
 */
export type DispatchResult = JsonRpcResponse | JsonRpcResponse[] | undefined;


/**
 * Answers a message that is already parsed: a single request or a batch.
 *
 * It answers at once when every method it calls is sync, and gives a promise as soon as one of
 * them (or a token check, a schema or a timeout) is async: `await` its result either way.
 *
 * @param target The service.
 * @param message The parsed JSON value.
 * @param ctx The headers and abort signal of the request that carried it.
 * @returns The response, an array of responses for a batch, or `undefined` when nothing is to be
 *   sent back (a notification, or a batch of notifications only); or a promise of it.
 * @example
 * ```ts
 * import { dispatchMessage, targetOf } from "./dispatch.ts";
 * import { Service } from "./service.ts";
 * const service = new Service({ name: "demo" }).publicMethod("add", (a: number, b: number) => a + b);
 * await dispatchMessage(targetOf(service), { jsonrpc: "2.0", method: "add", params: [1, 2], id: 1 }, { headers: new Headers() });
 * ```
 */
export function dispatchMessage(
  target: DispatchTarget,
  message: unknown,
  context: RequestContext,
): DispatchResult | Promise<DispatchResult> {
  let ctx = context;
  const budget = context.deadline === undefined ? ctx.headers.get(REQUEST_TIMEOUT_HEADER) : null;
  if (budget !== null) {
    if (!/^\d{1,12}$/.test(budget)) {
      return refuse(target, null, ErrorCode.InvalidRequest, `Invalid Request: ${REQUEST_TIMEOUT_HEADER} must be a whole number of ms`);
    }
    const deadline = Date.now() + Number(budget);
    // A getter, so the request's signal is read only when a call asks for it (Deno warns on a read).
    ctx = { headers: context.headers, get signal() { return context.signal; }, deadline };
  }
  // One view of the headers for every call of a batch, so a middleware may reuse what it read.
  const view = target.call === undefined ? undefined : withoutCredentials(ctx.headers, target.apiTokenHeader);
  if (!Array.isArray(message)) return answerOne(target, message, ctx, view);
  if (message.length === 0) {
    return refuse(target, null, ErrorCode.InvalidRequest, "Invalid Request: an empty batch");
  }
  if (message.length > target.maxBatchLength) {
    return refuse(target, null, ErrorCode.InvalidRequest, `Invalid Request: a batch of ${message.length} entries exceeds the limit of ${target.maxBatchLength}`);
  }
  const answers = mapConcurrently(message as unknown[], target.batchConcurrency, (entry) => answerOne(target, entry, ctx, view));
  return answers instanceof Promise ? answers.then(responsesOf) : responsesOf(answers);
}

/** The answers of a batch without its notifications; nothing when only notifications came. */
function responsesOf(answers: (JsonRpcResponse | undefined)[]): JsonRpcResponse[] | undefined {
  let count = 0;
  for (const answer of answers) if (answer !== undefined) count++;
  // Most batches carry no notification: then the array is the answer as it is.
  if (count === answers.length) return answers as JsonRpcResponse[];
  return count === 0 ? undefined : answers.filter((answer): answer is JsonRpcResponse => answer !== undefined);
}

/**
 * Answers a message given as JSON text and gives the answer as JSON text.
 *
 * Like {@linkcode dispatchMessage}, it answers at once when every call is sync.
 *
 * @param target The service.
 * @param text The body of the request.
 * @param ctx The headers and abort signal of the request that carried it.
 * @param bytes The body's size in bytes, for `received` (default: the text's length).
 * @returns The JSON text to send back, or `undefined` when nothing is to be sent; or a promise of it.
 * @example
 * ```ts
 * import { dispatchText, targetOf } from "./dispatch.ts";
 * import { Service } from "./service.ts";
 * const service = new Service({ name: "demo" }).publicMethod("ping", () => "pong");
 * await dispatchText(targetOf(service), '{"jsonrpc":"2.0","method":"ping","id":1}', { headers: new Headers() });
 * // '{"jsonrpc":"2.0","result":"pong","id":1}'
 * ```
 */
export function dispatchText(
  target: DispatchTarget,
  text: string,
  ctx: RequestContext,
  bytes?: number,
): string | undefined | Promise<string | undefined> {
  // JSON.parse never gives undefined: it stays so only when the text is not JSON.
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    // Answered below, once the plugins are told of the body.
  }
  try {
    const batch = Array.isArray(message) ? message.length : undefined;
    for (const plugin of target.received ?? []) plugin.received({ bytes: bytes ?? text.length, batch });
  } catch {
    // A failing observer must not change the answer (nor is the next one told).
  }
  if (message === undefined) return JSON.stringify(refuse(target, null, ErrorCode.ParseError, "Parse error: the body is not valid JSON"));
  const result = dispatchMessage(target, message, ctx);
  return result instanceof Promise ? result.then((settled) => serialize(target, settled)) : serialize(target, result);
}

/**
 * The error answer to a message that never became a call (not JSON, not a valid request), told to
 * the plugins that count those: observers see calls only, so such traffic would be invisible.
 *
 * @internal The contract between dispatch and the HTTP layer; it may change in any release.
 * @param target The service.
 * @param id The id to answer with.
 * @param code The error code.
 * @param message The error message.
 * @returns The error response.
 * @example
 * ```ts
 * import { refuse, targetOf } from "./dispatch.ts";
 * import { Service } from "./service.ts";
 * refuse(targetOf(new Service({ name: "s" })), null, -32600, "Invalid Request: an empty batch");
 * ```
 */
export function refuse(target: DispatchTarget, id: JsonRpcId, code: number, message: string): JsonRpcResponse {
  try {
    for (const plugin of target.refused ?? []) plugin.refused(code);
  } catch {
    // A failing counter must not change the answer (nor is the next one told).
  }
  return errorResponse(id, { code, message });
}

/**
 * Serialises an answer (`undefined` for nothing to send); a result that JSON cannot carry becomes
 * an internal error for its call only: one stringify for the whole answer, and only when a batch's
 * fails is each response done alone.
 */
function serialize(target: DispatchTarget, result: DispatchResult): string | undefined {
  try {
    return JSON.stringify(result);
  } catch (error) {
    if (Array.isArray(result)) return `[${result.map((response) => serialize(target, response) as string).join(",")}]`;
    report(target, error, "(serialising a response)");
    return JSON.stringify(errorResponse((result as JsonRpcResponse).id, { code: ErrorCode.InternalError, message: "Internal error" }));
  }
}

/** A call that failed: the error to answer and, when the failure was a throw, what was thrown. */
class Failure {
  declare readonly error: JsonRpcErrorObject;
  declare readonly thrown: unknown;

  constructor(error: JsonRpcErrorObject, thrown?: unknown) {
    this.error = error;
    this.thrown = thrown;
  }
}

/** A call refused by dispatch itself (no throw): one of the reserved codes and its sentence. */
function refusal(code: number, message: string, thrown?: unknown): Failure {
  return new Failure({ code, message }, thrown);
}

/**
 * How a call ended: the handler's result (awaited), or a {@linkcode Failure}; or a promise of one
 * of them while it runs. A settled result is never a thenable (those are awaited), so a promise
 * here always means "still running". Never a rejected promise, never a throw.
 */
type Outcome = unknown;

/**
 * One entry's answer, whatever happens: a failure dispatch did not foresee (a runtime limit hit
 * while binding, say) is that entry's `-32603`, reported, never a thrown error that would turn the
 * whole reply, and the other entries' answers, into an HTTP 500.
 */
function answerOne(target: DispatchTarget, entry: unknown, ctx: RequestContext, view?: HeaderReader): JsonRpcResponse | undefined | Promise<JsonRpcResponse | undefined> {
  try {
    const request = validateRequest(entry);
    if ("invalid" in request) {
      return refuse(target, request.id, ErrorCode.InvalidRequest, `Invalid Request: ${request.reason}`);
    }
    // A valid request's id is a string, a number or null when present (JSON has no undefined).
    const isNotification = request.id === undefined;
    const id: JsonRpcId = request.id ?? null;
    if (nestsDeeperThan(request.params, target.maxParamsDepth)) {
      return refuse(target, id, ErrorCode.InvalidRequest, `Invalid Request: params nest deeper than ${target.maxParamsDepth} levels`);
    }
    // Calls are timed (and wrapped) only when some plugin has a middleware.
    if (target.call !== undefined) return middlewareCall(target, request, ctx, id, isNotification, view as HeaderReader);
    const outcome = runCall(target, request, ctx, isNotification);
    if (outcome instanceof Promise) return outcome.then((settled) => respond(id, isNotification, carried(target, request.method, isNotification, settled, ctx, id)));
    return respond(id, isNotification, carried(target, request.method, isNotification, outcome, ctx, id));
  } catch (error) {
    const { id, method } = (typeof entry === "object" && entry !== null ? entry : {}) as { id?: unknown; method?: unknown };
    // The caller's name for a method it may not have: clipped before it reaches a log.
    const name = typeof method === "string" ? method.slice(0, 100) : "(a request)";
    const failed = failure(target, error, name);
    if (id === undefined) return undefined;
    return errorResponse(typeof id === "string" || typeof id === "number" ? id : null, failed.error);
  }
}

/**
 * The outcome as it will be sent: a result JSON would drop (a function, a symbol, an object whose
 * `toJSON` gives nothing) is an internal error, reported, instead of an answer with neither
 * `result` nor `error`. (NaN, Infinity and invalid Dates become `null`, as JSON has it.) A stream
 * (an async iterable) goes to the request's stream taker, when it has one (the `streams()` plugin).
 */
function carried(target: DispatchTarget, method: string, isNotification: boolean, settled: Outcome, ctx: RequestContext, id: JsonRpcId): Outcome {
  if (isNotification || settled instanceof Failure) return settled;
  const kind = typeof settled;
  let dropped = kind === "function" || kind === "symbol";
  if (!dropped && kind === "object" && settled !== null) {
    if ((settled as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator]) {
      // A stream, which JSON cannot carry: the request's taker (the streams plugin's) gives the
      // outcome (what to answer instead, or a refusal made with streamRefusal()).
      if (ctx.stream) return ctx.stream(settled as AsyncIterable<unknown>, id, method);
      dropped = true;
    } else if (typeof (settled as { toJSON?: unknown }).toJSON === "function") {
      try {
        dropped = (settled as { toJSON(): unknown }).toJSON() === undefined;
      } catch {
        return settled; // JSON.stringify meets the same throw, and answers it as an internal error
      }
    }
  }
  if (!dropped) return settled;
  return failure(target, new TypeError(`The result of ${method} is not JSON (${kind === "object" ? "its toJSON gives nothing" : `a ${kind}`})`), method);
}

function respond(id: JsonRpcId, isNotification: boolean, settled: Outcome): JsonRpcResponse | undefined {
  if (isNotification) return undefined;
  return settled instanceof Failure ? errorResponse(id, settled.error) : successResponse(id, settled);
}

/**
 * Runs a call through the plugins' middlewares. Each one's `next()` runs the rest once and never
 * throws: what a later middleware throws before the call ran refuses the call (every earlier one
 * sees that refusal's summary), what it throws after is reported. The answer is the call's own (or
 * the refusal), whatever the middlewares return; one that never calls `next()` is a bug: -32603.
 */
function middlewareCall(
  target: DispatchTarget,
  request: JsonRpcRequest,
  ctx: RequestContext,
  id: JsonRpcId,
  notification: boolean,
  headers: HeaderReader,
): JsonRpcResponse | undefined | Promise<JsonRpcResponse | undefined> {
  const { method } = request;
  const call: CallStart = { method, id: request.id, notification, headers };
  const middlewares = target.call as readonly { readonly call: CallMiddleware }[];
  const started = performance.now();
  let settled: Outcome;
  // The call's summary (or a promise of it) once it has run or been refused; then it never runs.
  let ended: CallSummary | Promise<CallSummary> | undefined;
  const summaryOf = (outcome: Outcome): CallSummary => {
    settled = carried(target, method, notification, outcome, ctx, id);
    const failed = settled instanceof Failure ? settled : undefined;
    return { method, duration: performance.now() - started, notification, ok: failed === undefined, code: failed?.error.code, error: failed?.thrown };
  };
  const run = (): CallSummary | Promise<CallSummary> => {
    if (ended === undefined) {
      let outcome: Outcome;
      try {
        outcome = runCall(target, request, ctx, notification);
      } catch (error) {
        outcome = failure(target, error, method);
      }
      ended = outcome instanceof Promise ? outcome.then(summaryOf) : summaryOf(outcome);
    }
    return ended;
  };
  // What a middleware throws before the call ran refuses it; after, it is reported.
  const failed = (error: unknown): CallSummary | Promise<CallSummary> => {
    if (ended === undefined) return (ended = summaryOf(failure(target, error, method)));
    report(target, error, method);
    return ended;
  };
  // The `next()` of the middleware at `index`: the later middlewares, guarded, then the call.
  const nextOf = (index: number): (() => CallSummary | Promise<CallSummary>) => {
    if (index === middlewares.length) return run;
    const inner = nextOf(index + 1);
    let given: CallSummary | Promise<CallSummary> | undefined;
    return () => {
      if (given === undefined) {
        try {
          // A member call, so a plugin's method keeps its `this`.
          const summary = (middlewares[index] as { readonly call: CallMiddleware }).call(call, inner);
          given = summary instanceof Promise ? summary.catch(failed) : summary;
        } catch (error) {
          given = failed(error);
        }
      }
      return given;
    };
  };
  const answer = (): JsonRpcResponse | undefined | Promise<JsonRpcResponse | undefined> => {
    ended ??= summaryOf(failure(target, new Error("next() not called"), method));
    return ended instanceof Promise ? ended.then(() => respond(id, notification, settled)) : respond(id, notification, settled);
  };
  const done = nextOf(0)();
  return done instanceof Promise ? done.then(answer) : answer();
}

/**
 * Finds the method; for a private one, asks the token validator who is calling (and refuses a
 * caller without every scope the method asks for); then runs it.
 */
function runCall(target: DispatchTarget, request: JsonRpcRequest, ctx: RequestContext, isNotification: boolean): Outcome {
  const method = target.findMethod(request.method);
  if (method === undefined) {
    return refusal(ErrorCode.MethodNotFound, `Method not found: ${request.method}`);
  }
  // Public methods never read the token (unless their context asks for it).
  if (!method.isPrivate) return runMethod(target, method, ctx, undefined, isNotification, request.params);
  const token = readApiToken(ctx.headers, target.apiTokenHeader);
  // Only a real `true` or a caller (an object with its scopes) grants access: a validator in
  // JavaScript might return anything.
  const admit = (verdict: unknown): Outcome => {
    if (verdict !== true && !Array.isArray((verdict as Caller | null | undefined)?.scopes)) return refusal(ErrorCode.AccessDenied, "Access denied: a valid API token is required");
    const caller = verdict === true ? undefined : (verdict as Caller);
    const { scopes } = method;
    // A predicate that says no names no scope (""); a validator's `true` is a caller with none.
    // A JavaScript predicate may answer anything: only a real `true` admits.
    const missing = typeof scopes === "function"
      ? (caller !== undefined && (scopes(caller) as unknown) === true ? undefined : "")
      : scopes?.find((scope) => caller?.scopes.includes(scope) !== true);
    if (missing !== undefined) return refusal(ErrorCode.Forbidden, missing === "" ? `Forbidden: ${method.name} refuses this caller` : `Forbidden: the scope ${missing} is required`);
    return runMethod(target, method, ctx, token, isNotification, request.params, caller);
  };
  let verdict: unknown;
  try {
    verdict = target.apiTokenIsValid === undefined || token === undefined ? false : target.apiTokenIsValid(token, { method: method.name, headers: ctx.headers });
  } catch (error) {
    return failure(target, error, method.name);
  }
  // A throw in admit (a scope predicate's) is the same failure as the validator's.
  return isThenable(verdict) ? Promise.resolve(verdict).then(admit).catch((error: unknown) => failure(target, error, method.name)) : admit(verdict);
}

/** What a call's context is made of. */
interface CallInfo {
  readonly target: DispatchTarget;
  readonly method: MethodDefinition;
  readonly ctx: RequestContext;
  /** The token, when it was read (for a private method); `undefined` otherwise, read when needed. */
  readonly token: string | undefined;
  readonly isNotification: boolean;
  /** Who is calling, when the token's validator said (see {@linkcode runCall}). */
  readonly caller: Caller | undefined;
}

/**
 * Binds the params and runs the handler. A method without schemas, context or timeout pays for
 * none of them: a sync handler is called and its result is the outcome, with no promise at all.
 */
function runMethod(
  target: DispatchTarget,
  method: MethodDefinition,
  ctx: RequestContext,
  token: string | undefined,
  isNotification: boolean,
  params: unknown,
  caller?: Caller,
): Outcome {
  let args = bindParams(method.params, params);
  if (typeof args === "string") return refusal(ErrorCode.InvalidParams, `Invalid params: ${args}`);
  let timeout = method.timeout ?? target.timeout;
  let expiry = timeout === undefined ? "" : `Timeout: the call took longer than ${timeout} ms`;
  if (ctx.deadline !== undefined) {
    const left = ctx.deadline - Date.now();
    if (left <= 0) return refusal(ErrorCode.Timeout, "Timeout: the caller's deadline passed before the call ran");
    if (timeout === undefined || left < timeout) {
      timeout = left;
      expiry = "Timeout: the caller's deadline passed";
    }
  }
  if (timeout !== undefined || method.checks !== undefined || method.takesContext) {
    const call: CallInfo = { target, method, ctx, token, isNotification, caller };
    if (timeout !== undefined) return runWithTimeout(call, args.slice(), timeout, expiry);
    if (method.checks !== undefined) {
      return runChecked(call, method.checks, args.slice(), undefined).catch((error: unknown) => failure(target, error, method.name));
    }
    args = withContext(args, method, callContext(call, undefined));
  }
  let result: unknown;
  try {
    result = method.handler(...(args as never[]));
    if (!isThenable(result)) return result;
  } catch (error) {
    return failure(target, error, method.name);
  }
  return Promise.resolve(result).then(undefined, (error: unknown) => failure(target, error, method.name));
}

/**
 * Checks the params, runs the handler, then checks its result, for a method with schemas. The
 * context's signal is the deadline's (`signalOf`) when the call has one, else the request's own.
 */
async function runChecked(
  call: CallInfo,
  checks: MethodChecks,
  args: unknown[],
  signalOf: (() => AbortSignal) | undefined,
): Promise<Outcome> {
  const { method } = call;
  let checked: readonly unknown[] = args;
  if (checks.params !== undefined) {
    const outcome = await checks.params(args);
    if (!Array.isArray(outcome)) return new Failure(outcome);
    checked = outcome;
  }
  if (method.takesContext) checked = withContext(checked, method, callContext(call, signalOf));
  const result: unknown = await method.handler(...(checked as never[]));
  return checks.result === undefined ? result : await checks.result(result);
}

/** The arguments with the context right after the declared params, so defaults in between still apply. */
function withContext(args: readonly unknown[], method: MethodDefinition, context: CallContext): unknown[] {
  const full = args.slice();
  // (A list with its own binding, such as an object schema's, gives the handler exactly its arguments.)
  if (method.params.bind === undefined) full.length = Math.max(full.length, method.params.names.length);
  full.push(context);
  return full;
}

/**
 * The context a method that asks for it receives. Its signal (the deadline's, from `signalOf`,
 * when the call has one, else the request's own) is read only when the handler reads it: on Deno,
 * reading a request's signal prints a notice about its abort behaviour.
 */
function callContext(call: CallInfo, signalOf: (() => AbortSignal) | undefined): CallContext {
  const { target, method, ctx, isNotification } = call;
  const context: CallContext = {
    method: method.name,
    headers: ctx.headers,
    token: call.token ?? readApiToken(ctx.headers, target.apiTokenHeader),
    caller: call.caller,
    get signal() {
      return signalOf === undefined ? ctx.signal : signalOf();
    },
    isNotification,
    deadline: ctx.deadline,
    service: target,
    // The context is the inner call's request context too: the same headers, signal and deadline.
    call: (name, params) => callWithin(target, name, params, context),
  };
  return context;
}

/** Calls a method of the same service in process, for a handler's `ctx.call`. */
async function callWithin(
  target: DispatchTarget,
  method: string,
  params: JsonRpcRequest["params"],
  ctx: RequestContext,
): Promise<unknown> {
  // Only runCall reads it (its method and params): absent params may be an undefined member.
  const settled: Outcome = await runCall(target, { jsonrpc: "2.0", method, params, id: null } as JsonRpcRequest, ctx, false);
  if (settled instanceof Failure) throw new RpcError(settled.error.code, settled.error.message, settled.error.data);
  return settled;
}

/**
 * Runs a handler with a deadline: when it passes, the call answers a timeout error and the signal
 * the handler sees is aborted, so it can stop its own work. The request's own signal is read only
 * when the handler's context asks for `signal` (Deno warns on any read of a request's signal).
 */
async function runWithTimeout(call: CallInfo, args: unknown[], timeout: number, expiry: string): Promise<Outcome> {
  const { method } = call;
  const deadline = new AbortController();
  let signal: AbortSignal | undefined;
  const signalOf = (): AbortSignal => {
    if (signal === undefined) {
      const callerSignal = call.ctx.signal;
      signal = callerSignal === undefined ? deadline.signal : AbortSignal.any([callerSignal, deadline.signal]);
    }
    return signal;
  };
  let timer: LongTimer | undefined;
  try {
    const expired = new Promise<Failure>((resolve) => {
      timer = setLongTimeout(() => {
        // The answer first: a handler that returns as soon as its signal aborts must not win the race.
        resolve(refusal(ErrorCode.Timeout, expiry));
        deadline.abort();
      }, timeout);
    });
    let running: Promise<Outcome>;
    if (method.checks !== undefined) {
      running = runChecked(call, method.checks, args, signalOf);
    } else {
      const full = method.takesContext ? withContext(args, method, callContext(call, signalOf)) : args;
      running = Promise.resolve(method.handler(...(full as never[])));
    }
    // A handler that fails after its deadline has nobody left to tell.
    running.catch(() => {});
    return await Promise.race([running, expired]);
  } catch (error) {
    // Once the signal the handler was given aborted (its caller went away, or the time is up),
    // what it threw because of that (the signal's reason, or an upstream call cut by it) is this
    // call's timeout. Anything else it throws then (a bug) is still reported.
    if (signal?.aborted === true && (error === signal.reason || errorName(error) === "TransportError")) return refusal(ErrorCode.Timeout, expiry, error);
    return failure(call.target, error, method.name);
  } finally {
    clearTimeout(timer?.id);
  }
}

/** Whether a value is a promise or another thenable, which `await` would wait for. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" && value !== null) || typeof value === "function"
    ? typeof (value as { then?: unknown }).then === "function"
    : false;
}

/**
 * The error object to answer for what a call threw: an {@linkcode RpcError}'s own, else `-32603`
 * (reported, with details only when the service exposes errors).
 *
 * @internal The contract between dispatch and the streams plugin; it may change in any release.
 * @param target The service.
 * @param error What was thrown.
 * @param method The method's name, for the report.
 * @returns The error object.
 * @example
 * ```ts
 * import { errorObjectFor, targetOf } from "./dispatch.ts";
 * import { RpcError } from "../protocol/errors.ts";
 * import { Service } from "./service.ts";
 * errorObjectFor(targetOf(new Service({ name: "s" })), new RpcError(1, "No"), "m"); // { code: 1, message: "No" }
 * ```
 */
export function errorObjectFor(target: DispatchTarget, error: unknown, method: string): JsonRpcErrorObject {
  return failure(target, error, method).error;
}

/**
 * What a stream taker returns to refuse a call's stream (see `RequestContext.stream`): the answer
 * to what it threw, as a call that threw it gets (an {@linkcode RpcError}'s own, else `-32603`).
 *
 * @internal The contract between dispatch and the streams plugin; it may change in any release.
 * @param target The service.
 * @param error What was thrown.
 * @param method The method's name, for the report.
 * @returns The refusal, to return from the taker.
 * @example
 * ```ts
 * import { streamRefusal, targetOf } from "./dispatch.ts";
 * import { RpcError } from "../protocol/errors.ts";
 * import { Service } from "./service.ts";
 * streamRefusal(targetOf(new Service({ name: "s" })), new RpcError(-32600, "No"), "m");
 * ```
 */
export function streamRefusal(target: DispatchTarget, error: unknown, method: string): unknown {
  return failure(target, error, method);
}

/** The failure of a call that threw: the intended error, or an internal one (reported). */
function failure(target: DispatchTarget, error: unknown, method: string): Failure {
  let answered = intendedError(error);
  if (answered === undefined) {
    report(target, error, method);
    answered = { code: ErrorCode.InternalError, message: "Internal error", ...(target.exposeErrors && { data: describeThrown(error) }) };
  }
  return new Failure(answered, error);
}

/**
 * The error object of an RpcError thrown on purpose, also one made by another copy of this library
 * (two installed versions, say), which `instanceof` alone would miss.
 */
function intendedError(error: unknown): JsonRpcErrorObject | undefined {
  try {
    const name = errorName(error);
    // A call to another service that got no answer says what it means here (-32002, -32004).
    if (name === "TransportError") return (error as { rpcError?: () => JsonRpcErrorObject | undefined }).rpcError?.();
    if (name !== "RpcError") return undefined;
    // A number once checked: Number.isInteger is false for anything else.
    const { code, data } = error as Error & { code: number; data?: unknown };
    if (!Number.isInteger(code)) return undefined;
    // Another service's protocol-level error is about that hop, not about this caller's request;
    // but a deadline that passed there (-32002), or a service it could not reach (-32004, Unavailable), is this call's too.
    // The other service's words about its own hop are passed on bounded, and its data not at all.
    if ((error as { [FROM_UPSTREAM]?: unknown })[FROM_UPSTREAM] !== undefined && code >= -32768 && code <= -32000) {
      return code === -32002 || code === -32004 ? { code, message: (error as Error).message.slice(0, 200) } : undefined;
    }
    if (error instanceof RpcError) return error.toJSON();
    const message = (error as Error).message;
    if (typeof message !== "string") return undefined;
    return { code, message, ...(data !== undefined && { data }) };
  } catch {
    // An error whose own getters throw is no answer meant for the caller: an internal error.
    return undefined;
  }
}

/**
 * Tells the service's `onError` about an unexpected failure; a failing reporter is ignored.
 *
 * @internal The contract between dispatch and the Service class; it may change in any release.
 * @param target The service.
 * @param error What was thrown.
 * @param method Where: a method's name, or a route.
 * @example
 * ```ts
 * import { report, targetOf } from "./dispatch.ts";
 * import { Service } from "./service.ts";
 * report(targetOf(new Service({ name: "s", onError: false })), new Error("x"), "somewhere");
 * ```
 */
export function report(target: DispatchTarget, error: unknown, method: string): void {
  try {
    target.onError?.(error, { method });
  } catch {
    // A failing logger must not turn a served answer into a crash.
  }
}
