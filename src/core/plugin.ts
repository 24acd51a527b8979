/**
 * The extension contract of a service: what a plugin (a value given to `service.use()`) may do.
 *
 * A plugin is a plain object with a `name` and any of the hooks below. The core calls each hook
 * only when some plugin has it, so a service pays for nothing it does not use.
 *
 * - `setup(service)` runs once, at `use()`: register methods, read the service's name and path.
 * - `prepare(method)` may change each method's definition as it is registered (and those already
 *   registered when the plugin is used): the `schemas()` plugin attaches its checks this way.
 * - `intercept(head)` may answer any request (the JSON-RPC path included) from its method, path and
 *   headers alone, before anything else looks at it: CORS preflights, rate limits.
 * - `fetch(request, path)` may answer a request to a path other than the JSON-RPC one: health,
 *   routes, static folders. The first plugin that gives a `Response` wins; none gives 404.
 * - `allows(path)` tells which HTTP methods a plugin serves at a path (for CORS preflights).
 * - `headers(head)` adds headers to every answer (`vary` is appended to, others set).
 * - `call(call, next)` runs around each call, as a middleware: before `next()` it sees the call
 *   start, from what `next()` gives it sees how the call ended, and it may run `next()` in a
 *   context of its own (a trace). Metrics, tracing and call logs are middlewares (see
 *   `CallMiddleware` for the rules).
 * - `received(body)` is told the size of each JSON-RPC body and, for a batch, its number of
 *   entries, once the body is parsed and before its calls run; `refused(code)` the error code of
 *   each message answered before it became a call. They count traffic, where `call` sees calls.
 * - `discover()` may add extension members (`x-` keys) to the service's `rpc.discover` document:
 *   the events plugin lists the events a service emits under `x-events`.
 * - `start(context)` and `stop()` take part in the service's start (in `use()` order, before it
 *   listens) and stop (in reverse order, after the calls in flight are answered).
 *
 * The hooks come at three levels. The service's: `setup`, `prepare`, `discover`, `start`, `stop`.
 * A request's: `intercept`, `fetch`, `allows`, `headers`, each narrow and independent of `use()`
 * order, so the adapters keep answering the JSON-RPC path straight from their runtime's request.
 * A call's: the one `call` middleware, which is where identity, limits and per-call observers go;
 * beside it `received` and `refused` count traffic that a middleware cannot see (bodies, and
 * messages that never became calls).
 *
 * What a plugin never sees: the params of any call, and the API token. The headers hooks get
 * (`intercept`, `headers`, `call`) leave out the token header and `Authorization`. Only `fetch`
 * gets the whole `Request` of a non-JSON-RPC path, which is the plugin's own to answer.
 *
 * @module
 */

import type { PlainReply } from "../http/rpc_endpoint.ts";
import type { FileAccess } from "../http/file_access.ts";
import type { ApiTokenValidator, HeaderReader, ServiceRef, TokenCheckContext } from "./context.ts";
import type { LifecycleState } from "./lifecycle.ts";
import type { MethodDefinition } from "./method.ts";
import type { CallMiddleware } from "./call_middleware.ts";

export type { CallMiddleware, CallStart, CallSummary } from "./call_middleware.ts";

/**
 * What `intercept` and `headers` see of a request: its HTTP method, path and headers (without
 * credentials).
 *
 * @example
 * ```ts
 * import type { RequestHead } from "./plugin.ts";
 * const fromPage = (head: RequestHead): boolean => head.headers.get("origin") !== null;
 * ```
 */
export interface RequestHead {
  /** The HTTP method, upper case. */
  readonly method: string;
  /** The path, as sent (no query). */
  readonly path: string;
  /** The request headers, without the API token header and `Authorization`. */
  readonly headers: HeaderReader;
}

/**
 * What `received` is told of a JSON-RPC body: its size, and how many entries a batch has.
 *
 * @example
 * ```ts
 * import type { ReceivedBody } from "./plugin.ts";
 * const describe = (body: ReceivedBody): string => `${body.bytes} bytes, ${body.batch ?? 1} call(s)`;
 * ```
 */
export interface ReceivedBody {
  /** The body's size in bytes (in UTF-16 code units when it was given as text, as `handle` is). */
  readonly bytes: number;
  /** The number of entries when the body is a batch (an array); `undefined` otherwise. */
  readonly batch: number | undefined;
}

/**
 * What a plugin's `start` is given.
 *
 * @example
 * ```ts
 * import type { StartContext } from "./plugin.ts";
 * const start = (context: StartContext): void => console.log(`${context.service.name} starting`);
 * ```
 */
export interface StartContext {
  /** The service being started. */
  readonly service: PluginHost;
  /** The runtime's file access, when the service is started by `serve()`. */
  readonly files?: FileAccess | undefined;
}

/**
 * What a plugin sees of the service it is used by.
 *
 * @example
 * ```ts
 * import type { PluginHost } from "./plugin.ts";
 * const summary = (service: PluginHost): string => `${service.name} ${service.version} at ${service.path}`;
 * ```
 */
