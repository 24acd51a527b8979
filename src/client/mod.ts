/**
 * The client alone, for code that only calls services (a browser, a worker, another service):
 * `tsmicroservice/client` on npm. It uses only `fetch`. Several instances of one service behind
 * one client (balancing, breakers, failover) are `cluster(…)`, from `tsmicroservice/cluster`.
 *
 * @example
 * ```ts
 * import { connect } from "./mod.ts";
 * const remote = await connect("http://127.0.0.1:5000/api", { token: "hello_world_token" });
 * console.log(remote.name, await remote.call("say_hello", ["world"]));
 * ```
 *
 * @module
 */

export { ErrorCode, RpcError } from "../protocol/errors.ts";
export type { JsonRpcErrorObject, JsonRpcId, JsonRpcParams } from "../protocol/messages.ts";
export { type Client, type ClientTarget, type ConnectedClient, connect, type ConnectOptions, createClient } from "./client.ts";
export type { Delivery, Upstream } from "./upstream.ts";
export { type ClientStreams, type RemoteStream, sseStreams, type StreamOptions } from "./stream.ts";
// The pieces an Upstream of your own sends with (a cluster uses them too).
export { post } from "./transport.ts";
export { sendBatch } from "./batch.ts";
export { TransportError, type TransportErrorKind } from "./errors.ts";
export { type DeclaredErrorsOf, type DeclaredRpcError, isRpcError } from "./is_rpc_error.ts";
export {
  type CallOptions,
  type ClientObserver,
  type ClientOptions,
  DEFAULT_CALL_TIMEOUT,
  DEFAULT_MAX_RESPONSE_BYTES,
  type ExchangeEnd,
  type FetchFunction,
  type OutgoingExchange,
  type OutgoingRequest,
} from "./transport.ts";
export { REQUEST_TIMEOUT_HEADER } from "../protocol/headers.ts";
export type { TraceContext } from "../tracing/trace_context.ts";
export type {
  BatchBuilder,
  BatchCall,
  BatchEntry,
  BatchNotification,
  BatchResults,
  Settled,
} from "./batch.ts";
export type {
  ArgsOf,
  CallsWith,
  Jsonified,
  MethodsOf,
  NamedParams,
  RemoteMethods,
  RemoteNotifications,
  ResultOf,
  StreamItemOf,
  Untyped,
} from "./types.ts";
