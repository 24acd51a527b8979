/**
 * How an adapter finds a service's JSON-RPC endpoint: a symbol-keyed method, so importing this
 * pulls in nothing of the endpoint or the core.
 *
 * @module
 */

import type { RpcEndpoint } from "./rpc_endpoint.ts";

/**
 * The key under which a service gives its JSON-RPC endpoint to the adapters.
 *
 * @internal The contract between the Service class and the adapters; it may change in any release.
 */
export const RPC_ENDPOINT: unique symbol = Symbol.for("tsmicroservice.rpcEndpoint");

/**
 * The JSON-RPC endpoint of an app (a Service or MicroService), if it can give one; one that cannot
 * (invalid settings) is served through `fetch`, which answers with its error.
 *
 * @internal The contract between the Service class and the adapters; it may change in any release.
 * @param app The app.
 * @returns Its endpoint, or `undefined` when it has none.
 * @example
 * ```ts
 * import { endpointOf } from "./endpoint_of.ts";
 * import { Service } from "../core/service.ts";
 * endpointOf(new Service({ name: "demo" }))?.path; // "/api"
 * ```
 */
export function endpointOf(app: object): RpcEndpoint | undefined {
  const give = (app as { [RPC_ENDPOINT]?: unknown })[RPC_ENDPOINT];
  if (typeof give !== "function") return undefined;
  try {
    return (give as () => RpcEndpoint).call(app);
  } catch {
    return undefined;
  }
}
