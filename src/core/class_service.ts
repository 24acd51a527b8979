/**
 * The Python original's class style over {@linkcode Service}: extend {@linkcode MicroService}, set
 * `name`, mark methods with the standard decorators `@publicMethod` and `@privateMethod`.
 *
 * Settings are instance properties, set only after the base constructor, so the service is
 * assembled on first use (`startup()`, a request, `handle()`, `toService()`) and kept. A settings
 * mistake makes `serve()` reject; with another server, call `toService()` at start-up to have it
 * thrown there rather than at the first request.
 *
 * @module
 */

import type { FetchApp } from "../adapters/types.ts";
import type { RuntimeFacilities } from "../http/file_access.ts";
import { RPC_ENDPOINT } from "../http/endpoint_of.ts";
import type { RpcEndpoint } from "../http/rpc_endpoint.ts";
import type { Plugin } from "./plugin.ts";
import { asError } from "./as_error.ts";
import type { DispatchResult } from "./dispatch.ts";
import type { CallContext, RequestContext } from "./context.ts";
import { defineMethod, type HandlerFor, type MethodDefinition, type MethodOptions } from "./method.ts";
import { Service, type ServiceOptions } from "./service.ts";

const decorated = new WeakMap<object, MethodDefinition>();

// Every ServiceOptions key (the compiler checks it), so a new option cannot be missed.
const SETTINGS: Readonly<Record<keyof ServiceOptions, true>> = {
  name: true,
  version: true,
  description: true,
  path: true,
  apiTokenHeader: true,
  apiTokenIsValid: true,
  exposeErrors: true,
  onError: true,
  timeout: true,
  limits: true,
};

/**
 * A class-style service's members that are not settings: `plugins` (given to `use()` in order),
 * and the `onStart` and `onStop` methods.
 *
 * @example
 * ```ts
 * import { MicroService, type ClassServiceExtras } from "./class_service.ts";
 * import { health } from "../plugins/health.ts";
 * class Orders extends MicroService implements ClassServiceExtras {
 *   name = "orders";
 *   plugins = [health()];
 *   onStart() { console.log("orders starting"); }
 * }
 * ```
 */
export interface ClassServiceExtras {
  /** Plugins, used in this order. */
  readonly plugins?: readonly Plugin[] | undefined;
  /** Runs when the service starts, before the plugins do; if it throws, the start fails. */
  onStart?(): void | Promise<void>;
  /** Runs when the service has stopped, after the plugins have. */
  onStop?(): void | Promise<void>;
}


/**
 * A method's type as callers see it: without a last {@linkcode CallContext} parameter.
 *
 * @internal
 */
type Remote<F> = F extends (...args: infer Args) => infer Result
  // Every parameter required, as the service requires it (TypeScript erases `?`; see `RemoteSignature`).
  ? Args extends [...infer Params, infer Last] ? ([Last] extends [CallContext] ? (...args: Required<Params>) => Result : (...args: Required<Args>) => Result)
  : (...args: Required<Args>) => Result
  : never;

/**
 * The methods a class-style service adds to {@linkcode MicroService}, as the typed client sees
 * them: every public method but the settings (`apiTokenIsValid`, `onError`, `onStart`, `onStop`).
 * Decorators cannot change a type, so an undecorated public method is listed too (and answers
 * "Method not found"): keep helpers `private` or `#private`. Methods are typed by their own
 * parameters, all required, even with an `input` schema.
 *
 * @typeParam T The service class's instance type.
 * @example
 * ```ts
 * import { type ClassMethods, MicroService, publicMethod } from "./class_service.ts";
 * class Calculator extends MicroService {
 *   name = "calculator";
 *   @publicMethod add(a: number, b: number) { return a + b; }
 * }
 * type Methods = ClassMethods<Calculator>; // { add: (a: number, b: number) => number }
 * const add: Methods["add"] = (a, b) => a + b;
 * ```
 */
export type ClassMethods<T> = {
  [K in keyof T as K extends keyof MicroService | keyof ServiceOptions | keyof ClassServiceExtras ? never : T[K] extends (...args: never[]) => unknown ? K : never]:
    Remote<T[K]>;
};

