/**
 * What the registry stores for each method.
 *
 * @module
 */

import type { JsonRpcErrorObject } from "../protocol/messages.ts";
import type { CallContext, Caller, TypedCallContext } from "./context.ts";
import type { ErrorDeclarations, ErrorsMark } from "./declared_errors.ts";
import type { MethodSchemas } from "./method_schemas.ts";
import { type ParamList, paramListFromFunction, paramListFromSpec, withoutLastParam } from "./params.ts";
import { type InferInput, type InferOutput, isStandardSchema, type StandardSchemaV1 } from "./standard_schema.ts";

/**
 * A method's implementation, sync or async, taking the call's params (named ones mapped to positions).
 *
 * @example
 * ```ts
 * import type { Handler } from "./method.ts";
 * const handlers: Handler[] = [(a: number, b: number) => a + b, async (name: string) => `hello ${name}`, () => {}];
 * ```
 */
// `never[]` accepts every function type, whatever its parameters (parameters are contravariant).
export type Handler = (...args: never[]) => unknown;

/**
 * A Standard Schema of a method's argument list as a tuple (zod's `z.tuple([...])`, valibot's
 * `v.tuple([...])`, arktype's `type([...])`), or an object schema.
 *
 * @example
 * ```ts
 * import type { ParamsSchema } from "./method.ts";
 * // A hand-written schema of `[number, number]`; zod's z.tuple([z.number(), z.number()]) is one too.
 * const twoNumbers: ParamsSchema = {
 *   "~standard": {
 *     version: 1,
 *     vendor: "example",
 *     validate: (value) =>
 *       Array.isArray(value) && value.length === 2 && value.every((item) => typeof item === "number")
 *         ? { value }
 *         : { issues: [{ message: "expected two numbers" }] },
 *   },
 * };
 * ```
 */
export type ParamsSchema = StandardSchemaV1<unknown, readonly unknown[]> | ObjectParamsSchema;

/**
 * A Standard Schema of a method's params as one object (zod's `z.object({...})`); the handler takes
 * the checked object. Positional params follow the schema's key order, read from its JSON Schema
 * (so it needs the Standard JSON Schema extension, as zod 4 has).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import type { ObjectParamsSchema } from "./method.ts";
 * const person: ObjectParamsSchema = z.object({ name: z.string(), age: z.number() });
 * ```
 */
export type ObjectParamsSchema = StandardSchemaV1<unknown, { readonly [key: string]: unknown }>;

/** @internal */
type ArgsFromSchema<T> = unknown extends T ? unknown[] : T extends readonly unknown[] ? T : [params: T];

/** @internal */
type ContextParam<Options, Methods> = Options extends { readonly context: true }
  ? [context: unknown extends Methods ? CallContext : TypedCallContext<Methods>]
  : [];

/** @internal */
type HandlerResult<Options> = Options extends { readonly output: infer S } ? InferInput<S> | AsyncIterable<InferInput<S>> : unknown;

/**
 * The handler type a method's options ask for: it takes the `input` schema's output (then the
 * context with `context: true`) and returns the `output` schema's input; without schemas, any
 * function fits.
 *
 * @typeParam Options The method's options.
 * @typeParam Methods The service's methods registered before this one (they type `ctx.call`).
 * @example
 * ```ts
 * import type { HandlerFor } from "./method.ts";
 * import type { CallContext, TypedCallContext } from "./context.ts";
 * // With `context: true`, a handler takes the call's context last.
 * const whoami: HandlerFor<{ context: true }> = (ctx: CallContext) => ctx.method;
 * ```
 */
export type HandlerFor<Options, Methods = unknown> = Options extends { readonly input: infer S }
  ? (...args: [...ArgsFromSchema<InferOutput<S>>, ...ContextParam<Options, Methods>]) => HandlerResult<Options> | PromiseLike<HandlerResult<Options>>
  : (...args: never[]) => HandlerResult<Options> | PromiseLike<HandlerResult<Options>>;

/**
 * The options of a method whose handler takes the context and no params (no `input` schema).
 *
 * @example
 * ```ts
 * import type { ContextOnlyOptions } from "./method.ts";
 * const options: ContextOnlyOptions = { context: true, description: "Who is calling." };
 * ```
 */
export type ContextOnlyOptions = MethodOptions & { readonly context: true; readonly input?: undefined };

/**
 * A handler taking only the call's context, `(ctx) => …`: the one case where TypeScript types an
 * unannotated context (after params, annotate it: `ctx: CallContext`).
 *
 * @typeParam Options The method's options.
 * @typeParam Methods The service's methods registered before this one (they type `ctx.call`).
 * @example
 * ```ts
 * import type { ContextOnlyHandler } from "./method.ts";
 * const whoami: ContextOnlyHandler<{ context: true }, {}> = (ctx) => ctx.method;
 * ```
 */
