/**
 * The `Service` class: a named set of public and private JSON-RPC methods, answering HTTP through
 * the Web `fetch(request) → Response` contract. It joins the service layer (registry and dispatch)
 * and the HTTP layer; the adapters in `src/adapters/` serve it on each runtime.
 *
 * @module
 */

import type { ApiTokenValidator, RequestContext } from "./service/context.ts";
import { type DispatchResult, dispatchMessage, type DispatchTarget, type ErrorReporter } from "./service/dispatch.ts";
import {
  defineMethod,
  type Handler,
  type HandlerFor,
  type MethodDefinition,
  type MethodOptions,
  type RemoteSignature,
} from "./service/method.ts";
import { handleHttpRequest, type HttpOptions } from "./http/handler.ts";
import { answerRpcRequest, type PlainReply, type RpcEndpoint, type RpcHttpRequest } from "./http/rpc_endpoint.ts";
import { builtinMethods } from "./service/introspection.ts";

/** The methods of a service, by name: the type the typed client reads. */
export type MethodMap = Record<string, Handler>;

/** Options of a {@linkcode Service}. */
export interface ServiceOptions {
  /** The service's name, such as `"hello.world.service"`. Required. */
  readonly name: string;
  /** The service's version, reported by introspection. Default `"0.0.0"`. */
  readonly version?: string;
  /** The path of the JSON-RPC endpoint. Default `"/api"`. */
  readonly path?: string;
  /** The header that carries the API token (besides `Authorization: Bearer`). Default `"X-Api-Token"`. */
  readonly apiTokenHeader?: string;
  /**
   * Decides whether a token may call private methods (sync or async). Without it, every call to a
   * private method is refused.
   */
  readonly apiTokenIsValid?: ApiTokenValidator;
  /**
   * Whether unexpected errors show their class name and message (never a stack) in `error.data`.
   * Default `false`: callers see only "Internal error".
   */
  readonly exposeErrors?: boolean;
  /** Told about unexpected errors thrown by handlers, for logging. Params and tokens are not passed. */
  readonly onError?: ErrorReporter;
  /** The largest request body accepted, in bytes. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** The most entries a batch may have; a longer batch is one Invalid Request error. Default 100. */
  readonly maxBatchLength?: number;
  /** The deepest nesting of arrays and objects allowed in params. Default 64. */
  readonly maxParamsDepth?: number;
  /** How many calls of one batch run at once. Default 10. */
  readonly batchConcurrency?: number;
  /**
   * How long a call may run, in ms (a method's own `timeout` wins). When it passes, the call
   * answers `-32002 Timeout` and the signal in its context is aborted. Default: no limit.
   */
  readonly timeout?: number;
  /**
   * Whether the service answers `get_service_specs`, the Python original's introspection method
   * (`name`, `host`, `port`, `methods`), so pymicroservice's clients can call it. Default `true`.
   * `rpc.discover` (OpenRPC) is always answered. A method registered as `get_service_specs`
   * replaces the built-in one either way.
   */
  readonly getServiceSpecs?: boolean;
}

/** The default largest request body: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** The default longest batch. */
export const DEFAULT_MAX_BATCH_LENGTH = 100;
/** The default deepest nesting of params. */
export const DEFAULT_MAX_PARAMS_DEPTH = 64;
/** The default number of calls of one batch that run at once. */
export const DEFAULT_BATCH_CONCURRENCY = 10;

