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
export type ResultOf<F> = F extends (...args: never[]) => infer R ? Awaited<R> : never;

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
  readonly [K in keyof M & string]: (...args: ArgsOf<M[K]>) => Promise<ResultOf<M[K]>>;
};

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
