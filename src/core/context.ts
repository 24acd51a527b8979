/**
 * What the service layer knows of the request that carried a message.
 *
 * @module
 */

import type { JsonRpcId, JsonRpcParams, JsonRpcResponse } from "../protocol/messages.ts";

/**
 * Read access to request headers; the Web `Headers` class fits it.
 *
 * @example
 * ```ts
 * import type { HeaderReader } from "./context.ts";
 * // The Web Headers class fits; so does a lookup of your own.
 * const fromRecord = (record: Record<string, string>): HeaderReader => ({ get: (name) => record[name.toLowerCase()] ?? null });
 * const headers: HeaderReader = fromRecord({ "x-api-token": "secret" });
 * ```
 */
export interface HeaderReader {
  /**
   * Reads a header.
   *
   * @param name The header's name, in any case.
   * @returns Its value, or `null` when absent.
   * @example
   * ```ts
   * import type { HeaderReader } from "./context.ts";
   * const headers: HeaderReader = new Headers({ "X-Api-Token": "secret" });
   * headers.get("x-api-token"); // "secret"
   * ```
   */
  get(name: string): string | null;
}

/**
 * The small context a message is dispatched with.
 *
 * @example
 * ```ts
 * import { Service } from "./service.ts";
 * import type { RequestContext } from "./context.ts";
 * const service = new Service({ name: "s" }).publicMethod("ping", () => "pong");
 * const ctx: RequestContext = { headers: new Headers({ "x-api-token": "secret" }), signal: AbortSignal.timeout(1_000) };
 * await service.handle({ jsonrpc: "2.0", method: "ping", id: 1 }, ctx);
 * ```
 */
export interface RequestContext {
  /** The headers of the HTTP request, or of whatever carried the message. */
  readonly headers: HeaderReader;
  /** Aborted when the caller goes away. */
  readonly signal?: AbortSignal | undefined;
  /** When the caller stops waiting (`Date.now()` ms), from an `X-Request-Timeout` header. */
  readonly deadline?: number | undefined;
  /**
   * Takes the stream a call answered with (its handler returned an async iterable): gives what to
   * answer in its place, or the refusal to answer (made by dispatch's `streamRefusal`; it must not
   * throw). The `streams()` plugin sets it; without it, such a call is the service's bug (`-32603`).
   */
  readonly stream?: StreamTaker | undefined;
}

/**
 * Who is calling: what a token validator (`apiTokenIsValid`, or the `jwt()` plugin) answers for a
 * valid token, and what a handler sees as `ctx.caller`.
 *
 * @example
 * ```ts
 * import { Service } from "./service.ts";
 * import type { Caller } from "./context.ts";
 * const staff: Caller = { subject: "ops", scopes: ["orders:write"], claims: {} };
 * const service = new Service({ name: "orders", apiTokenIsValid: (token) => (token === "ops-token" ? staff : false) })
 *   .privateMethod("cancel", (id: string) => id, { scopes: ["orders:write"] });
 * ```
 */