/**
 * The base class of a service in the Python original's class style.
 *
 * Declare settings as properties named as in {@linkcode ServiceOptions} (`name` required;
 * `apiTokenIsValid` and `onError` may be methods) and mark callable methods with `@publicMethod`
 * or `@privateMethod` (standard decorators: no `experimentalDecorators`); `implements
 * ServiceOptions` has the compiler check the settings. Plugins go in `plugins`, hooks in `onStart`
 * and `onStop` (see {@linkcode ClassServiceExtras}). `this` is the instance throughout.
 *
 * An instance works like a {@linkcode Service} (`serve`, `fetch`, `handle`), and
 * `createClient<HelloWorldService>(url)` types a client.
 *
 * @example
 * ```ts
 * import { MicroService, privateMethod, publicMethod } from "./class_service.ts";
 * import { serve } from "../serve.ts";
 *
 * class HelloWorldService extends MicroService {
 *   name = "hello.world.service";
 *
 *   @publicMethod
 *   say_hello(name: string) {
 *     return `hello ${name}`;
 *   }
 *
 *   @privateMethod
 *   say_private_hello(name: string) {
 *     return `this is secret: hello ${name}`;
 *   }
 *
 *   apiTokenIsValid(token: string) {
 *     return token === "hello_world_token";
 *   }
 * }
 *
 * const service = new HelloWorldService();
 * const server = await serve(service, { port: 5000 });
 * ```
 */
export abstract class MicroService implements FetchApp {
  /** Type-only: the class's methods, read by the typed client. Never set at run time. */
  declare readonly "~methods": ClassMethods<this>;

  #service: Service | undefined;

  /**
   * Answers an HTTP request as {@linkcode Service.fetch} does; bound, so it can be handed around.
   *
   * @param request The incoming request.
   * @param platform What a serving platform passes besides the request (`deno serve`, Bun): the
   *   first such request starts the service, as with {@linkcode Service.fetch}.
   * @returns The response.
   * @throws {TypeError} When the class's settings are invalid (on the first call; the promise
   *   rejects).
   * @example
   * ```ts
   * import { MicroService, publicMethod } from "./class_service.ts";
   * class Echo extends MicroService {
   *   name = "echo";
   *   @publicMethod echo(text: string) { return text; }
   * }
   * const { fetch } = new Echo();
   * const response = await fetch(new Request("http://localhost/api", {
   *   method: "POST",
   *   headers: { "content-type": "application/json" },
   *   body: JSON.stringify({ jsonrpc: "2.0", method: "echo", params: ["hi"], id: 1 }),
   * }));
   * await response.json(); // { jsonrpc: "2.0", result: "hi", id: 1 }
   * ```
   */
  readonly fetch = (request: Request, platform?: unknown): Promise<Response> => {
    const service = this.#assembled();
    return service instanceof Service ? service.fetch(request, platform) : service;
  };

  /**
   * Answers a parsed JSON-RPC message in process, without HTTP, as {@linkcode Service.handle} does.
   *
   * @param message A request object or a batch array.
   * @param ctx The headers (for the API token) and abort signal. Default: no headers.
   * @returns The response, an array for a batch, or `undefined` when there is nothing to answer.
   * @throws {TypeError} When the class's settings are invalid (on the first call).
   * @example
   * ```ts
   * import { MicroService, publicMethod } from "./class_service.ts";
   * class Echo extends MicroService {
   *   name = "echo";
   *   @publicMethod echo(text: string) { return text; }
   * }
   * await new Echo().handle({ jsonrpc: "2.0", method: "echo", params: ["hi"], id: 1 });
   * // { jsonrpc: "2.0", result: "hi", id: 1 }
   * ```
   */
  handle(message: unknown, ctx?: RequestContext): Promise<DispatchResult> {
    const service = this.#assembled();
    return service instanceof Service ? service.handle(message, ctx) : service;
  }

  /**
   * The {@linkcode Service} this instance describes, assembled on the first call and kept, from
   * its properties and the decorated methods of its classes (base classes first; an override
   * without a decorator is no longer a remote method).
   *
   * @returns The service.
   * @throws {TypeError} When the class has no `name`, or a setting or method is invalid.
   * @example
   * ```ts
   * import { MicroService, publicMethod } from "./class_service.ts";
   * class Echo extends MicroService {
   *   name = "echo";
   *   @publicMethod echo(text: string) { return text; }
   * }
   * new Echo().toService().listMethods().map((method) => method.name); // ["echo"]
   * ```
   */
  toService(): Service {
    this.#service ??= assemble(this);
    return this.#service;
  }

