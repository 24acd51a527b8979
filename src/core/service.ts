/**
 * The `Service` class: a named set of public and private JSON-RPC methods, answering HTTP through
 * the Web `fetch(request) → Response` contract. It joins the service layer (registry and dispatch)
 * and the HTTP layer; the adapters in `src/adapters/` serve it on each runtime.
 *
 * @module
 */

import type { ApiTokenValidator, RequestContext } from "./context.ts";
import { type DispatchResult, dispatchMessage, type DispatchTarget, type ErrorReporter } from "./dispatch.ts";
import {
  defineMethod,
  type Handler,
  type HandlerFor,
  type MethodDefinition,
  type MethodOptions,
  type RemoteSignature,
} from "./method.ts";
import { handleHttpRequest } from "../http/handler.ts";
import { RpcEndpoint } from "../http/rpc_endpoint.ts";
import { builtinMethods } from "./introspection.ts";
import { type CallObserver, logCalls } from "../plugins/call_log.ts";
import { Lifecycle, type LifecycleHook, type LifecycleState } from "./lifecycle.ts";
import type { PeriodicTask } from "../plugins/tasks/periodic_task.ts";
import { CorsPolicy, type CorsOptions } from "../plugins/cors.ts";
import type { FileAccess, RuntimeFacilities } from "../http/file_access.ts";
import { DEFAULT_HEALTH_PATH } from "../plugins/health.ts";
import { type RouteHandler, type RouteParams, Router } from "../plugins/routes/router.ts";
import { Site } from "../http/site.ts";
import { type StaticDirs, StaticFolders } from "../plugins/static/static_files.ts";

/**
 * The methods of a service, by name: the type the typed client reads.
 *
 * @example
 * ```ts
 * import type { MethodMap } from "./service.ts";
 * const methods = { add: (a: number, b: number) => a + b } satisfies MethodMap;
 * ```
 */
export type MethodMap = Record<string, Handler>;

/**
 * Options of a {@linkcode Service}.
 *
 * @example
 * ```ts
 * import { Service, type ServiceOptions } from "./service.ts";
 * const options: ServiceOptions = {
 *   name: "orders.service",
 *   version: "1.2.0",
 *   apiTokenIsValid: (token) => token === "orders-token",
 *   timeout: 5_000,
 *   staticDirs: { "/static/": "./public" },
 *   onStart: () => console.log("orders.service starting"),
 * };
 * const service = new Service(options);
 * ```
 */
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
  /**
   * How long the body of a JSON-RPC request may take to arrive once its headers have, in ms; a
   * slower one is answered 408 and the rest of it is not read, so clients that trickle their
   * bodies cannot hold the service's buffers. Through `fetch` (Bun, `deno serve`, edge platforms)
   * the answer carries a JSON-RPC error, and Bun then closes the connection (under `serve()` on
   * Bun, a body that goes silent for Bun's 10 s idle timeout is cut off sooner, with no answer, as
   * any silent connection is). Under `serve()` on Node.js, Node itself cuts the request (its bare
   * 408, connection closed) once `requestTimeout` plus this has passed. Under `serve()` on Deno
   * bodies are not watched: Deno keeps a slow client's connection and reads its body whatever the
   * service answers. `Infinity` for no limit. Default 30,000.
   */
  readonly bodyTimeout?: number;
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
  /**
   * Static folders: URL prefixes and the folders they serve, such as
   * `{ "/static/": new URL("./public/", import.meta.url) }` (a path is relative to the working
   * folder). `GET` and `HEAD` only, with `ETag`/`Last-Modified` and `index.html` for a folder;
   * nothing outside a folder is ever served (no `..`, hidden files, or symbolic links out).
   */
  readonly staticDirs?: StaticDirs;
  /**
   * The file access static folders are read with. `serve()` hands in the runtime's; give it when
   * something else serves the service (`deno serve`, `bun run`): `files: await fileAccess()`.
   */
  readonly files?: FileAccess;
  /**
   * The path of the health check (`GET` answers 200 with the name and version as JSON while the
   * service serves, 503 once it is stopping), or `false` for none. Default `"/health"`.
   */
  readonly health?: string | false;
  /** Cross-origin calls from web pages: off unless given (see {@linkcode CorsOptions}). */
  readonly cors?: CorsOptions;
  /** Runs when the service starts (before `serve()` listens); if it throws, the start fails. */
  readonly onStart?: LifecycleHook;
  /** Runs when the service has stopped (after `close()` has answered the calls in flight). */
  readonly onStop?: LifecycleHook;
  /** Work done every `every` ms while the service is served, never overlapping itself. */
  readonly periodicTasks?: readonly PeriodicTask[];
  /**
   * Told about each call once it has ended: method, duration, outcome and error code, and what was
   * thrown. Never its params or token.
   */
  readonly onCall?: CallObserver;
  /**
   * Whether to log each call (and, without `onError`, each unexpected error) to the console, one
   * line each. Default `false`: a service prints nothing.
   */
  readonly log?: boolean;
}