export type ContextOnlyHandler<Options, Methods> = (
  ctx: unknown extends Methods ? CallContext : TypedCallContext<Methods>,
) => HandlerResult<Options> | PromiseLike<HandlerResult<Options>>;

/** @internal */
type CallerParams<H extends Handler, Options> = Options extends { readonly input: infer S }
  ? ArgsFromSchema<InferInput<S>>
  : DeclaredArgs<
    Options extends { readonly context: true }
      ? H extends (...args: [...infer Params, infer _Context]) => unknown ? Params : Parameters<H>
      : Parameters<H>,
    Options
  >;

/**
 * TypeScript erases `?` (and types cannot see defaults), so a parameter is optional for callers
 * only where `params` says so (`"greeting?"`).
 *
 * @internal
 */
type DeclaredArgs<P extends readonly unknown[], Options> = Options extends
  { readonly params: infer Spec extends readonly string[] }
  ? number extends P["length"] ? Required<P> // a rest parameter: keep the tuple as it is
  : Join<Required<Take<P, CountOf<Spec, "required">>>, Partial<Take<Drop<P, CountOf<Spec, "required">>, CountOf<Spec, "optional">>>>
  : Required<P>;

type Join<A, B> = A extends readonly unknown[] ? B extends readonly unknown[] ? [...A, ...B] : never : never;

// Rest names (`...x`) count as neither required nor optional.
type CountOf<Spec extends readonly string[], Kind extends "required" | "optional", Seen extends unknown[] = []> = Spec extends
  readonly [infer Name extends string, ...infer More extends readonly string[]]
  ? CountOf<More, Kind, Name extends `...${string}` ? Seen : (Name extends `${string}?` ? "optional" : "required") extends Kind ? [...Seen, Name] : Seen>
  : Seen["length"];

type Drop<T extends readonly unknown[], N extends number, Seen extends unknown[] = []> = Seen["length"] extends N ? T
  : T extends readonly [unknown?, ...infer More] ? Drop<More, N, [...Seen, unknown]> : T;

type Take<T extends readonly unknown[], N extends number> = T extends readonly [...infer Head, ...Drop<T, N>] ? Head : T;

/** @internal */
// A streaming method's `output` schema is its items'.
type CallerResult<H extends Handler, Options> = Options extends { readonly output: infer S }
  ? ReturnType<H> extends AsyncIterable<unknown> ? AsyncIterable<InferOutput<S>> : InferOutput<S>
  : ReturnType<H>;

/**
 * The signature callers see: the handler's parameters without the context, each required unless
 * `params` marks it optional (`"greeting?"`); with schemas, the `input` schema's input and the
 * `output` schema's output. A method with declared `errors` carries them too (type only: see
 * {@linkcode ErrorsMark}).
 *
 * @typeParam H The handler.
 * @typeParam Options The method's options.
 * @example
 * ```ts
 * import type { RemoteSignature } from "./method.ts";
 * import type { CallContext, TypedCallContext } from "./context.ts";
 * type Greet = (name: string, ctx: CallContext) => string;
 * const remote: RemoteSignature<Greet, { context: true }> = (name: string) => `hello ${name}`; // no context for callers
 * ```
 */
export type RemoteSignature<H extends Handler, Options> = ((...args: CallerParams<H, Options>) => CallerResult<H, Options>) & ErrorsMark<Options>;

/**
 * What a method asks of its caller: every scope of a list, or a predicate on the caller that says
 * yes (see {@linkcode MethodOptions.scopes}).
 *
 * @example
 * ```ts
 * import type { MethodScopes } from "./method.ts";
 * const writers: MethodScopes = ["orders:write"];
 * const staff: MethodScopes = (caller) => caller.claims["role"] === "staff" || caller.scopes.includes("admin");
 * ```
 */
export type MethodScopes = readonly string[] | ((caller: Caller) => boolean);

/**
 * Options of one method.
 *
 * @example
 * ```ts
 * import { Service } from "./service.ts";
 * const service = new Service({ name: "calculator" })
 *   .publicMethod("subtract", ({ a, b }: { a: number; b: number }) => a - b, {
 *     params: ["operands"], // a destructured parameter has no name of its own
 *     description: "Subtracts b from a.",
 *     timeout: 1_000,
 *   });
 * ```
 */