  /**
   * Starts the service as {@linkcode Service.startup} does (the class's `onStart`, then its
   * plugins). `serve()` calls it; call it yourself when something else serves the instance.
   *
   * @param facilities The runtime's facilities (file access for `staticFiles()`). Default: none.
   * @returns Once started.
   * @throws {TypeError} When the class's settings are invalid (the promise rejects).
   * @throws Whatever `onStart` throws.
   * @example
   * ```ts
   * import { MicroService } from "./class_service.ts";
   * class Worker extends MicroService {
   *   name = "worker";
   *   onStart() { console.log("starting"); }
   *   onStop() { console.log("stopped"); }
   * }
   * const worker = new Worker();
   * await worker.startup();
   * await worker.shutdown();
   * ```
   */
  startup(facilities: RuntimeFacilities = {}): Promise<void> {
    const service = this.#assembled();
    return service instanceof Service ? service.startup(facilities) : service;
  }

  /**
   * Stops the service as {@linkcode Service.shutdown} does: health answers 503, `drain` runs
   * (`close()` passes the server's close), then the plugins' stops and the class's `onStop`.
   * (Not `stop`: see {@linkcode FetchApp.shutdown}.)
   *
   * @param drain What to wait for before `onStop`. Default: nothing.
   * @returns Once stopped.
   * @throws {TypeError} When the class's settings are invalid (the promise rejects).
   * @throws Whatever `drain` or `onStop` throws.
   * @example
   * ```ts
   * import { MicroService } from "./class_service.ts";
   * import { serve } from "../serve.ts";
   * class Clock extends MicroService {
   *   name = "clock";
   *   started = 0;
   *   onStart() { this.started = Date.now(); }
   *   onStop() { console.log(`stopped after ${Date.now() - this.started} ms`); }
   * }
   * const server = await serve(new Clock(), { port: 0 });
   * await server.close(); // calls shutdown(), which runs onStop once the calls in flight are answered
   * ```
   */
  shutdown(drain?: () => Promise<void>): Promise<void> {
    const service = this.#assembled();
    return service instanceof Service ? service.shutdown(drain) : service;
  }

  /** Adapters reach the endpoint through this key: not part of the public API. */
  [RPC_ENDPOINT](): RpcEndpoint {
    return (this.toService() as unknown as { [RPC_ENDPOINT](): RpcEndpoint })[RPC_ENDPOINT]();
  }

  // Async callers get a rejection, not a throw.
  #assembled(): Service | Promise<never> {
    try {
      return this.toService();
    } catch (error) {
      return Promise.reject(asError(error));
    }
  }
}

function assemble(instance: MicroService): Service {
  const properties = instance as unknown as Readonly<Record<string, unknown>>;
  const options: Record<string, unknown> = {};
  for (const key of Object.keys(SETTINGS)) {
    const value = properties[key];
    if (value === undefined) continue;
    options[key] = typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(instance) : value;
  }
  const className = instance.constructor.name;
  if (typeof options["name"] !== "string" || options["name"].trim() === "") {
    throw new TypeError(`${className} needs a name: declare it in the class, such as name = "hello.world.service"`);
  }
  const service = new Service(options as unknown as ServiceOptions);
  const extras = instance as ClassServiceExtras;
  if (extras.onStart !== undefined || extras.onStop !== undefined) {
    // First to start, last to stop: what it opens is there for the other plugins.
    service.use({ name: `${className} lifecycle`, start: () => extras.onStart?.(), stop: () => extras.onStop?.() });
  }
  const plugins: unknown = extras.plugins;
  if (plugins !== undefined && !Array.isArray(plugins)) throw new TypeError(`${className}.plugins must be a list of plugins`);
  for (const plugin of (plugins ?? []) as Plugin[]) service.use(plugin);
  for (const definition of decoratedMethods(instance)) {
    service.addMethod({ ...definition, handler: definition.handler.bind(instance as never) });
  }
  return service;
}

