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
export { type MethodMap, Service, type ServiceOptions } from "./src/core/service.ts";
export {
  DEFAULT_BATCH_CONCURRENCY,
  DEFAULT_BODY_TIMEOUT,
  DEFAULT_MAX_BATCH_LENGTH,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_PARAMS_DEPTH,
  type Limits,
} from "./src/core/limits.ts";
export type {
  CallObserver,
  CallStart,
  CallSummary,
  CallWrapper,
  Plugin,
  PluginHost,
  ReceivedBody,
  RequestHead,
  StartContext,
} from "./src/core/plugin.ts";
export type { PlainReply } from "./src/http/rpc_endpoint.ts";
export type {
  ContextOnlyHandler,
  ContextOnlyOptions,
  Handler,
  MethodDefinition,
  MethodOptions,
  ObjectParamsSchema,
  RemoteSignature,
} from "./src/core/method.ts";
export type { ParamList } from "./src/core/params.ts";
export type {
  ApiTokenValidator,
  CallContext,
  ContextOf,
  HeaderReader,
  InProcessCall,
  RequestContext,
  TokenCheckContext,
  TypedCallContext,
} from "./src/core/context.ts";
export type { DispatchResult, ErrorReporter } from "./src/core/dispatch.ts";
export { timingSafeEqual } from "./src/core/timing_safe_equal.ts";
export { detectRuntime, type Runtime, serve } from "./src/serve.ts";
export type { FetchApp, ServeOptions, ServerHandle } from "./src/adapters/types.ts";

// Introspection: the built-in `rpc.discover` (OpenRPC).
export {
  describeMethod,
  type IntrospectionTarget,
  type JsonSchema,
  type MethodSchemas,
  OPENRPC_VERSION,
  type OpenRpcContentDescriptor,
  type OpenRpcDocument,
  type OpenRpcMethod,
  openRpcDocument,
} from "./src/core/introspection.ts";

// Client: call any JSON-RPC 2.0 service with fetch (Node.js, Deno, Bun, browsers).
export * from "./src/client/mod.ts";
// Several instances of one service behind one client: cluster(urls or source, options).
export * from "./src/client/cluster/mod.ts";

// Typed, validated methods: Standard Schemas (zod, valibot, arktype…) for params and results.
// (Checking them is the schemas() plugin: tsmicroservice/schemas.)
export type { HandlerFor, MethodChecks, MethodValidation, ParamsSchema } from "./src/core/method.ts";
export { defineMethod } from "./src/core/method.ts";
export type { ServiceRef } from "./src/core/context.ts";
export {
  type InferInput,
  type InferOutput,
  isStandardSchema,
  type JsonSchemaOptions,
  type JsonSchemaTarget,
  type StandardFailure,
  type StandardIssue,
  type StandardJsonSchemaConverter,
  type StandardPathSegment,
  type StandardResult,
  type StandardSchemaV1,
  type StandardSchemaV1Props,
  type StandardSuccess,
  type StandardTypes,
} from "./src/core/standard_schema.ts";

// The class style of the Python original: extend MicroService, mark methods with decorators.
export {
  type ClassMethods,
  type FitsOptions,
  MicroService,
  privateMethod,
  publicMethod,
  type ServiceMethodDecorator,
} from "./src/core/class_service.ts";

// The class style's plugins and hooks, and what a service is given when it starts.
export type { ClassServiceExtras } from "./src/core/class_service.ts";
export type { ByteRange, FileAccess, FileInfo, RuntimeFacilities } from "./src/http/file_access.ts";
export type { LifecycleState } from "./src/core/lifecycle.ts";
export { fileAccess } from "./src/serve.ts";
export { DEFAULT_CLOSE_TIMEOUT } from "./src/adapters/types.ts";

// Plugins are imported from their own modules, so a service carries only what it uses:
// tsmicroservice/health, /cors, /routes, /static, /tasks, /call-log, /pymicroservice, /schemas.