export interface MethodOptions {
  /**
   * The parameter names, the TypeScript way (`"a"`, `"b?"`, `"...rest"`). Default: read from the
   * handler's source, which minifying defeats, so minified bundles should list them.
   */
  readonly params?: readonly string[] | undefined;
  /** One or two sentences for the service's description of itself. */
  readonly description?: string | undefined;
  /**
   * Whether calling twice with the same params does no more than once. Shown by `rpc.discover`
   * (`x-idempotent`); clients may then resend a call that may not have arrived. Default `false`.
   */
  readonly idempotent?: boolean | undefined;
  /**
   * The scopes a caller needs, each of them, as its token validator (or `jwt()`) says: without a
   * valid token `-32001 Access denied`, without a scope `-32003 Forbidden` naming it. A method
   * with scopes needs a token even when it is public. A predicate on the caller decides instead
   * of a list, for rules a list cannot say (a role claim, one of several scopes).
   */
  readonly scopes?: MethodScopes | undefined;
  /**
   * Whether the method only reads: it changes nothing a caller can see. Shown to AI agents as the
   * `readOnlyHint` of its MCP tool (`tsmicroservice/mcp`). Default `false`.
   */
  readonly readOnly?: boolean | undefined;
  /**
   * When `true`, the handler gets a {@linkcode CallContext} as an extra last argument, which is not
   * a param: callers never send it.
   */
  readonly context?: boolean | undefined;
  /**
   * How long a call may run, in ms, overriding the service's `timeout`; then it answers `-32002
   * Timeout` and its context's signal aborts. Any length (even past 24.8 days); `Infinity` for none.
   */
  readonly timeout?: number | undefined;
  /**
   * The application errors the method may answer, by name: code, message, and optionally a `data`
   * schema and an HTTP `status` (for `openapi()`). Listed by `rpc.discover` (OpenRPC's `errors`)
   * and typed on the client (`isRpcError`); `declareErrors()` makes typed helpers to throw them.
   * Nothing checks at run time that a handler throws only these.
   */
  readonly errors?: ErrorDeclarations | undefined;
  /**
   * A Standard Schema (zod, valibot, arktype…) of the params: an object
   * ({@linkcode ObjectParamsSchema}) or the argument list as a tuple. Params are bound, then
   * checked: a failure answers `-32602 Invalid params` with the issues in `error.data.issues`; the
   * handler gets the schema's output, and the schema decides which params are required. Callers'
   * types follow its input.
   */
  readonly input?: ParamsSchema | undefined;
  /**
   * A Standard Schema of the result, checked (and maybe transformed) before it is sent; a refused
   * result is the service's bug: `-32603 Internal error`, and `onError` is told. Callers' types
   * follow its output.
   */
  readonly output?: StandardSchemaV1 | undefined;
  /**
   * For a streaming method (with the `streams()` plugin): a caller that lost the stream may ask
   * again with the last event id it saw (`Last-Event-ID`), given to the handler as
   * `ctx.lastEventId` (with `context: true`), so the feed continues after it. Shown by
   * `rpc.discover` (`x-stream.resumable`); clients then reconnect by themselves. Default `false`.
   */
  readonly resumable?: boolean | undefined;
}

/**
 * The schemas a method checks its params and result with.
 *
 * @example
 * ```ts
 * import { defineMethod, type ParamsSchema } from "./method.ts";
 * declare const twoNumbers: ParamsSchema; // such as zod's z.tuple([z.number(), z.number()])
 * const method = defineMethod("add", (a: number, b: number) => a + b, { input: twoNumbers });
 * method.validation; // { input: twoNumbers, output: undefined }; undefined for a method without schemas
 * ```
 */
export interface MethodValidation {
  /** The schema of the argument list, if any. */
  readonly input: ParamsSchema | undefined;
  /** The schema of the result, if any. */
  readonly output: StandardSchemaV1 | undefined;
}

/**
 * How a method's params and result are checked, made from its schemas by the `schemas()` plugin.
 *
 * @example
 * ```ts
 * import type { MethodChecks } from "./method.ts";
 * const checks: MethodChecks = { params: (args) => Promise.resolve(args.map(Number)) };
 * ```
 */
export interface MethodChecks {
  /** Checks the arguments: the values to call with, or the `-32602` error to answer. */
  readonly params?: (args: unknown[]) => Promise<unknown[] | JsonRpcErrorObject>;
  /** Checks (and may transform) the result; throws when the result is refused. */
  readonly result?: (result: unknown) => Promise<unknown>;
}

/**
 * One registered method.
 *
 * @example
 * ```ts
 * import { Service } from "./service.ts";
 * const service = new Service({ name: "s" }).privateMethod("add", (a: number, b: number) => a + b);
 * const add = service.findMethod("add");
 * add?.isPrivate; // true
 * add?.params.names; // ["a", "b"]
 * ```
 */