/**
 * A JSON-RPC 2.0 microservice: register methods with {@linkcode Service.publicMethod} and
 * {@linkcode Service.privateMethod}, then serve {@linkcode Service.fetch} with `serve()`, or hand it
 * to any platform that takes a fetch handler.
 *
 * Each registration returns the service with the new method in its type, so `typeof service`
 * describes every method for the typed client.
 *
 * @typeParam Methods The registered methods, by name (filled in by the chained registrations).
 * @example
 * ```ts
 * import { Service } from "./service.ts";
 * const service = new Service({
 *   name: "hello.world.service",
 *   apiTokenIsValid: (token) => token === "hello_world_token",
 * })
 *   .publicMethod("say_hello", (name: string) => `hello ${name}`)
 *   .privateMethod("say_private_hello", (name: string) => `this is secret: hello ${name}`);
 *
 * const response = await service.fetch(new Request("http://localhost/api", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ jsonrpc: "2.0", method: "say_hello", params: ["world"], id: 1 }),
 * }));
 * console.log(await response.json()); // { jsonrpc: "2.0", result: "hello world", id: 1 }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a new service has no methods yet
export class Service<Methods extends MethodMap = {}> implements DispatchTarget, RpcEndpoint {
  /** The service's name. */
  readonly name: string;
  /** The service's version. */
  readonly version: string;
  /** The path of the JSON-RPC endpoint. */
  readonly path: string;
  /** The header that carries the API token. */
  readonly apiTokenHeader: string;
  /** The API token validator, if any. */
  readonly apiTokenIsValid: ApiTokenValidator | undefined;
  /** Whether unexpected errors show their message to callers. */
  readonly exposeErrors: boolean;
  /** The reporter of unexpected errors, if any. */
  readonly onError: ErrorReporter | undefined;
  /** The largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** The most entries a batch may have. */
  readonly maxBatchLength: number;
  /** The deepest nesting allowed in params. */
  readonly maxParamsDepth: number;
  /** How many calls of one batch run at once. */
  readonly batchConcurrency: number;
  /** The default timeout of a call in ms, if any. */
  readonly timeout: number | undefined;

  /** Type-only: the registered methods' signatures, read by the typed client. Never set at run time. */
  declare readonly "~methods": Methods;

  readonly #methods = new Map<string, MethodDefinition>();
  readonly #builtins: ReadonlyMap<string, MethodDefinition>;
  readonly #http: HttpOptions;

  /**
   * @param options The service's name and settings.
   * @throws {TypeError} When the name is missing or empty, or the path does not start with `/`.
   */
  constructor(options: ServiceOptions) {
    const name: unknown = (options as Partial<ServiceOptions> | undefined)?.name;
    if (typeof name !== "string" || name.trim() === "") {
      throw new TypeError("A service needs a name, such as new Service({ name: \"hello.world.service\" })");
    }
    this.name = options.name;
    this.version = options.version ?? "0.0.0";
    this.path = options.path ?? "/api";
    if (!this.path.startsWith("/")) throw new TypeError(`The service path must start with "/", got ${this.path}`);
    this.apiTokenHeader = options.apiTokenHeader ?? "X-Api-Token";
    this.apiTokenIsValid = options.apiTokenIsValid;
    this.exposeErrors = options.exposeErrors ?? false;
    this.onError = options.onError;
    this.maxBodyBytes = positiveLimit("maxBodyBytes", options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES);
    this.maxBatchLength = positiveLimit("maxBatchLength", options.maxBatchLength, DEFAULT_MAX_BATCH_LENGTH);
    this.maxParamsDepth = positiveLimit("maxParamsDepth", options.maxParamsDepth, DEFAULT_MAX_PARAMS_DEPTH);
    this.batchConcurrency = positiveLimit("batchConcurrency", options.batchConcurrency, DEFAULT_BATCH_CONCURRENCY);
    this.timeout = options.timeout === undefined ? undefined : positiveLimit("timeout", options.timeout, 0);
    this.#http = { path: this.path, maxBodyBytes: this.maxBodyBytes };
    this.#builtins = builtinMethods(this, options.getServiceSpecs !== false);
  }

  /**
   * Registers a method anyone may call.
   *
   * @param name The method's name.
   * @param handler Its implementation, sync or async; positional and named params both reach it.
   * @param options Parameter names (when they cannot be read from the handler), a description,
   *   `context: true` to receive the call's {@linkcode CallContext} as a last argument, a timeout,
   *   and Standard Schemas (`input` for the argument list, `output` for the result) that check the
   *   call and type the handler.
   * @returns This service, with the method added to its type.
   * @throws {TypeError} When the name is empty, reserved (`rpc.`) or already registered, or an
   *   option is invalid.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * const service = new Service({ name: "calculator" })
   *   .publicMethod("subtract", (minuend: number, subtrahend: number) => minuend - subtrahend);
   * ```
   */
  publicMethod<Name extends string, H extends HandlerFor<Options>, const Options extends MethodOptions = MethodOptions>(
    name: Name,
    handler: H,
    options?: Options,
  ): Service<Methods & { [K in Name]: RemoteSignature<H, Options> }> {
    return this.#register(defineMethod(name, handler, false, options));
  }

  /**
   * Registers a method that needs a valid API token (see `apiTokenIsValid`).
   *
   * @param name The method's name.
   * @param handler Its implementation, sync or async.
   * @param options The same as {@linkcode Service.publicMethod}'s.
   * @returns This service, with the method added to its type.
   * @throws {TypeError} When the name is empty, reserved (`rpc.`) or already registered, or an
   *   option is invalid.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * const service = new Service({ name: "vault", apiTokenIsValid: (token) => token === "secret" })
   *   .privateMethod("read_secret", () => 42);
   * ```
   */
  privateMethod<Name extends string, H extends HandlerFor<Options>, const Options extends MethodOptions = MethodOptions>(
    name: Name,
    handler: H,
    options?: Options,
  ): Service<Methods & { [K in Name]: RemoteSignature<H, Options> }> {
    return this.#register(defineMethod(name, handler, true, options));
  }

  /**
   * Finds a method: the registered ones first, then the built-in introspection methods
   * (`rpc.discover`, and `get_service_specs` unless turned off), so a registered
   * `get_service_specs` replaces the built-in one. Only those names are found: `constructor`,
   * `__proto__` and other inherited names are not.
   *
   * @param name The method's name.
   * @returns Its definition, or `undefined`.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * new Service({ name: "s" }).findMethod("toString"); // undefined
   * ```
   */
  findMethod(name: string): MethodDefinition | undefined {
    return this.#methods.get(name) ?? this.#builtins.get(name);
  }

  /**
   * Lists the registered methods, in registration order.
   *
   * @returns The method definitions.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * new Service({ name: "s" }).publicMethod("ping", () => "pong").listMethods().map((m) => m.name); // ["ping"]
   * ```
   */
  listMethods(): MethodDefinition[] {
    return [...this.#methods.values()];
  }

  /**
   * Answers a parsed JSON-RPC message in process, without HTTP.
   *
   * @param message A request object or a batch array, as `JSON.parse` gives it.
   * @param ctx The headers (for the API token) and abort signal. Default: no headers.
   * @returns The response, an array for a batch, or `undefined` when there is nothing to answer.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * const service = new Service({ name: "s" }).publicMethod("add", (a: number, b: number) => a + b);
   * await service.handle({ jsonrpc: "2.0", method: "add", params: { a: 1, b: 2 }, id: 7 });
   * // { jsonrpc: "2.0", result: 3, id: 7 }
   * ```
   */
  handle(message: unknown, ctx: RequestContext = { headers: new Headers() }): Promise<DispatchResult> {
    return dispatchMessage(this, message, ctx);
  }

  /**
   * Answers an HTTP request: `POST` on the service's path speaks JSON-RPC. Bound to the instance, so
   * `{ fetch: service.fetch }` and `export default service` both work with `Deno.serve`, `deno
   * serve`, `Bun.serve` and edge platforms.
   *
   * @param request The incoming request.
   * @returns The response.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * const service = new Service({ name: "s" }).publicMethod("ping", () => "pong");
   * const { fetch } = service;
   * const response = await fetch(new Request("http://localhost/other"));
   * response.status; // 404
   * ```
   */
  readonly fetch = (request: Request): Promise<Response> => handleHttpRequest(this, this.#http, request);

  /**
   * Answers a request sent to the JSON-RPC path, given as the few parts the endpoint needs. `fetch`
   * uses it, and so can an adapter that skips building a Web `Request` (the Node adapter does).
   *
   * @param request The method, headers, signal and body reader of the request.
   * @returns The answer's status, headers and body.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * const service = new Service({ name: "s" }).publicMethod("ping", () => "pong");
   * const reply = await service.answerRpc({
   *   method: "POST",
   *   headers: new Headers(),
   *   signal: undefined,
   *   readBody: () => Promise.resolve('{"jsonrpc":"2.0","method":"ping","id":1}'),
   * });
   * reply.status; // 200
   * ```
   */
  answerRpc(request: RpcHttpRequest): Promise<PlainReply> {
    return answerRpcRequest(this, this.maxBodyBytes, request);
  }

  /**
   * Registers a method already defined with `defineMethod`, as the class style does. It adds
   * nothing to the service's type: prefer {@linkcode Service.publicMethod} and
   * {@linkcode Service.privateMethod}, which do.
   *
   * @param definition The method's definition.
   * @returns This service.
   * @throws {TypeError} When a method of that name is already registered.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * import { defineMethod } from "./service/method.ts";
   * const counter = { count: 0, next() { return ++this.count; } };
   * new Service({ name: "s" }).addMethod(defineMethod("next", counter.next, false, {}, counter));
   * ```
   */
  addMethod(definition: MethodDefinition): this {
    this.#register(definition);
    return this;
  }

  #register<Added extends MethodMap>(method: MethodDefinition): Service<Methods & Added> {
    if (this.#methods.has(method.name)) throw new TypeError(`Method ${method.name} is already registered`);
    this.#methods.set(method.name, method);
    return this as unknown as Service<Methods & Added>;
  }
}

/** A limit option: a positive number (Infinity allowed), or the default when absent. */
function positiveLimit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0)) throw new TypeError(`${name} must be a positive number, got ${String(value)}`);
  return value;
}