function decoratedMethods(instance: MicroService): MethodDefinition[] {
  const seen = new Set<string>();
  const layers: MethodDefinition[][] = [];
  for (
    let prototype: unknown = Object.getPrototypeOf(instance);
    typeof prototype === "object" && prototype !== null && prototype !== MicroService.prototype;
    prototype = Object.getPrototypeOf(prototype)
  ) {
    const layer: MethodDefinition[] = [];
    for (const key of Object.getOwnPropertyNames(prototype)) {
      // The most derived class decides: an override without a decorator hides its base's method.
      if (key === "constructor" || seen.has(key)) continue;
      seen.add(key);
      const value: unknown = Object.getOwnPropertyDescriptor(prototype, key)?.value;
      const definition = typeof value === "function" ? decorated.get(value) : undefined;
      if (definition !== undefined) layer.push(definition);
    }
    layers.unshift(layer);
  }
  return layers.flat();
}

/**
 * A method decorator for a class-style service, made by {@linkcode publicMethod} or
 * {@linkcode privateMethod} with options: the method must fit the options (its parameters the
 * `input` schema's output, its result the `output` schema's input).
 *
 * @typeParam Options The method's options.
 * @example
 * ```ts
 * import { MicroService, publicMethod, type ServiceMethodDecorator } from "./class_service.ts";
 * // A decorator of your own, with the options your services share.
 * const documented = (description: string): ServiceMethodDecorator<{ description: string }> =>
 *   publicMethod({ description });
 * class Calculator extends MicroService {
 *   name = "calculator";
 *   @documented("Adds two numbers.") add(a: number, b: number) { return a + b; }
 * }
 * ```
 */
export type ServiceMethodDecorator<Options extends MethodOptions> = <This extends MicroService, F extends (...args: never[]) => unknown>(
  method: F & FitsOptions<F, Options>,
  context: ClassMethodDecoratorContext<This>,
) => void;

/**
 * Nothing for a method that fits its decorator's options; else a type whose member names the
 * problem, so the compiler's message (after TS1241) says it.
 *
 * @typeParam F The decorated method.
 * @typeParam Options The decorator's options.
 * @example
 * ```ts
 * import type { FitsOptions } from "./class_service.ts";
 * const fits: FitsOptions<(a: number) => number, {}> = {}; // unknown: nothing to add
 * ```
 */
export type FitsOptions<F, Options> = F extends HandlerFor<Options> ? unknown : {
  /** What does not fit. */
  readonly "~mismatch": F extends (...args: Parameters<HandlerFor<Options>>) => unknown
    ? "the method's result does not fit the output schema (see expected)"
    : "the method's parameters do not take the input schema's output, then the context with context: true (see expected)";
  /** The method type the options ask for. */
  readonly expected: HandlerFor<Options>;
};

/**
 * Marks a method of a {@linkcode MicroService} class as public (anyone may call it, by its own
 * name): a standard decorator, bare or with the options of {@linkcode Service.publicMethod}. With
 * an `input` schema, write the parameter types: they are checked against the schema's output.
 *
 * This signature is the bare use, `@publicMethod`.
 *
 * @param method The decorated method.
 * @param context The decorator context.
 * @returns Nothing: the method is recorded for its class's service.
 * @throws {TypeError} When it decorates something other than a public instance method with a
 *   string name, or when it runs as a legacy decorator (`experimentalDecorators`).
 * @example
 * ```ts
 * import { MicroService, publicMethod } from "./class_service.ts";
 * class Calculator extends MicroService {
 *   name = "calculator";
 *   @publicMethod add(a: number, b: number) { return a + b; }
 * }
 * ```
 */
export function publicMethod<This extends MicroService>(
  method: (this: This, ...args: never[]) => unknown,
  context: ClassMethodDecoratorContext<This>,
): void;
/**
 * Makes a decorator that marks a method of a {@linkcode MicroService} class as public, with the
 * options of {@linkcode Service.publicMethod}: `@publicMethod({ input, output, description,
 * params, context, timeout })`.
 *
 * @param options The method's options: schemas, a description, parameter names, `context: true`,
 *   a timeout. Default: none.
 * @returns The decorator.
 * @throws {TypeError} When `options` is not an object; the decorator throws when an option is
 *   invalid or it decorates something other than a public instance method with a string name.
 * @example
 * ```ts
 * import { MicroService, publicMethod } from "./class_service.ts";
 * class Calculator extends MicroService {
 *   name = "calculator";
 *   @publicMethod({ description: "Subtracts.", params: ["minuend", "subtrahend"] })
 *   subtract(x: number, y: number) { return x - y; }
 * }
 * ```
 */