/**
 * The default largest request body: 1 MiB.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_BODY_BYTES, Service } from "./service.ts";
 * const uploads = new Service({ name: "uploads", maxBodyBytes: 8 * DEFAULT_MAX_BODY_BYTES });
 * ```
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/**
 * The default time a request body may take to arrive: 30 s (as Node.js's own request timeout).
 *
 * @example
 * ```ts
 * import { DEFAULT_BODY_TIMEOUT, Service } from "./service.ts";
 * new Service({ name: "s" }).bodyTimeout === DEFAULT_BODY_TIMEOUT; // true
 * ```
 */
export const DEFAULT_BODY_TIMEOUT = 30_000;
/**
 * The default longest batch.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_BATCH_LENGTH, Service } from "./service.ts";
 * new Service({ name: "s" }).maxBatchLength === DEFAULT_MAX_BATCH_LENGTH; // true
 * ```
 */
export const DEFAULT_MAX_BATCH_LENGTH = 100;
/**
 * The default deepest nesting of params.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_PARAMS_DEPTH, Service } from "./service.ts";
 * new Service({ name: "s" }).maxParamsDepth === DEFAULT_MAX_PARAMS_DEPTH; // true
 * ```
 */
export const DEFAULT_MAX_PARAMS_DEPTH = 64;
/**
 * The default number of calls of one batch that run at once.
 *
 * @example
 * ```ts
 * import { DEFAULT_BATCH_CONCURRENCY, Service } from "./service.ts";
 * const service = new Service({ name: "s", batchConcurrency: DEFAULT_BATCH_CONCURRENCY / 2 });
 * ```
 */
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
export class Service<Methods extends MethodMap = {}> implements DispatchTarget {
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
  /** How long the body of a JSON-RPC request may take to arrive, in ms. */
  readonly bodyTimeout: number;
  /** The most entries a batch may have. */
  readonly maxBatchLength: number;
  /** The deepest nesting allowed in params. */
  readonly maxParamsDepth: number;
  /** How many calls of one batch run at once. */
  readonly batchConcurrency: number;
  /** The default timeout of a call in ms, if any. */
  readonly timeout: number | undefined;
  /** Told about each call once it has ended, if set. */
  readonly onCall: CallObserver | undefined;

  /** Type-only: the registered methods' signatures, read by the typed client. Never set at run time. */
  declare readonly "~methods": Methods;

  readonly #methods = new Map<string, MethodDefinition>();
  readonly #builtins: ReadonlyMap<string, MethodDefinition>;
  readonly #endpoint: RpcEndpoint;
  readonly #site: Site;
  readonly #router = new Router();
  readonly #statics: StaticFolders | undefined;
  readonly #lifecycle: Lifecycle;