export interface PluginHost extends ServiceRef {
  /** The service's version. */
  readonly version: string;
  /** The path of the JSON-RPC endpoint. */
  readonly path: string;
  /** The header that carries the API token. */
  readonly apiTokenHeader: string;
  /** Where the service is in its life. */
  readonly state: LifecycleState;
  /**
   * Registers a method (made with `defineMethod`), as `publicMethod` and `privateMethod` do.
   *
   * @param definition The method.
   * @returns The service.
   * @example
   * ```ts
   * import { defineMethod } from "./method.ts";
   * import type { Plugin } from "./plugin.ts";
   * const uptime: Plugin = {
   *   name: "uptime",
   *   setup: (service) => service.addMethod(defineMethod("uptime", () => performance.now())),
   * };
   * ```
   */
  addMethod(definition: MethodDefinition): unknown;
  /**
   * Lists the registered methods, in registration order.
   *
   * @returns The method definitions.
   * @example
   * ```ts
   * import type { PluginHost } from "./plugin.ts";
   * const names = (service: PluginHost): string[] => service.listMethods().map((method) => method.name);
   * ```
   */
  listMethods(): MethodDefinition[];
  /**
   * The HTTP methods the service answers at a path (as plugins' `allows` say), for a preflight.
   *
   * @param path The path.
   * @returns Such as `"GET, HEAD"`, or `undefined` when nothing serves it.
   * @example
   * ```ts
   * import type { PluginHost } from "./plugin.ts";
   * const servesApi = (service: PluginHost): boolean => service.allowedMethods(service.path) === "POST";
   * ```
   */
  allowedMethods(path: string): string | undefined;
  /**
   * Tells the service's error reporter (`onError`) about a failure in a plugin.
   *
   * @param error What was thrown.
   * @param where Where, such as `"GET /users/:id"`.
   * @example
   * ```ts
   * import type { PluginHost } from "./plugin.ts";
   * const safely = (service: PluginHost, work: () => void): void => {
   *   try {
   *     work();
   *   } catch (error) {
   *     service.report(error, "my plugin");
   *   }
   * };
   * ```
   */
  report(error: unknown, where: string): void;
}

/**
 * A feature of a service, given to `service.use()`. Every hook is optional; see the module
 * documentation for when each runs.
 *
 * @typeParam Added The methods the plugin registers, for the typed client (type only).
 * @example
 * ```ts
 * import { Service } from "./service.ts";
 * import type { Plugin } from "./plugin.ts";
 * // Every answer carries the request id the caller sent, or a new one.
 * const requestId: Plugin = {
 *   name: "request-id",
 *   headers: (head) => ({ "x-request-id": head.headers.get("x-request-id") ?? crypto.randomUUID() }),
 * };
 * const service = new Service({ name: "s" }).use(requestId).publicMethod("ping", () => "pong");
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- most plugins add no methods
export interface Plugin<Added extends Readonly<Record<string, unknown>> = {}> {
  /** The plugin's name, for messages. */
  readonly name: string;
  /** Type only: the methods this plugin registers. Never set at run time. */
  readonly "~methods"?: Added;
  /** Runs once, when the plugin is given to `use()`. */
  setup?(service: PluginHost): void;
  /** May change a method's definition as it is registered (and those registered before). */
  prepare?(method: MethodDefinition): MethodDefinition;
  /** May answer a request from its method, path and headers alone, before anything else. */
  intercept?(head: RequestHead): PlainReply | undefined;
  /** May answer a request to a path other than the JSON-RPC one; `undefined` passes it on. */
  fetch?(request: Request, path: string): Response | undefined | Promise<Response | undefined>;
  /** The HTTP methods this plugin serves at a path, such as `"GET, HEAD"`, or `undefined`. */
  allows?(path: string): string | undefined;
  /** Headers to add to every answer. */
  headers?(head: RequestHead): Readonly<Record<string, string>> | undefined;
  /**
   * Says who holds a token, as `apiTokenIsValid` does (`true`, a `Caller` or `false`);
   * `next` is the validator after it (a later plugin's, then the service's own), to ask for a token
   * this one does not know. The one hook that sees tokens: `jwt()` of `tsmicroservice/auth` is one.
   */
  authenticate?(token: string, ctx: TokenCheckContext, next: ApiTokenValidator | undefined): ReturnType<ApiTokenValidator>;
  /** Runs around each call: calls `next()` once and gives back what it gave (see {@linkcode CallMiddleware}). */
  call?: CallMiddleware;
  /** Told the size (and batch length) of each JSON-RPC body, before its calls run. */
  received?(body: ReceivedBody): void;
  /**
   * Told the error code of each message answered before it became a call, so it reached no
   * `call` middleware: a body that is not JSON (`-32700`), an invalid request or batch, an unreadable or
   * oversized body, an unsupported content type (`-32600`). Each invalid entry of a batch counts.
   */
  refused?(code: number): void;
  /** Extension members (`x-` keys) to add to the service's `rpc.discover` document. */
  discover?(): Readonly<Record<`x-${string}`, unknown>> | undefined;
  /** Takes part in the service's start, in `use()` order; if it throws, the start fails. */
  start?(context: StartContext): void | Promise<void>;
  /** Takes part in the service's stop, in reverse order, after the calls in flight are answered. */
  stop?(): void | Promise<void>;
}