export function publicMethod<const Options extends MethodOptions>(options?: Options): ServiceMethodDecorator<Options>;
export function publicMethod(...args: unknown[]): ServiceMethodDecorator<MethodOptions> | undefined {
  return decorate(false, "@publicMethod", args);
}

/**
 * Marks a method of a {@linkcode MicroService} class as private: callers need a valid API token
 * (see the class's `apiTokenIsValid`). Used bare or with options, as {@linkcode publicMethod}.
 *
 * This signature is the bare use, `@privateMethod`.
 *
 * @param method The decorated method.
 * @param context The decorator context.
 * @returns Nothing: the method is recorded for its class's service.
 * @throws {TypeError} As {@linkcode publicMethod}.
 * @example
 * ```ts
 * import { MicroService, privateMethod } from "./class_service.ts";
 * class Vault extends MicroService {
 *   name = "vault";
 *   @privateMethod read_secret() { return 42; }
 *   apiTokenIsValid(token: string) { return token === "secret"; }
 * }
 * ```
 */
export function privateMethod<This extends MicroService>(
  method: (this: This, ...args: never[]) => unknown,
  context: ClassMethodDecoratorContext<This>,
): void;
/**
 * Makes a decorator that marks a method of a {@linkcode MicroService} class as private, with the
 * options of {@linkcode Service.privateMethod}.
 *
 * @param options The method's options, as for {@linkcode publicMethod}. Default: none.
 * @returns The decorator.
 * @throws {TypeError} As {@linkcode publicMethod}.
 * @example
 * ```ts
 * import { MicroService, privateMethod } from "./class_service.ts";
 * class Vault extends MicroService {
 *   name = "vault";
 *   @privateMethod({ description: "The secret number.", timeout: 1_000 })
 *   read_secret() { return 42; }
 *   apiTokenIsValid(token: string) { return token === "secret"; }
 * }
 * ```
 */
export function privateMethod<const Options extends MethodOptions>(options?: Options): ServiceMethodDecorator<Options>;
export function privateMethod(...args: unknown[]): ServiceMethodDecorator<MethodOptions> | undefined {
  return decorate(true, "@privateMethod", args);
}

function decorate(isPrivate: boolean, label: string, args: readonly unknown[]): ServiceMethodDecorator<MethodOptions> | undefined {
  if (args.length >= 3) {
    throw new TypeError(`${label} is a standard decorator: turn off "experimentalDecorators" in tsconfig.json`);
  }
  const [first, second] = args;
  if (args.length === 2 && typeof first === "function" && isDecoratorContext(second)) {
    mark(isPrivate, label, {}, first, second);
    return undefined;
  }
  if (first !== undefined && (typeof first !== "object" || first === null)) {
    throw new TypeError(`${label} takes the method's options, such as ${label}({ description: "…" })`);
  }
  const options = (first ?? {}) as MethodOptions;
  return (method, context) => {
    mark(isPrivate, label, options, method, context);
  };
}

function isDecoratorContext(value: unknown): value is { readonly kind: unknown } {
  return typeof value === "object" && value !== null && "kind" in value;
}

// Defined now, so a bad option fails with the class.
function mark(isPrivate: boolean, label: string, options: MethodOptions, method: unknown, context: unknown): void {
  const { kind, name, static: isStatic, private: isHidden } = context as Partial<ClassMethodDecoratorContext>;
  if (kind !== "method" || isStatic === true || isHidden === true || typeof name !== "string" || typeof method !== "function") {
    throw new TypeError(`${label} marks public instance methods with a string name, not ${describe(kind, name, isStatic, isHidden)}`);
  }
  decorated.set(method, defineMethod(name, method as (...args: never[]) => unknown, { ...options, isPrivate }));
}

function describe(kind: unknown, name: unknown, isStatic: unknown, isHidden: unknown): string {
  const what = typeof kind === "string" ? kind : "this";
  const prefix = isStatic === true ? "static " : isHidden === true ? "#private " : "";
  return typeof name === "string" || typeof name === "symbol" ? `${prefix}${what} ${String(name)}` : `${prefix}${what}`;
}
