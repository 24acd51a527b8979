/**
 * How a service's type becomes a client's type: each method's parameters and result, read from the
 * service definition (`typeof service`) with no generated code.
 *
 * @module
 */

/**
 * The methods of an untyped client: any name, any arguments, an `unknown` result.
 */
export type Untyped = Record<string, (...args: unknown[]) => unknown>;

/**
 * The method signatures a client type argument stands for: a service's (read from its type-only
 * `"~methods"` property, so the client never imports the service layer) or, for a peer written
 * with another library, a plain interface of functions.
 *
 * @typeParam S `typeof service`, or an interface such as `{ add(a: number, b: number): number }`.
 */
export type MethodsOf<S> = S extends { readonly "~methods": infer M } ? M : S;

/** A method's parameters, as a tuple. */
export type ArgsOf<F> = F extends (...args: infer A) => unknown ? A : never;

/** What a call of the method resolves to: its return value, unwrapped when it is a promise. */
export type ResultOf<F> = F extends (...args: never[]) => infer R ? Awaited<R> : never;

/**
 * Named params: an object of parameter name → value. (TypeScript does not keep parameter names in
 * function types, so named calls are checked at run time by the service, not at compile time.)
 */
export type NamedParams = Readonly<Record<string, unknown>>;

/** `client.methods`: one function per remote method, with its parameters, resolving to its result. */
export type RemoteMethods<M> = {
  readonly [K in keyof M & string]: (...args: ArgsOf<M[K]>) => Promise<ResultOf<M[K]>>;
};

/** `client.notifications`: one function per remote method, sending a notification (no answer). */
export type RemoteNotifications<M> = {
  readonly [K in keyof M & string]: (...args: ArgsOf<M[K]>) => Promise<void>;
};
