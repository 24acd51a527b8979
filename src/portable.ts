/**
 * The root module's Web-API-only exports: all but `serve()` and `fileAccess()`, which mod.ts adds
 * and mod_web.ts replaces with stand-ins that reject.
 *
 * @module
 */

export { ErrorCode, type ErrorCodeName, RpcError } from "./protocol/errors.ts";
export type {
  JsonRpcErrorObject,
  JsonRpcFailure,
  JsonRpcId,
  JsonRpcParams,
  JsonRpcRequest,
  JsonRpcResponse,
  JsonRpcSuccess,
} from "./protocol/messages.ts";
export { type MethodMap, Service, type ServiceOptions } from "./core/service.ts";
export {
  DEFAULT_BATCH_CONCURRENCY,
  DEFAULT_BODY_TIMEOUT,
  DEFAULT_MAX_BATCH_LENGTH,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_PARAMS_DEPTH,
  type Limits,
} from "./core/limits.ts";
export type {
  CallMiddleware,
  CallStart,
  CallSummary,
  Plugin,
  PluginHost,
  ReceivedBody,
  RequestHead,
  StartContext,
} from "./core/plugin.ts";
export type { PlainReply, StreamingRequest } from "./http/rpc_endpoint.ts";
export type {
  ContextOnlyHandler,
  ContextOnlyOptions,
  Handler,
  MethodDefinition,
  MethodOptions,
  MethodScopes,
  ObjectParamsSchema,
  RemoteSignature,
} from "./core/method.ts";
export type { ParamList } from "./core/params.ts";
export {
  type DataOf,
  declareErrors,
  type DeclaredErrors,
  type ErrorDeclaration,
  type ErrorDeclarations,
  type ErrorHelper,
  type ErrorsMark,
  type ErrorUnion,
} from "./core/declared_errors.ts";
export type {
  ApiTokenValidator,
  CallContext,
  Caller,
  CallerConnection,
  ContextOf,
  HeaderReader,
  InProcessCall,
  RequestContext,
  StreamTaker,
  TokenCheckContext,
  TypedCallContext,
} from "./core/context.ts";
export type { DispatchResult, ErrorReporter } from "./core/dispatch.ts";
export { timingSafeEqual } from "./core/timing_safe_equal.ts";
export { detectRuntime, type Runtime } from "./runtime.ts";
export type { FetchApp, ServeOptions, ServerHandle } from "./adapters/types.ts";

// Introspection: the built-in `rpc.discover` (OpenRPC).
export {
  describeMethod,
  type IntrospectionTarget,
  type JsonSchema,
  type MethodSchemas,
  OPENRPC_VERSION,
  type OpenRpcContentDescriptor,
  type OpenRpcDocument,
  type OpenRpcError,
  type OpenRpcMethod,
  openRpcDocument,
} from "./core/introspection.ts";

// Client: call any JSON-RPC 2.0 service with fetch (Node.js, Deno, Bun, browsers).
export * from "./client/mod.ts";
// cluster() itself is at tsmicroservice/cluster, so root bundles carry none of it; its types cost nothing.
export type {
  Balancing,
  BreakerOptions,
  BreakerState,
  BreakerTicket,
  CircuitBreaker,
  Cluster,
  ClusterOptions,
  ClusterTimers,
  Endpoint,
  EndpointSource,
  Instances,
  InstanceStatus,
  RetryOptions,
} from "./client/cluster/mod.ts";

// Typed, validated methods: Standard Schemas (zod, valibot, arktype…) for params and results.
// (Checking them is the schemas() plugin: tsmicroservice/schemas.)
export type { HandlerFor, MethodChecks, MethodValidation, ParamsSchema } from "./core/method.ts";
export { defineMethod } from "./core/method.ts";
export type { ServiceRef } from "./core/context.ts";
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
} from "./core/standard_schema.ts";

// The class style of the Python original: extend MicroService, mark methods with decorators.
export {
  type ClassMethods,
  type FitsOptions,
  MicroService,
  privateMethod,
  publicMethod,
  type ServiceMethodDecorator,
} from "./core/class_service.ts";

// The class style's plugins and hooks, and what a service is given when it starts.
export type { ClassServiceExtras } from "./core/class_service.ts";
export type { ByteRange, FileAccess, FileInfo, RuntimeFacilities } from "./http/file_access.ts";
export type { LifecycleState } from "./core/lifecycle.ts";
export { DEFAULT_CLOSE_TIMEOUT } from "./adapters/types.ts";

// Plugins are imported from their own modules, so a service carries only what it uses:
// tsmicroservice/health, /cors, /routes, /static, /tasks, /call-log, /pymicroservice, /schemas.
