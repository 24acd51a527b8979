/**
 * tsmicroservice: JSON-RPC 2.0 microservices and clients for Node.js, Deno and Bun, with no
 * dependencies, built on the Web `Request`/`Response` API.
 *
 * A service is a named set of public and private (API-token-guarded) methods served at `POST /api`.
 *
 * @example
 * ```ts
 * import { serve, Service } from "./mod.ts";
 *
 * const service = new Service({
 *   name: "hello.world.service",
 *   apiTokenIsValid: (token) => token === "hello_world_token",
 * })
 *   .publicMethod("say_hello", (name: string) => `hello ${name}`)
 *   .privateMethod("say_private_hello", (name: string) => `this is secret: hello ${name}`);
 *
 * const server = await serve(service, { hostname: "127.0.0.1", port: 5000 });
 * console.log(`serving ${service.name} at ${server.url}/api`);
 * ```
 *
 * @module
 */

export { ErrorCode, type ErrorCodeName, RpcError } from "./src/protocol/errors.ts";
export type {
  JsonRpcErrorObject,
  JsonRpcFailure,
  JsonRpcId,
  JsonRpcParams,
  JsonRpcRequest,
  JsonRpcResponse,
  JsonRpcSuccess,
} from "./src/protocol/messages.ts";
export { DEFAULT_MAX_BODY_BYTES, type MethodMap, Service, type ServiceOptions } from "./src/service.ts";
export type { Handler, MethodDefinition, MethodOptions, RemoteSignature } from "./src/service/method.ts";
export type { ParamList } from "./src/service/params.ts";
export type {
  ApiTokenValidator,
  CallContext,
  HeaderReader,
  RequestContext,
  TokenCheckContext,
} from "./src/service/context.ts";
export type { DispatchResult, ErrorReporter } from "./src/service/dispatch.ts";
export { detectRuntime, type Runtime, serve } from "./src/serve.ts";
export type { FetchApp, ServeOptions, ServerHandle } from "./src/adapters/types.ts";
