/**
 * How a service's type becomes a client's type: each method's parameters and result, read from the
 * service definition (`typeof service`) with no generated code.
 *
 * @module
 */

/**
 * The methods of an untyped client: any name, any arguments, an `unknown` result.
 *
 * @example
 * ```ts
 * import { createClient } from "../../mod.ts";
 * const remote = createClient("http://127.0.0.1:5000/api"); // a Client<Untyped>
 * const answer: unknown = await remote.call("anything", [1, "two"]);
 * ```
 */
export type Untyped = Record<string, (...args: unknown[]) => unknown>;

/**
 * The method signatures a client type argument stands for: a service's (read from its type-only
 * `"~methods"` property, so the client never imports the service layer) or, for a peer written
 * with another library, a plain interface of functions.
 *
 * @typeParam S `typeof service`, or an interface such as `{ add(a: number, b: number): number }`.
 * @example
 * ```ts
 * import type { MethodsOf } from "./types.ts";
 * import { Service } from "../core/service.ts";
 * const service = new Service({ name: "calculator" }).publicMethod("add", (a: number, b: number) => a + b);
 * type Methods = MethodsOf<typeof service>; // { add: (a: number, b: number) => number }
 * const add: Methods["add"] = (a, b) => a + b;
 * ```
 */
export type MethodsOf<S> = S extends { readonly "~methods": infer M } ? M : S;

/**
 * A method's parameters, as a tuple.
 *
 * @typeParam F The method's function type.
 * @example
 * ```ts
 * import type { ArgsOf } from "./types.ts";
 * const args: ArgsOf<(minuend: number, subtrahend: number) => number> = [42, 23];
 * ```
 */
export type ArgsOf<F> = F extends (...args: infer A) => unknown ? A : never;

/**
 * What a call of the method resolves to: its return value, unwrapped when it is a promise.
 *
 * @typeParam F The method's function type.
 * @example
 * ```ts
 * import type { ResultOf } from "./types.ts";
 * const result: ResultOf<(id: number) => Promise<string>> = "a string, not a promise";
 * ```
 */
export type ResultOf<F> = F extends (...args: never[]) => infer R ? Jsonified<Awaited<R>> : never;

/**
 * A value as it arrives after a trip through JSON, the way the service sends results: a `Date` (or
 * anything with `toJSON`) as what its `toJSON` gives (a string), `undefined` and `void` as `null`,
 * a `Map` or `Set` as `{}`, object members that JSON leaves out (functions, symbols, `undefined`)
 * gone, and what JSON cannot carry at all (`bigint`, functions, symbols) as `never`, so a client
 * cannot be typed with what it will never receive.
 *
 * @typeParam T The value's type on the service.
 * @example
 * ```ts
 * import type { Jsonified } from "./types.ts";
 * const sent: Jsonified<{ at: Date; tags: Set<string>; note?: string }> = { at: "2026-12-01T00:00:00.000Z", tags: {} };
 * ```
 */
export type Jsonified<T> = unknown extends T ? T // unknown and any stay as they are
  : T extends string | number | boolean | null ? T
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- a handler that returns nothing is typed void
  : T extends undefined | void ? null
  : T extends bigint | symbol | ((...args: never[]) => unknown) ? never
  : T extends { toJSON(): infer J } ? Jsonified<J>
  : T extends ReadonlyMap<unknown, unknown> | ReadonlySet<unknown> ? Record<string, never>
  : T extends readonly unknown[] ? { -readonly [I in keyof T]: T[I] extends undefined | bigint | symbol | ((...args: never[]) => unknown) ? null : Jsonified<T[I]> }
  : T extends object ? {
    // A member JSON leaves out is gone; one that may be undefined may be missing.
    -readonly [K in keyof T as K extends string ? (T[K] extends bigint | symbol | ((...args: never[]) => unknown) ? never : K) : never]:
      Jsonified<Exclude<T[K], undefined>> | (undefined extends T[K] ? undefined : never);
  }
  : never;

/**
 * Named params: an object of parameter name → value. (TypeScript does not keep parameter names in
 * function types, so named calls are checked at run time by the service, not at compile time.)
 *
 * @example
 * ```ts
 * import { createClient } from "../../mod.ts";
 * import type { NamedParams } from "./types.ts";
 * const params: NamedParams = { minuend: 42, subtrahend: 23 };
 * await createClient("http://127.0.0.1:5000/api").call("subtract", params);
 * ```
 */
