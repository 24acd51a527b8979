/**
 * Several instances of one service behind one client: `tsmicroservice/cluster`. Give
 * `cluster(urls or source, options)` to `createClient` or `connect` instead of one URL, and the
 * client balances its calls, keeps a circuit breaker per instance, and moves a failed call to
 * another instance when that cannot run it twice. A client of one URL carries none of this.
 *
 * @example
 * ```ts
 * import { connect } from "../mod.ts";
 * import { cluster } from "./mod.ts";
 * const orders = await connect(cluster(["http://10.0.0.5:5000/api", "http://10.0.0.6:5000/api"]), { token: "hello_world_token" });
 * await orders.call("get_order", [7]); // sent again elsewhere only if the service declares it idempotent
 * ```
 *
 * @module
 */

export { Cluster, cluster, type ClusterOptions, type ClusterTimers, type Instances } from "./cluster.ts";
export { type Endpoint, type EndpointSource, isEndpointSource, staticEndpoints } from "./endpoints.ts";
export type { Balancing, InstanceStatus } from "./balancer.ts";
export { type BreakerOptions, type BreakerState, type BreakerTicket, CircuitBreaker } from "./breaker.ts";
export type { RetryOptions } from "./retry.ts";
export { instanceFailed, mayRetry, neverSent } from "./delivery.ts";
export type { Delivery, Upstream } from "../upstream.ts";
