/**
 * `pymicroservice()`: the Python original's introspection method, `get_service_specs` (`name`,
 * `host`, `port`, `methods` as name → description), so pymicroservice's clients (`RemoteService`)
 * can call a service written with this library.
 *
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { pymicroservice } from "./pymicroservice.ts";
 * const service = new Service({ name: "hello.world.service" })
 *   .use(pymicroservice())
 *   .publicMethod("say_hello", (name: string) => `hello ${name}`, { description: "Says hello." });
 * ```
 *
 * @module
 */

import type { CallContext } from "../core/context.ts";
import type { IntrospectionTarget } from "../core/introspection.ts";
import { defineMethod } from "../core/method.ts";
import type { Plugin } from "../core/plugin.ts";

/**
 * What `get_service_specs` answers: the Python original's shape.
 *
 * @example
 * ```ts
 * import { serviceSpecs, type ServiceSpecs } from "./pymicroservice.ts";
 * import { Service } from "../core/service.ts";
 * const service = new Service({ name: "s" }).publicMethod("ping", () => "pong", { description: "Answers pong." });
 * const specs: ServiceSpecs = serviceSpecs(service, "127.0.0.1:5000"); // the Host header
 * // { name: "s", host: "127.0.0.1", port: 5000, methods: { ping: "Answers pong." } }
 * ```
 */
export interface ServiceSpecs {
  /** The service's name. */
  readonly name: string;
  /** The host the caller reached the service at (from the `Host` header), or `null`. */
  readonly host: string | null;
  /** The port the caller reached the service at (from the `Host` header), or `null`. */
  readonly port: number | null;
  /** Every registered method's name → its description (`null` when it has none). */
  readonly methods: Readonly<Record<string, string | null>>;
}

/**
 * Adds `get_service_specs` to a service: public, no params, listing every registered method (public
 * and private) with its description, and the host and port from the caller's `Host` header.
 *
 * @returns The plugin.
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { pymicroservice } from "./pymicroservice.ts";
 * const service = new Service({ name: "hello" }).use(pymicroservice());
 * await service.handle({ jsonrpc: "2.0", method: "get_service_specs", id: 1 });
 * // { jsonrpc: "2.0", result: { name: "hello", host: null, port: null, methods: {} }, id: 1 }
 * ```
 */
export function pymicroservice(): Plugin<{ get_service_specs(): ServiceSpecs }> {
  return {
    name: "pymicroservice",
    setup(service) {
      service.addMethod(defineMethod("get_service_specs", (ctx: CallContext) => serviceSpecs(service, ctx.headers.get("host")), {
        params: [],
        context: true,
        idempotent: true,
        description: "Returns the service's name, address and methods (pymicroservice's shape).",
      }));
    },
  };
}

/**
 * Builds what `get_service_specs` answers, in the Python original's shape.
 *
 * @param target The service.
 * @param hostHeader The request's `Host` header, if any: the only honest source of the address the
 *   caller used (behind a proxy or on `0.0.0.0`, the service cannot know it).
 * @returns The name, host, port and methods (name → description).
 * @example
 * ```ts
 * import { serviceSpecs } from "./pymicroservice.ts";
 * import { Service } from "../core/service.ts";
 * const service = new Service({ name: "hello" }).publicMethod("hi", () => "hi", { description: "Says hi." });
 * serviceSpecs(service, "127.0.0.1:5000");
 * // { name: "hello", host: "127.0.0.1", port: 5000, methods: { hi: "Says hi." } }
 * ```
 */
export function serviceSpecs(target: IntrospectionTarget, hostHeader: string | null): ServiceSpecs {
  const methods: Record<string, string | null> = {};
  for (const method of target.listMethods()) methods[method.name] = method.description ?? null;
  return { name: target.name, ...parseHost(hostHeader), methods };
}

function parseHost(header: string | null): { host: string | null; port: number | null } {
  const match = header === null ? null : /^(\[[\da-fA-F:.]+\]|[\w.-]+)(?::(\d{1,5}))?$/.exec(header);
  if (match === null) return { host: null, port: null };
  const host = (match[1] as string).replace(/^\[(.*)\]$/, "$1");
  return { host, port: match[2] === undefined ? null : Number(match[2]) };
}
