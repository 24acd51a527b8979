/**
 * The JSON-RPC endpoint of an app, for the adapters' direct routes.
 *
 * @module
 */

import type { RpcEndpoint } from "../http/rpc_endpoint.ts";
import type { FetchApp } from "./types.ts";

/**
 * The app's JSON-RPC endpoint, when it has one (a Service and a MicroService do). An app that
 * cannot give it (a MicroService with invalid settings) is served through `fetch`, which answers
 * with its error.
 *
 * @internal The contract between the adapters; it may change in any release.
 * @param app The app.
 * @returns Its endpoint, or `undefined` when it has none.
 * @example
 * ```ts
 * import { rpcEndpointOf } from "./endpoint_of.ts";
 * import { Service } from "../core/service.ts";
 * rpcEndpointOf(new Service({ name: "demo" }))?.path; // "/api"
 * ```
 */
export function rpcEndpointOf(app: FetchApp): RpcEndpoint | undefined {
  if (typeof app.rpcEndpoint !== "function") return undefined;
  try {
    return app.rpcEndpoint();
  } catch {
    return undefined;
  }
}
