/**
 * The `Service` class: a named set of public and private JSON-RPC methods, answering HTTP through
 * the Web `fetch(request) → Response` contract. Everything a JSON-RPC service does not need is a
 * plugin, given to {@linkcode Service.use}: a service carries only what it imports.
 *
 * @module
 */

import { type ApiTokenValidator, type RequestContext, withoutCredentials } from "./context.ts";
import { DISPATCH_TARGET, type DispatchResult, dispatchMessage, type DispatchTarget, type ErrorReporter, report } from "./dispatch.ts";
import {
  defineMethod,
  type Handler,
  type HandlerFor,
  type MethodDefinition,
  type ContextOnlyHandler,
  type ContextOnlyOptions,
  type MethodOptions,
  type RemoteSignature,
} from "./method.ts";
import { handleHttpRequest, type OtherPaths, type PathAnswerer } from "../http/handler.ts";
import { RPC_ENDPOINT } from "../http/endpoint_of.ts";
import { type EndpointHooks, mergeHeaders, RpcEndpoint } from "../http/rpc_endpoint.ts";
import type { RuntimeFacilities } from "../http/file_access.ts";
import { discoverMethod } from "./introspection.ts";
import { Lifecycle, type LifecycleState } from "./lifecycle.ts";
import { type Limits, positiveLimit, resolveLimits } from "./limits.ts";
import type { Plugin, PluginHost, ReceivedBody, RequestHead } from "./plugin.ts";
import type { CallMiddleware } from "./call_middleware.ts";
import type { HeaderReader } from "./context.ts";
import type { PlainReply } from "../http/rpc_endpoint.ts";

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
 * Options of a {@linkcode Service}: only what every JSON-RPC service needs. Health, CORS, routes,
 * static folders, periodic tasks and call logs are plugins (see {@linkcode Service.use}).
 *
 * @example
 * ```ts
 * import { Service, type ServiceOptions } from "./service.ts";
 * const options: ServiceOptions = {
 *   name: "orders.service",
 *   version: "1.2.0",
 *   apiTokenIsValid: (token) => token === "orders-token",
 *   timeout: 5_000,
 *   limits: { maxBodyBytes: 256 * 1024 },
 * };
 * const service = new Service(options);
 * ```
 */
export interface ServiceOptions {
  /** The service's name, such as `"hello.world.service"`. Required. */
  readonly name: string;
  /** The service's version, reported by `rpc.discover`. Default `"0.0.0"`. */
  readonly version?: string | undefined;
  /** A sentence or two about the service, reported by `rpc.discover`. */
  readonly description?: string | undefined;
  /** The path of the JSON-RPC endpoint. Default `"/api"`. */
  readonly path?: string | undefined;
  /** The header that carries the API token (besides `Authorization: Bearer`). Default `"X-Api-Token"`. */
  readonly apiTokenHeader?: string | undefined;
  /**
   * Decides whether a token may call private methods (sync or async). Without it, every call to a
   * private method is refused.
   */
  readonly apiTokenIsValid?: ApiTokenValidator | undefined;
  /**
   * Whether unexpected errors show their class name and message (never a stack) in `error.data`.
   * Default `false`: callers see only "Internal error".
   */
  readonly exposeErrors?: boolean | undefined;
  /**
   * Told about unexpected errors (thrown by handlers, token checks, routes, plugins), never with
   * params or tokens. Default: `console.error` with the method and the error, its stack over
   * several lines as a terminal shows it; a service that logs JSON lines takes
   * `jsonErrorReporter(name)` from `tsmicroservice/call-log` (one JSON record per error); `false`
   * for silence.
   */
  readonly onError?: ErrorReporter | false | undefined;
  /**
   * How long a call may run, in ms (a method's own `timeout` wins). When it passes, the call
   * answers `-32002 Timeout` and the signal in its context is aborted. Any length works, past the
   * 24.8 days a runtime's single timer keeps too. Default (or `Infinity`): no limit.
   */
  readonly timeout?: number | undefined;
  /** Body size and time, batch length, params depth and batch concurrency (see {@linkcode Limits}). */
  readonly limits?: Limits | undefined;
}