export interface Caller {
  /** Who it is (a JWT's `sub`, a user or workload name), when known. */
  readonly subject?: string | undefined;
  /** What it may do: the method option `scopes` asks for these. */
  readonly scopes: readonly string[];
  /** Everything else known of it (a JWT's claims). */
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * What takes a call's stream for the request that carried it (see {@linkcode RequestContext.stream}).
 *
 * @example
 * ```ts
 * import type { StreamTaker } from "./context.ts";
 * // Answers every stream with a note instead (the streams plugin answers with its events).
 * const note: StreamTaker = (_stream, _id, method) => `${method} streams`;
 * ```
 */
export type StreamTaker = (stream: AsyncIterable<unknown>, id: JsonRpcId, method: string) => unknown;

/**
 * What a method sees of the service it belongs to.
 *
 * @example
 * ```ts
 * import { Service } from "./service.ts";
 * import type { CallContext } from "./context.ts";
 * const service = new Service({ name: "s" })
 *   .publicMethod("whoami", (ctx: CallContext) => ctx.service.name, { context: true }); // answers "s"
 * ```
 */
export interface ServiceRef {
  /** The service's name. */
  readonly name: string;
  /**
   * Answers a parsed JSON-RPC message (a request or a batch) in process, as `Service.handle` does.
   *
   * @param message The message.
   * @param ctx The headers and signal to answer it with. Default: no headers.
   * @returns The response, an array for a batch, or `undefined` when there is nothing to answer.
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * import type { CallContext } from "./context.ts";
   * const service = new Service({ name: "s" })
   *   .publicMethod("ping", () => "pong")
   *   .publicMethod("ping_twice", async (ctx: CallContext) => {
   *     const batch = [{ jsonrpc: "2.0", method: "ping", id: 1 }, { jsonrpc: "2.0", method: "ping", id: 2 }];
   *     return await ctx.service.handle(batch, { headers: ctx.headers });
   *   }, { context: true });
   * ```
   */
  handle(message: unknown, ctx?: RequestContext): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined>;
}

/**
 * The context a method registered on a {@linkcode Service} receives: a {@linkcode CallContext}
 * whose `call` is typed by the methods registered before it (their params and unserialised
 * results); other names still work, with an `unknown` result.
 *
 * @typeParam Methods The service's methods so far, by name.
 * @example
 * ```ts
 * import { Service } from "./service.ts";
 * const service = new Service({ name: "s" })
 *   .publicMethod("add", (a: number, b: number) => a + b)
 *   .publicMethod("double", async (ctx) => {
 *     const sum: number = await ctx.call("add", [2, 2]); // typed from "add"
 *     return sum;
 *   }, { context: true });
 * ```
 */
export interface TypedCallContext<Methods> extends Omit<CallContext, "call"> {
  /** {@linkcode CallContext.call}, typed by the methods registered before this one. */
  readonly call: InProcessCall<Methods>;
}

/**
 * The context type for a handler with params before its context, which TypeScript cannot infer:
 * `ctx: ContextOf<typeof base>` types `ctx.call` by the methods of `base`, the service so far.
 *
 * @typeParam S A service (`typeof service`).
 * @example
 * ```ts
 * import { Service } from "./service.ts";
 * import type { ContextOf } from "./context.ts";
 * const base = new Service({ name: "s" }).publicMethod("add", (a: number, b: number) => a + b);
 * const service = base.publicMethod("double", async (n: number, ctx: ContextOf<typeof base>) => {
 *   const sum: number = await ctx.call("add", [n, n]);
 *   return sum;
 * }, { context: true });
 * ```
 */
export type ContextOf<S> = S extends { readonly "~methods": infer M } ? TypedCallContext<M> : CallContext;

/**
 * `ctx.call` typed by the methods a service already has: their params and unserialised results.
 *
 * @typeParam Methods The service's methods, by name.
 * @example
 * ```ts
 * import type { InProcessCall } from "./context.ts";
 * declare const call: InProcessCall<{ add: (a: number, b: number) => number }>;
 * const sum: number = await call("add", [1, 2]);
 * ```
 */
export type InProcessCall<Methods> =
  & (<K extends keyof Methods & string>(method: K, params?: InProcessParams<Methods[K]>) => Promise<InProcessResult<Methods[K]>>)
  // Another name, with any params: a known one must fit the typed form above.
  & (<N extends string>(method: N extends keyof Methods ? never : N, params?: JsonRpcParams) => Promise<unknown>);

/** @internal */
type InProcessParams<F> = (F extends (...args: infer A) => unknown ? A : never) | Readonly<Record<string, unknown>>;

/** @internal */
type InProcessResult<F> = F extends (...args: never[]) => infer R ? Awaited<R> : unknown;

/**
 * What a method that asks for it (option `context: true`) receives as its last argument.
 *
 * @example
 * ```ts
 * import { Service } from "./service.ts";
 * import type { CallContext } from "./context.ts";
 * const service = new Service({ name: "s" })
 *   .publicMethod("add", (a: number, b: number) => a + b)
 *   .publicMethod("double", async (n: number, ctx: CallContext) => {
 *     if (ctx.signal?.aborted) return null; // the caller went away
 *     return await ctx.call("add", [n, n]);
 *   }, { context: true });
 * ```
 */
export interface CallContext {
  /** The name of the method being called. */
  readonly method: string;
  /** The headers of the request that carried the call. */
  readonly headers: HeaderReader;
  /** The API token the request carried, if any (already checked for a private method). */
  readonly token: string | undefined;
  /** Aborted when the caller goes away. */
  readonly signal: AbortSignal | undefined;
  /** Whether the call is a notification (nobody waits for its result). */
  readonly isNotification: boolean;
  /**
   * When the caller stops waiting (`Date.now()` ms), if it said (`X-Request-Timeout`); `signal`
   * aborts then. Pass it on (`{ deadline: ctx.deadline }`) so the whole chain keeps the budget.
   */
  readonly deadline: number | undefined;
  /**
   * Who is calling, when the request carried a token the validator accepted, for a private method
   * or one with `scopes` (a public method never reads the token); `undefined` for public methods,
   * anonymous calls and a validator that answers only `true`.
   */
  readonly caller: Caller | undefined;
  /** The service the method belongs to. */
  readonly service: ServiceRef;
  /**
   * For a resumable streaming method (`resumable: true`, with the `streams()` plugin): the id of the
   * last event the caller saw (its `Last-Event-ID` header), to continue after it; else `undefined`.
   */
  readonly lastEventId?: string | undefined;
  /**
   * Sends a notification to the caller, when the call came over a connection that carries messages
   * both ways (a WebSocket, with the `webSocket()` plugin of `tsmicroservice/websocket`); absent
   * for a call over HTTP. Gives `false` when the connection is gone.
   */
  readonly notify?: ((method: string, params?: JsonRpcParams) => boolean) | undefined;
  /**
   * The connection the call came over, for messages after the call ended (see
   * {@linkcode CallerConnection}); absent for a call over HTTP.
   */
  readonly connection?: CallerConnection | undefined;
  /**
   * Calls another method of the same service in process (no HTTP, no JSON), with this call's
   * headers (so the same API token) and signal; params are checked as a caller's would be. It is
   * part of this call: the plugins' call middlewares do not see it again.
   *
   * @param method The method's name.
   * @param params Its params, positional (an array) or named (an object).
   * @returns Its result.
   * @throws {RpcError} When it answers an error (`-32601` for an unknown method, `-32001` for a
   *   private one without a valid token, `-32602` for bad params…).
   * @example
   * ```ts
   * import { Service } from "./service.ts";
   * import type { CallContext } from "./context.ts";
   * const service = new Service({ name: "s" })
   *   .publicMethod("subtract", (minuend: number, subtrahend: number) => minuend - subtrahend)
   *   .publicMethod("distance", async (a: number, b: number, ctx: CallContext) =>
   *     Math.abs(Number(await ctx.call("subtract", { minuend: a, subtrahend: b }))), { context: true });
   * ```
   */
  readonly call: (method: string, params?: JsonRpcParams) => Promise<unknown>;
}

/**
 * A connection a caller holds open (a WebSocket), as a handler sees it (`ctx.connection`): the
 * service may notify or call the caller over it until it closes. Keep it as long as it is `open`;
 * after that `notify` gives `false` and `call` rejects.
 *
 * @example
 * ```ts
 * import type { CallContext, CallerConnection } from "./context.ts";
 * const watchers = new Set<CallerConnection>();
 * const watch = (ctx: CallContext): boolean => {
 *   const connection = ctx.connection;
 *   if (connection === undefined) return false; // called over HTTP
 *   watchers.add(connection);
 *   void connection.closed.then(() => watchers.delete(connection));
 *   return true;
 * };
 * const tell = (price: number): void => {
 *   for (const connection of watchers) connection.notify("price", [price]);
 * };
 * ```
 */
export interface CallerConnection {
  /** An id of this connection, unique in the process. */
  readonly id: string;
  /** Whether messages can still be sent. */
  readonly open: boolean;
  /** Settles when the connection has closed, however it closed. */
  readonly closed: Promise<void>;
  /**
   * Sends a notification.
   *
   * @param method The notification's method.
   * @param params Its params.
   * @returns `false` when the connection is gone (nothing was sent).
   */
  notify(method: string, params?: JsonRpcParams): boolean;
  /**
   * Calls a method the caller's side offers, and waits for its answer.
   *
   * @param method The method.
   * @param params Its params.
   * @param options `timeout`: how long to wait, in ms (default 30 s).
   * @returns Its result.
   * @throws {RpcError} The error it answered (`-32601` when it offers no such method), `-32002`
   *   when the timeout passed, `-32004` when the connection closed first.
   */
  call(method: string, params?: JsonRpcParams, options?: { readonly timeout?: number | undefined }): Promise<unknown>;
  /**
   * Closes the connection (the calls in flight on it see their signal abort).
   *
   * @param code The close code (default 1000).
   * @param reason The reason, a short text.
   */
  close(code?: number, reason?: string): void;
}

/**
 * What an API token validator is told about the call it guards.
 *
 * @example
 * ```ts
 * import { Service } from "./service.ts";
 * import type { TokenCheckContext } from "./context.ts";
 * const canCall = (token: string, ctx: TokenCheckContext): boolean =>
 *   token === "admin-token" || (token === "reader-token" && ctx.method.startsWith("get_"));
 * const service = new Service({ name: "s", apiTokenIsValid: canCall });
 * ```
 */
export interface TokenCheckContext {
  /** The method being called (private, with `scopes`, or taking its context). */
  readonly method: string;
  /** The request's headers. */
  readonly headers: HeaderReader;
}

/**
 * Decides whether a token may call private methods: `true`, or the {@linkcode Caller} it belongs
 * to (handlers see it as `ctx.caller`; a method's `scopes` ask for its scopes); `false` refuses,
 * as does anything else (an object without a `scopes` array included). It may be async; it should
 * answer `false` rather than throw.
 *
 * @example
 * ```ts
 * import { Service } from "./service.ts";
 * import { timingSafeEqual } from "./timing_safe_equal.ts";
 * import type { ApiTokenValidator } from "./context.ts";
 * const tokens = new Map([["reader-token", ["read"]], ["admin-token", ["read", "delete"]]]);
 * const apiTokenIsValid: ApiTokenValidator = (token, ctx) =>
 *   [...tokens].some(([known, methods]) => timingSafeEqual(token, known) && methods.includes(ctx.method));
 * const service = new Service({ name: "files", apiTokenIsValid }).privateMethod("delete", (path: string) => path);
 * ```
 */
export type ApiTokenValidator = (token: string, ctx: TokenCheckContext) => boolean | Caller | Promise<boolean | Caller>;

/**
 * Reads the API token of a request: the named header first (the Python original's `X-Api-Token`),
 * then an `Authorization: Bearer …` header.
 *
 * @param headers The request headers.
 * @param headerName The header that carries the token.
 * @returns The token, or `undefined` when the request carries none.
 * @example
 * ```ts
 * import { readApiToken } from "./context.ts";
 * readApiToken(new Headers({ authorization: "Bearer abc" }), "X-Api-Token"); // "abc"
 * ```
 */
export function readApiToken(headers: HeaderReader, headerName: string): string | undefined {
  const direct = headers.get(headerName);
  if (direct !== null && direct !== "") return direct;
  const authorization = headers.get("authorization");
  if (authorization === null) return undefined;
  const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  return match?.[1];
}

/**
 * Request headers with the API token header and `Authorization` reading as absent, for plugins
 * and observers, which must never see a token.
 *
 * @param headers The request headers.
 * @param tokenHeader The header that carries the API token.
 * @returns The same headers, with those two reading as absent.
 * @example
 * ```ts
 * import { withoutCredentials } from "./context.ts";
 * const view = withoutCredentials(new Headers({ "x-api-token": "secret", origin: "http://a.test" }), "X-Api-Token");
 * view.get("x-api-token"); // null
 * view.get("origin"); // "http://a.test"
 * ```
 */
export function withoutCredentials(headers: HeaderReader, tokenHeader: string): HeaderReader {
  const hidden = tokenHeader.toLowerCase();
  return {
    get(name: string): string | null {
      const lower = name.toLowerCase();
      return lower === hidden || lower === "authorization" ? null : headers.get(name);
    },
  };
}