export type NamedParams = Readonly<Record<string, unknown>>;

/**
 * A stream of a method's items, typed from its handler's yield type: read it with `for await`;
 * `break` (or an error thrown in the loop) ends it on the service too. Iterating ends with the
 * method's result (an async generator's `return` value), or throws its error as an `RpcError`.
 *
 * @typeParam T The items' type.
 * @example
 * ```ts
 * import type { RemoteStream } from "./types.ts";
 * declare const ticks: RemoteStream<{ tick: number }>;
 * for await (const { tick } of ticks) if (tick === 3) break;
 * ```
 */
export type RemoteStream<T> = AsyncGenerator<T, unknown, undefined>;

/**
 * `client.methods`: one function per remote method, with its parameters, resolving to its result.
 *
 * @typeParam M The remote methods' signatures.
 * @example
 * ```ts
 * import type { RemoteMethods } from "./types.ts";
 * import { createClient } from "./client.ts";
 * const methods: RemoteMethods<{ add(a: number, b: number): number }> =
 *   createClient<{ add(a: number, b: number): number }>("http://127.0.0.1:5000/api").methods;
 * const sum: number = await methods.add(1, 2);
 * ```
 */
export type RemoteMethods<M> = {
  readonly [K in keyof M & string]: Streams<M[K]> extends true ? (...args: ArgsOf<M[K]>) => RemoteStream<StreamItemOf<M[K]>>
    : ((...args: ArgsOf<M[K]>) => Promise<ResultOf<M[K]>>) & ErrorsOf<M[K]>;
};

// Whether a method streams: it returns an async iterable (not `never`, as a handler that only throws does, nor `any`).
/** @internal */
type Streams<F> = F extends (...args: never[]) => infer R ? 0 extends 1 & R ? false : [R] extends [never] ? false : [R] extends [AsyncIterable<unknown>] ? true : false
  : false;

/**
 * The items of a streaming method as the client gets them: its handler's yield type, as JSON
 * carries it (`unknown` for a method that does not stream).
 *
 * @typeParam F The method's signature.
 * @example
 * ```ts
 * import type { StreamItemOf } from "./types.ts";
 * type Tick = StreamItemOf<(count: number) => AsyncGenerator<{ at: Date }>>; // { at: string }
 * ```
 */
export type StreamItemOf<F> = F extends (...args: never[]) => AsyncIterable<infer T> ? Jsonified<T> : unknown;

/**
 * The declared errors a method's type carries (its type-only `"~errors"` member), kept on the
 * client's method for `isRpcError`; nothing for a method that declares none.
 *
 * @internal
 */
type ErrorsOf<F> = F extends { readonly "~errors"?: infer E } ? unknown extends E ? unknown : { readonly "~errors"?: E } : unknown;

/**
 * `client.notifications`: one function per remote method, sending a notification (no answer).
 *
 * @typeParam M The remote methods' signatures.
 * @example
 * ```ts
 * import type { RemoteNotifications } from "./types.ts";
 * import { createClient } from "./client.ts";
 * const notifications: RemoteNotifications<{ log(line: string): void }> =
 *   createClient<{ log(line: string): void }>("http://127.0.0.1:5000/api").notifications;
 * await notifications.log("started"); // resolves once sent; nothing comes back
 * ```
 */
export type RemoteNotifications<M> = {
  readonly [K in keyof M & string]: (...args: ArgsOf<M[K]>) => Promise<void>;
};

/**
 * `client.with(options)`: the typed methods and notifications, each call sent with those options
 * (`signal`, `timeout`, `deadline`, `idempotent`), so a handler can pass its `ctx.signal` on and
 * keep the typed calls. The options are not an argument of the methods, so they never collide with
 * a method's own parameters.
 *
 * @typeParam M The remote methods' signatures.
 * @example
 * ```ts
 * import { createClient } from "./client.ts";
 * const remote = createClient<{ add(a: number, b: number): number }>("http://127.0.0.1:5000/api");
 * const sum: number = await remote.with({ signal: AbortSignal.timeout(1_000) }).methods.add(1, 2);
 * ```
 */
export interface CallsWith<M> {
  /** Calls a method with positional params, with the options. */
  readonly methods: RemoteMethods<M>;
  /** Sends a notification, with the options. */
  readonly notifications: RemoteNotifications<M>;
}