/**
 * A JSON-RPC 2.0 microservice: register methods with {@linkcode Service.publicMethod} and
 * {@linkcode Service.privateMethod}, add features with {@linkcode Service.use}, then serve
 * {@linkcode Service.fetch} with `serve()`, or hand it to any platform that takes a fetch handler.
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
 *   .publicMethod("say_hello", (name: string) => `hello ${name}`, { params: ["name"] })
 *   .privateMethod("say_private_hello", (name: string) => `this is secret: hello ${name}`, { params: ["name"] });
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
export class Service<Methods extends MethodMap = {}, ServiceName extends string = string> implements PluginHost {
  /** The service's name (its literal type when given as a literal: the events plugin's `from` checks it). */
  declare readonly name: ServiceName;
  /** The service's version. */
  declare readonly version: string;
  /** The service's description, if any. */
  declare readonly description: string | undefined;
  /** The path of the JSON-RPC endpoint. */
  declare readonly path: string;
  /** The header that carries the API token. */
  declare readonly apiTokenHeader: string;
  /** The service's limits, defaults filled in. */
  declare readonly limits: { readonly [K in keyof Limits]-?: number };

  /** Type-only: the registered methods' signatures, read by the typed client. Never set at run time. */
  declare readonly "~methods": Methods;

  readonly #methods = new Map<string, MethodDefinition>();
  readonly #discover: MethodDefinition;
  readonly #target: DispatchTarget & {
    call?: readonly { readonly call: CallMiddleware }[] | undefined;
    received?: readonly { received(body: ReceivedBody): void }[] | undefined;
    refused?: readonly { refused(code: number): void }[] | undefined;
    apiTokenIsValid: ApiTokenValidator | undefined;
  };
  readonly #hooks: EndpointHooks = { intercept: undefined, headers: undefined };
  readonly #others: OtherPaths;
  readonly #endpoint: RpcEndpoint;
  readonly #plugins: Plugin[] = [];
  readonly #lifecycle: Lifecycle;
  readonly #apiTokenIsValid: ApiTokenValidator | undefined;

  /**
   * Makes a service with no methods yet; register them with {@linkcode Service.publicMethod} and
   * {@linkcode Service.privateMethod}.
   *
   * @param options The service's name and settings.
   * @throws {TypeError} When the name is missing or empty, the path does not start with `/`, or
   *   `timeout` or a limit is not a positive number.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * const service = new Service({ name: "hello.world.service", version: "1.0.0", limits: { maxBatchLength: 20 } });
   * service.path; // "/api"
   * ```
   */
  constructor(options: ServiceOptions & { readonly name: ServiceName }) {
    const name: unknown = (options as Partial<ServiceOptions> | undefined)?.name;
    if (typeof name !== "string" || name.trim() === "") {
      throw new TypeError("A service needs a name (a non-empty string)");
    }
    this.name = options.name;
    this.version = options.version ?? "0.0.0";
    this.description = options.description;
    this.path = options.path ?? "/api";
    if (!this.path.startsWith("/")) throw new TypeError(`The path must start with "/", got ${this.path}`);
    this.apiTokenHeader = options.apiTokenHeader ?? "X-Api-Token";
    this.limits = resolveLimits(options.limits);
    this.#discover = discoverMethod({
      name: this.name,
      version: this.version,
      description: this.description,
      listMethods: () => this.listMethods(),
      extensions: () => this.#extensions(),
    });
    this.#target = {
      name: this.name,
      handle: (message, ctx) => this.handle(message, ctx),
      findMethod: (method) => this.#methods.get(method) ?? (method === "rpc.discover" ? this.#discover : undefined),
      apiTokenHeader: this.apiTokenHeader,
      apiTokenIsValid: (this.#apiTokenIsValid = options.apiTokenIsValid),
      exposeErrors: options.exposeErrors ?? false,
      onError: options.onError === false ? undefined : options.onError ?? ((error, info) => {
        console.error(`${this.name}: ${info.method} failed:`, error);
      }),
      // call, received and refused: set by #compose at each use(); until then absent, so undefined.
      // maxBatchLength, maxParamsDepth and batchConcurrency (the body's limits come along).
      ...this.limits,
      timeout: positiveLimit("timeout", options.timeout, undefined),
    };
    this.#others = { hooks: this.#hooks, fetchers: [], report: (error, where) => {
      this.report(error, where);
    } };
    // maxBodyBytes and bodyTimeout (the other limits come along).
    this.#endpoint = new RpcEndpoint(this.#target, { ...this.limits, path: this.path, hooks: this.#hooks });
    this.#lifecycle = new Lifecycle({ onStart: () => this.#startPlugins(), onStop: () => this.#stopPlugins() });
  }

  /**
   * Registers a method anyone may call whose handler takes only the call's context, `(ctx) => …` with
   * `{ context: true }`: this form types an unannotated `ctx` (its `call` by the methods so far).
   *
   * @param name The method's name.
   * @param handler Its implementation: the context alone.
   * @param options `context: true`, and any other option but `input`.
   * @returns This service, with the method (taking no params) added to its type.
   * @throws {TypeError} As the other form.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * const service = new Service({ name: "s", apiTokenIsValid: (token) => token === "secret" })
   *   .publicMethod("whoami", (ctx) => ctx.method, { context: true });
   * ```
   */
  publicMethod<Name extends string, H extends ContextOnlyHandler<Options, Methods>, const Options extends ContextOnlyOptions>(
    name: Name,
    handler: H,
    options: Options,
  ): Service<Methods & { [K in Name]: RemoteSignature<H, Options> }, ServiceName>;
  /**
   * Registers a method anyone may call.
   *
   * @param name The method's name.
   * @param handler Its implementation, sync or async; positional and named params both reach it.
   * @param options Parameter names (when they cannot be read from the handler, as in minified
   *   code), a description, `context: true` to receive the call's `CallContext` as a last
   *   argument, a timeout, `idempotent: true` when running it twice does no harm, and Standard
   *   Schemas (`input` for the argument list, `output` for the result).
   * @returns This service, with the method added to its type.
   * @throws {TypeError} When the name is empty, reserved (`rpc.`) or already registered, or an
   *   option is invalid.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * const service = new Service({ name: "calculator" })
   *   .publicMethod("subtract", (minuend: number, subtrahend: number) => minuend - subtrahend, {
   *     params: ["minuend", "subtrahend"],
   *     idempotent: true,
   *   });
   * ```
   */
  publicMethod<Name extends string, H extends HandlerFor<Options, Methods>, const Options extends MethodOptions = MethodOptions>(
    name: Name,
    handler: H,
    options?: Options,
  ): Service<Methods & { [K in Name]: RemoteSignature<H, Options> }, ServiceName>;
  publicMethod(name: string, handler: Handler, options?: MethodOptions): unknown {
    return this.addMethod(defineMethod(name, handler, { ...options, isPrivate: false }));
  }

  /**
   * Registers a method that needs a valid API token whose handler takes only the call's context, `(ctx) => …` with
   * `{ context: true }`: this form types an unannotated `ctx` (its `call` by the methods so far).
   *
   * @param name The method's name.
   * @param handler Its implementation: the context alone.
   * @param options `context: true`, and any other option but `input`.
   * @returns This service, with the method (taking no params) added to its type.
   * @throws {TypeError} As the other form.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * const service = new Service({ name: "s", apiTokenIsValid: (token) => token === "secret" })
   *   .privateMethod("whoami", (ctx) => ctx.method, { context: true });
   * ```
   */
  privateMethod<Name extends string, H extends ContextOnlyHandler<Options, Methods>, const Options extends ContextOnlyOptions>(
    name: Name,
    handler: H,
    options: Options,
  ): Service<Methods & { [K in Name]: RemoteSignature<H, Options> }, ServiceName>;
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
  privateMethod<Name extends string, H extends HandlerFor<Options, Methods>, const Options extends MethodOptions = MethodOptions>(
    name: Name,
    handler: H,
    options?: Options,
  ): Service<Methods & { [K in Name]: RemoteSignature<H, Options> }, ServiceName>;
  privateMethod(name: string, handler: Handler, options?: MethodOptions): unknown {
    return this.addMethod(defineMethod(name, handler, { ...options, isPrivate: true }));
  }

  /**
   * Adds a feature: a plugin such as `health()`, `cors(...)`, `routes()`, `staticFiles(...)`, or
   * one of your own (see {@linkcode Plugin}). Plugins run in the order they are used.
   *
   * @param plugin The plugin.
   * @returns This service, with the methods the plugin adds in its type.
   * @throws {TypeError} When the plugin has no name, or the service has already started.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * const service = new Service({ name: "s" })
   *   .use({ name: "poweredBy", headers: () => ({ "x-powered-by": "tsmicroservice" }) })
   *   .publicMethod("ping", () => "pong");
   * ```
   */
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a plugin that adds no methods
  use<Added extends Readonly<Record<string, unknown>> = {}>(plugin: Plugin<Added>): Service<Methods & Added, ServiceName> {
    const given: unknown = plugin;
    if (typeof given !== "object" || given === null || typeof (given as Plugin).name !== "string" || (given as Plugin).name === "") {
      throw new TypeError("use() takes a plugin: an object with a name");
    }
    if (this.#lifecycle.state !== "idle") throw new TypeError(`use(${plugin.name}): too late, the service has started`);
    this.#plugins.push(plugin);
    plugin.setup?.(this);
    if (plugin.prepare !== undefined) {
      for (const [name, method] of this.#methods) this.#methods.set(name, plugin.prepare(method));
    }
    this.#compose();
    return this as never;
  }

  /**
   * Finds a method: the registered ones, then `rpc.discover`. Only those names are found:
   * `constructor`, `__proto__` and other inherited names are not.
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
    return this.#target.findMethod(name);
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
    return Promise.resolve(dispatchMessage(this.#target, message, ctx));
  }

  /**
   * Answers an HTTP request: `POST` on the service's path speaks JSON-RPC; other paths go to the
   * plugins, in the order they were used, then 404. Bound to the instance, so
   * `{ fetch: service.fetch }` and `export default service` both work with `Deno.serve`, `deno
   * serve`, `Bun.serve` and edge platforms. Those platforms pass a second argument (their server
   * or connection info); when one comes and nothing has started the service, the first such request
   * starts it (its plugins' `start`, `onStart`, periodic tasks), and requests wait for that; a start
   * that fails is reported and answered 503.
   *
   * @param request The incoming request.
   * @param platform What the serving platform passes besides the request, if anything.
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
  readonly fetch = (request: Request, platform?: unknown): Promise<Response> => {
    const starting = platform === undefined ? undefined : this.#lifecycle.startForRequest((error) => {
      this.report(error, "start");
    });
    const answer = (): Promise<Response> => handleHttpRequest(this.#endpoint, this.#others, request);
    return starting === undefined ? answer() : starting.then(answer, () => new Response("Service Unavailable", { status: 503 }));
  };

  /**
   * Registers a method already defined with `defineMethod`, as the class style and plugins do. It
   * adds nothing to the service's type: prefer {@linkcode Service.publicMethod} and
   * {@linkcode Service.privateMethod}, which do.
   *
   * @param definition The method's definition.
   * @returns This service.
   * @throws {TypeError} When a method of that name is already registered, or the method has
   *   schemas (`input`, `output`) and the service does not use the `schemas()` plugin.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * import { defineMethod } from "./method.ts";
   * const counter = { count: 0, next() { return ++this.count; } };
   * new Service({ name: "s" }).addMethod(defineMethod("next", counter.next, { params: [] }, counter));
   * ```
   */
  addMethod(definition: MethodDefinition): this {
    if (this.#methods.has(definition.name)) throw new TypeError(`Method ${definition.name} is already registered`);
    let prepared = definition;
    for (const plugin of this.#plugins) if (plugin.prepare !== undefined) prepared = plugin.prepare(prepared);
    if (prepared.validation !== undefined && prepared.checks === undefined) {
      throw new TypeError(
        `Method ${definition.name} has schemas: use(schemas()) from tsmicroservice/schemas first`,
      );
    }
    this.#methods.set(definition.name, prepared);
    return this;
  }

  /**
   * The HTTP methods the service answers at a path: `POST` on its JSON-RPC path, else what its
   * plugins say (for CORS preflights).
   *
   * @param path The path.
   * @returns Such as `"GET, HEAD"`, or `undefined` when nothing serves it.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * new Service({ name: "s" }).allowedMethods("/api"); // "POST"
   * ```
   */
  allowedMethods(path: string): string | undefined {
    if (path === this.path) return "POST";
    for (const plugin of this.#plugins) {
      const allowed = plugin.allows?.(path);
      if (allowed !== undefined) return allowed;
    }
    return undefined;
  }

  /**
   * Tells `onError` about an unexpected failure; a failing reporter is ignored.
   *
   * @param error What was thrown.
   * @param where Where: a method's name, or a route such as `"GET /users/:id"`.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * new Service({ name: "s", onError: (error, { method }) => console.log(method, error) }).report(new Error("x"), "somewhere");
   * ```
   */
  report(error: unknown, where: string): void {
    report(this.#target, error, where);
  }

  /**
   * Where the service is in its life: `idle` until started, then `starting`, `serving`,
   * `stopping` and `stopped`.
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
   * Starts the service: each plugin's `start`, in the order they were used, with the runtime's
   * facilities (file access for static folders). `serve()` calls it before it listens; call it
   * yourself when something else serves the service. If a plugin's start throws, the plugins
   * started before it are stopped, and the error is thrown.
   *
   * @param facilities The runtime's facilities.
   * @returns Once started.
   * @throws Whatever a plugin's `start` throws.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * const service = new Service({ name: "s" }).use({ name: "hello", start: () => console.log("starting") });
   * await service.startup();
   * await service.shutdown();
   * ```
   */
  startup(facilities: RuntimeFacilities = {}): Promise<void> {
    this.#facilities = facilities;
    return this.#lifecycle.start();
  }

  /**
   * Stops the service: its state becomes `stopping` (a health check answers 503), then `drain`
   * runs (`close()` passes the server's own close, which lets calls in flight finish), then each
   * plugin's `stop`, in reverse order.
   *
   * @param drain What to wait for before the plugins stop. Default: nothing.
   * @returns Once stopped.
   * @throws Whatever `drain` or a plugin's `stop` throws (the other plugins still stop).
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * const service = new Service({ name: "s" }).use({ name: "bye", stop: () => console.log("stopped") });
   * await service.startup();
   * await service.shutdown();
   * ```
   */
  shutdown(drain?: () => Promise<void>): Promise<void> {
    return this.#lifecycle.stop(drain);
  }

  /** Adapters reach the endpoint through this key: not part of the public API. */
  [RPC_ENDPOINT](): RpcEndpoint {
    return this.#endpoint;
  }

  /** Dispatch without HTTP goes through this key: not part of the public API. */
  [DISPATCH_TARGET](): DispatchTarget {
    return this.#target;
  }

  #facilities: RuntimeFacilities = {};
  #started = 0;

  async #startPlugins(): Promise<void> {
    if (this.#target.apiTokenIsValid === undefined) {
      const closed = this.listMethods().filter((method) => method.isPrivate).map((method) => method.name);
      // Private means private by default; still, a service whose private methods nobody can call says so.
      if (closed.length > 0) console.warn(`${this.name}: no apiTokenIsValid: every call to ${closed.join(", ")} is refused`);
    }
    const context = { service: this, files: this.#facilities.files };
    this.#started = 0;
    try {
      for (const plugin of this.#plugins) {
        await plugin.start?.(context);
        this.#started++;
      }
    } catch (error) {
      await this.#stopPlugins().catch(() => {});
      throw error;
    }
  }

  /** Stops the plugins that started, last first; every one is stopped, the first failure thrown. */
  async #stopPlugins(): Promise<void> {
    let failure: { error: unknown } | undefined;
    for (let index = this.#started - 1; index >= 0; index--) {
      try {
        await this.#plugins[index]?.stop?.();
      } catch (error) {
        failure ??= { error };
      }
    }
    this.#started = 0;
    if (failure !== undefined) throw failure.error;
  }

  /** The `x-` members the plugins add to `rpc.discover`, or `undefined` when none does. */
  #extensions(): Readonly<Record<`x-${string}`, unknown>> | undefined {
    let members: Record<`x-${string}`, unknown> | undefined;
    for (const plugin of this.#plugins) {
      const more = plugin.discover?.();
      if (more !== undefined) members = { ...members, ...more };
    }
    return members;
  }

  /** Builds the hooks the endpoint and dispatch call from the plugins that have them. */
  #compose(): void {
    // The plugins that have the hook, or undefined when none does (so a hook is skipped at once).
    const with_ = (key: keyof Plugin): Plugin[] | undefined => {
      const having = this.#plugins.filter((plugin) => plugin[key] !== undefined);
      return having.length === 0 ? undefined : having;
    };
    const intercepting = with_("intercept");
    const decorating = with_("headers");
    const tokenHeader = this.apiTokenHeader;
    const headOf = (method: string, path: string, headers: HeaderReader): RequestHead => ({
      method,
      path,
      headers: withoutCredentials(headers, tokenHeader),
    });
    this.#hooks.intercept = intercepting === undefined ? undefined : (method, path, headers) => {
      const head = headOf(method, path, headers);
      for (const plugin of intercepting) {
        const reply: PlainReply | undefined = plugin.intercept?.(head);
        if (reply !== undefined) return reply;
      }
      return undefined;
    };
    this.#hooks.headers = decorating === undefined ? undefined : (method, path, headers) => {
      const head = headOf(method, path, headers);
      let added: Record<string, string> | undefined;
      for (const plugin of decorating) {
        const more = plugin.headers?.(head);
        if (more !== undefined) added = added === undefined ? { ...more } : mergeHeaders(added, more);
      }
      return added;
    };
    // Middlewares nest in use() order: the first plugin's is outermost.
    this.#target.call = with_("call") as never;
    // Token validators nest as middlewares do: the first plugin's is asked first, and may ask on.
    this.#target.apiTokenIsValid = (with_("authenticate") ?? []).reduceRight<ApiTokenValidator | undefined>(
      (next, plugin) => (token, ctx) => (plugin as Plugin & Required<Pick<Plugin, "authenticate">>).authenticate(token, ctx, next),
      this.#apiTokenIsValid,
    );
    // Told in use() order; dispatch keeps a failing one from changing the answer.
    this.#target.received = with_("received") as never;
    this.#target.refused = with_("refused") as never;
    // The plugins themselves: the endpoint calls plugin.fetch(…) as a method, so it keeps its `this`.
    this.#others.fetchers = (with_("fetch") ?? []) as PathAnswerer[];
  }
}