  /**
   * Makes a service with no methods yet; register them with {@linkcode Service.publicMethod} and
   * {@linkcode Service.privateMethod}.
   *
   * @param options The service's name and settings.
   * @throws {TypeError} When the name is missing or empty, the path or health path does not start
   *   with `/`, a limit (`maxBodyBytes`, `bodyTimeout`, `maxBatchLength`, `maxParamsDepth`, `batchConcurrency`,
   *   `timeout`) is not a positive number, or `staticDirs`, `cors`, `onStart`, `onStop` or
   *   `periodicTasks` is invalid.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * const service = new Service({ name: "hello.world.service", version: "1.0.0", maxBatchLength: 20 });
   * service.path; // "/api"
   * ```
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
    this.onError = options.onError ?? (options.log === true ? (error, info) => {
      console.error(`${this.name} ${info.method}:`, error);
    } : undefined);
    this.onCall = options.onCall ?? (options.log === true ? logCalls(this.name) : undefined);
    this.maxBodyBytes = positiveLimit("maxBodyBytes", options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES);
    this.bodyTimeout = positiveLimit("bodyTimeout", options.bodyTimeout, DEFAULT_BODY_TIMEOUT);
    this.maxBatchLength = positiveLimit("maxBatchLength", options.maxBatchLength, DEFAULT_MAX_BATCH_LENGTH);
    this.maxParamsDepth = positiveLimit("maxParamsDepth", options.maxParamsDepth, DEFAULT_MAX_PARAMS_DEPTH);
    this.batchConcurrency = positiveLimit("batchConcurrency", options.batchConcurrency, DEFAULT_BATCH_CONCURRENCY);
    this.timeout = options.timeout === undefined ? undefined : positiveLimit("timeout", options.timeout, 0);
    const report = (error: unknown, where: string): void => {
      try {
        this.onError?.(error, { method: where });
      } catch {
        // A failing logger must not turn an answer into a crash.
      }
    };
    this.#lifecycle = new Lifecycle({ onStart: options.onStart, onStop: options.onStop, periodicTasks: options.periodicTasks, report });
    this.#statics = options.staticDirs === undefined ? undefined : new StaticFolders(options.staticDirs, options.files, report);
    const healthPath = options.health === false ? undefined : options.health ?? DEFAULT_HEALTH_PATH;
    if (healthPath !== undefined && (!healthPath.startsWith("/") || healthPath === this.path)) {
      throw new TypeError(`The health path must start with "/" and differ from the service path, got ${healthPath}`);
    }
    const cors = options.cors === undefined ? undefined : new CorsPolicy(options.cors, this.apiTokenHeader);
    const site = new Site({
      service: this,
      healthPath,
      isStopping: () => this.#lifecycle.isStopping,
      router: this.#router,
      statics: this.#statics,
      cors,
      report,
    });
    this.#endpoint = new RpcEndpoint(this, { path: this.path, maxBodyBytes: this.maxBodyBytes, bodyTimeout: this.bodyTimeout, cors });
    this.#site = site;
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
    // A sync answer still goes out as a promise: callers of handle() always await it.
    return Promise.resolve(dispatchMessage(this, message, ctx));
  }

  /**
   * Answers an HTTP request: `POST` on the service's path speaks JSON-RPC; other paths go to the
   * health check, the routes and the static folders, in that order, then 404. Bound to the instance, so
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
  readonly fetch = (request: Request): Promise<Response> => handleHttpRequest(this.#endpoint, this.#site, request);

  /**
   * The service's JSON-RPC endpoint: its path, and the steps of answering a request sent there
   * from the request's parts. `fetch` uses it, and so can an adapter that skips building a Web
   * `Request` (the Node adapter does). It is the adapters' contract and may change in any release:
   * other code wants {@linkcode Service.fetch} or {@linkcode Service.handle}.
   *
   * @returns The endpoint (the same one at every call).
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * const service = new Service({ name: "s" }).publicMethod("ping", () => "pong");
   * const endpoint = service.rpcEndpoint();
   * endpoint.path; // "/api"
   * const reply = await endpoint.answerBody('{"jsonrpc":"2.0","method":"ping","id":1}', { headers: new Headers() });
   * reply.status; // 200
   * ```
   */
  rpcEndpoint(): RpcEndpoint {
    return this.#endpoint;
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
   * import { defineMethod } from "./method.ts";
   * const counter = { count: 0, next() { return ++this.count; } };
   * new Service({ name: "s" }).addMethod(defineMethod("next", counter.next, false, {}, counter));
   * ```
   */
  addMethod(definition: MethodDefinition): this {
    this.#register(definition);
    return this;
  }

  /**
   * Adds an HTTP route: a Web handler for a method and a path pattern whose `:name` segments reach
   * the handler decoded in `ctx.params`. Routes are tried in the order they were added, after the
   * health check and before static folders; `HEAD` falls back to `GET`; a path routed only for
   * other methods answers 405 with `Allow`. A segment matches exactly (no trailing-slash folding).
   *
   * @param method The HTTP method, such as `GET`.
   * @param path The path pattern, such as `/users/:id`.
   * @param handler Answers the request; `ctx.params` holds the segments, `ctx.service` this service.
   * @returns This service.
   * @throws {TypeError} When the method or pattern is invalid, the pattern is the JSON-RPC path, or
   *   the same method and pattern are already routed.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * const service = new Service({ name: "site" })
   *   .route("GET", "/hello/:name", (_request, ctx) => new Response(`hello ${ctx.params.name}`));
   * await (await service.fetch(new Request("http://localhost/hello/world"))).text(); // "hello world"
   * ```
   */
  route<Path extends string>(method: string, path: Path, handler: RouteHandler<RouteParams<Path>>): this {
    if (path === this.path) throw new TypeError(`${path} is the JSON-RPC path: route another path`);
    this.#router.add(method, path, handler as RouteHandler);
    return this;
  }

  /**
   * Where the service is in its life: `idle` until started, then `starting`, `serving`,
   * `stopping` (its health check answers 503) and `stopped`.
   *
   * @returns The current state.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * const service = new Service({ name: "s" });
   * service.state; // "idle"
   * await service.startup();
   * service.state; // "serving"
   * ```
   */
  get state(): LifecycleState {
    return this.#lifecycle.state;
  }

  /**
   * Starts the service: takes the runtime's facilities (file access for static folders, unless the
   * `files` option gave one), runs `onStart`, then starts the periodic tasks. `serve()` calls it
   * before it listens; call it yourself when something else serves the service.
   *
   * @param facilities The runtime's facilities.
   * @returns Once started.
   * @throws Whatever `onStart` throws.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * const service = new Service({ name: "s", onStart: () => console.log("starting") });
   * await service.startup();
   * await service.shutdown();
   * ```
   */
  startup(facilities: RuntimeFacilities = {}): Promise<void> {
    this.#statics?.provideFiles(facilities.files);
    return this.#lifecycle.start();
  }

  /**
   * Stops the service: its health check answers 503 and periodic tasks stop, then `drain` runs
   * (`close()` passes the server's own close, which lets calls in flight finish), then `onStop`.
   *
   * @param drain What to wait for before `onStop`. Default: nothing.
   * @returns Once stopped.
   * @throws Whatever `drain` or `onStop` throws.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * const service = new Service({ name: "s", onStop: () => console.log("stopped") });
   * await service.startup();
   * await service.shutdown();
   * ```
   */
  shutdown(drain?: () => Promise<void>): Promise<void> {
    return this.#lifecycle.stop(drain);
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
