// Type-level checks (npm run typecheck, which compiles with exactOptionalPropertyTypes, as strict
// projects do): every optional property of the public option types takes `undefined`, so options
// can be passed on from values that may be undefined (`events({ transport })` with `transport:
// EventTransport | undefined` was TS2379).
import type { CallOptions, ClassServiceExtras, ClientOptions, ConnectOptions, Limits, MethodOptions, ServeOptions, ServiceOptions } from "../../mod.ts";
import type { BreakerOptions, ClusterOptions, Endpoint, RetryOptions } from "../../src/client/cluster/mod.ts";
import type { DnsSourceOptions } from "../../src/dns/mod.ts";
import type { EtcdRegistryOptions, RegisterOptions } from "../../src/etcd/mod.ts";
import { type EventMap, events, type EventsOptions, type EventTransport, type InProcessOptions, type SubscribeOptions } from "../../src/events/mod.ts";
import type { NatsFetchOptions, NatsServerOptions, NatsTransportOptions } from "../../src/nats/mod.ts";
import type { CallLogOptions } from "../../src/plugins/call_log.ts";
import type { CorsOptions } from "../../src/plugins/cors.ts";
import type { ExplorerOptions } from "../../src/plugins/explorer/explorer.ts";
import type { HealthOptions } from "../../src/plugins/health.ts";
import type { MetricsOptions } from "../../src/plugins/metrics/metrics.ts";
import type { OpenTelemetryClientOptions, OpenTelemetryOptions } from "../../src/plugins/opentelemetry/opentelemetry.ts";
import type { StaticFilesOptions } from "../../src/plugins/static/static.ts";
import type { PeriodicTask } from "../../src/plugins/tasks/tasks.ts";
import type { PropagateTraceOptions, TraceContextOptions } from "../../src/plugins/trace_context.ts";
import type { NodeHandlerOptions } from "../../src/adapters/node_handler.ts";
import type { CaptureOptions, TestClientOptions, WaitOptions } from "../../src/testing/mod.ts";

/** The optional keys of T. */
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
/** `true` when every optional property of T takes `undefined`. */
type TakesUndefined<T> = { readonly [K in OptionalKeys<T>]: undefined } extends Pick<T, OptionalKeys<T>> ? true : false;

export const everyOptionTakesUndefined: [
  TakesUndefined<ServiceOptions>,
  TakesUndefined<Limits>,
  TakesUndefined<MethodOptions>,
  TakesUndefined<Pick<ClassServiceExtras, "plugins">>, // onStart and onStop are methods a class writes
  TakesUndefined<ServeOptions>,
  TakesUndefined<ClientOptions>,
  TakesUndefined<CallOptions>,
  TakesUndefined<ConnectOptions>,
  TakesUndefined<ClusterOptions>,
  TakesUndefined<BreakerOptions>,
  TakesUndefined<RetryOptions>,
  TakesUndefined<Endpoint>,
  TakesUndefined<DnsSourceOptions>,
  TakesUndefined<EtcdRegistryOptions>,
  TakesUndefined<RegisterOptions>,
  TakesUndefined<EventsOptions<EventMap>>,
  TakesUndefined<SubscribeOptions>,
  TakesUndefined<InProcessOptions>,
  TakesUndefined<NatsTransportOptions>,
  TakesUndefined<NonNullable<NatsTransportOptions["jetstream"]>>,
  TakesUndefined<NatsFetchOptions>,
  TakesUndefined<NatsServerOptions>,
  TakesUndefined<CallLogOptions>,
  TakesUndefined<CorsOptions>,
  TakesUndefined<ExplorerOptions>,
  TakesUndefined<HealthOptions>,
  TakesUndefined<MetricsOptions>,
  TakesUndefined<OpenTelemetryOptions>,
  TakesUndefined<OpenTelemetryClientOptions>,
  TakesUndefined<StaticFilesOptions>,
  TakesUndefined<PeriodicTask>,
  TakesUndefined<TraceContextOptions>,
  TakesUndefined<PropagateTraceOptions>,
  TakesUndefined<NodeHandlerOptions>,
  TakesUndefined<TestClientOptions>,
  TakesUndefined<CaptureOptions>,
  TakesUndefined<WaitOptions>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];

// The case a user hit: a transport that may be undefined, passed on as it is.
declare const transport: EventTransport | undefined;
export const plugin = events({ transport });