export interface MethodDefinition {
  /** The name callers use. */
  readonly name: string;
  /** The implementation. */
  readonly handler: Handler;
  /** Whether a valid API token is needed to call it. */
  readonly isPrivate: boolean;
  /** How params map to the handler's arguments. */
  readonly params: ParamList;
  /** The method's description, if it has one. */
  readonly description: string | undefined;
  /** Whether the handler takes a {@linkcode CallContext} after its params. */
  readonly takesContext: boolean;
  /** The method's own timeout in ms, if it has one. */
  readonly timeout: number | undefined;
  /** Whether a call may be sent twice without harm. */
  readonly idempotent: boolean;
  /** The scopes a caller needs, or the predicate that decides (`undefined`: none). */
  readonly scopes?: MethodScopes | undefined;
  /** Whether the method only reads (changes nothing); `undefined` (a hand-made definition) counts as `false`. */
  readonly readOnly?: boolean | undefined;
  /** The application errors it declares (its `errors` option), if any. */
  readonly errors?: ErrorDeclarations | undefined;
  /** The schemas of its params and result, as declared; `undefined` when it has none. */
  readonly validation?: MethodValidation | undefined;
  /** The checks made of those schemas (by the `schemas()` plugin, when the method is registered). */
  readonly checks?: MethodChecks | undefined;
  /** The JSON Schemas of its params and result, for `rpc.discover`, when it has schemas. */
  readonly schemas?: MethodSchemas | undefined;
  /** Whether a caller that lost its stream may resume it (option `resumable`). */
  readonly resumable?: boolean | undefined;
  /** Members a plugin adds to the method's `rpc.discover` entry (`x-` keys, such as `x-stream`). */
  readonly extensions?: Readonly<Record<`x-${string}`, unknown>> | undefined;
}

/**
 * Checks a method's name, handler and options and builds its definition.
 *
 * @param name The method's name: not empty, and not starting with `rpc.` (reserved by JSON-RPC).
 * @param handler The implementation. Parameter names are read from it unless `params` gives them.
 * @param options Parameter names, description, context, timeout, idempotence and schemas, and
 *   `isPrivate: true` when it needs a valid API token.
 * @param thisArg When given, the handler is called with it as `this` (the class style's instance).
 * @returns The definition to store in the registry.
 * @throws {TypeError} When the name is empty or reserved, the handler is not a function, a
 *   handler that takes the context has a rest parameter, the timeout is not positive, or `input` or
 *   `output` is not a Standard Schema (the `schemas()` plugin checks values against them).
 * @example
 * ```ts
 * import { defineMethod } from "./method.ts";
 * defineMethod("say_hello", (name: string) => `hello ${name}`, { params: ["name"] });
 * defineMethod("say_private_hello", (name: string) => `secret ${name}`, { params: ["name"], isPrivate: true });
 * ```
 */
export function defineMethod(
  name: string,
  handler: Handler,
  options: MethodOptions & { readonly isPrivate?: boolean } = {},
  thisArg?: object,
): MethodDefinition {
  if (typeof name !== "string" || name === "") throw new TypeError("A method name must be a non-empty string");
  if (name.startsWith("rpc.")) throw new TypeError(`The "rpc." prefix is reserved: ${name}`);
  if (typeof handler !== "function") throw new TypeError(`The handler of method ${name} must be a function`);
  const takesContext = options.context === true;
  let params: ParamList;
  if (options.params !== undefined) params = paramListFromSpec(options.params);
  else if (takesContext) params = withoutLastParam(paramListFromFunction(handler));
  else params = paramListFromFunction(handler);
  if (takesContext && params.rest !== undefined) {
    throw new TypeError(`Method ${name} takes the context: no rest parameter allowed`);
  }
  if (options.timeout !== undefined && !(options.timeout > 0)) {
    throw new TypeError(`The timeout of method ${name} must be a positive number of ms`);
  }
  const { input, output } = options;
  for (const [option, schema] of [["input", input], ["output", output]] as const) {
    if (schema !== undefined && !isStandardSchema(schema)) {
      throw new TypeError(`The ${option} of method ${name} is not a Standard Schema`);
    }
  }
  const validation = input === undefined && output === undefined ? undefined : { input, output };
  return {
    name,
    handler: thisArg === undefined ? handler : handler.bind(thisArg as never),
    // Scopes are asked of a caller, whom only a token tells.
    isPrivate: options.isPrivate === true || options.scopes !== undefined,
    readOnly: options.readOnly === true,
    params,
    description: options.description,
    takesContext,
    timeout: options.timeout,
    idempotent: options.idempotent === true,
    validation,
    scopes: options.scopes,
    errors: options.errors,
    resumable: options.resumable,
  };
}
