/**
 * The built-in introspection methods every service answers, so services and tools can find out
 * what a service offers:
 *
 * - `rpc.discover`, the OpenRPC convention: an OpenRPC 1.3.2 document generated from the registry.
 * - `get_service_specs`, the Python original's method (`name`, `host`, `port`, `methods` as name →
 *   description), so pymicroservice's clients work too. A service can turn it off, and a method the
 *   service registers under that name replaces it (registered methods are looked up first).
 *
 * Both list every registered method, public and private (a private one still needs a token to be
 * called); they do not list themselves.
 *
 * @module
 */

import type { CallContext } from "./context.ts";
import { defineMethod, type MethodDefinition } from "./method.ts";

/**
 * The OpenRPC specification version of the documents `rpc.discover` answers.
 *
 * @example
 * ```ts
 * import { OPENRPC_VERSION, openRpcDocument } from "./introspection.ts";
 * import { Service } from "../service.ts";
 * openRpcDocument(new Service({ name: "s" })).openrpc === OPENRPC_VERSION; // true
 * ```
 */
export const OPENRPC_VERSION = "1.3.2";

/**
 * A JSON Schema (draft 7, as OpenRPC uses it); `{}` and `true` accept any value.
 *
 * @example
 * ```ts
 * import type { JsonSchema } from "./introspection.ts";
 * const point: JsonSchema = { type: "object", properties: { x: { type: "number" }, y: { type: "number" } } };
 * ```
 */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

/**
 * An OpenRPC Content Descriptor: one parameter, or the result.
 *
 * @example
 * ```ts
 * import type { OpenRpcContentDescriptor } from "./introspection.ts";
 * const param: OpenRpcContentDescriptor = { name: "minuend", schema: { type: "number" }, required: true };
 * ```
 */
export interface OpenRpcContentDescriptor {
  /** The parameter's name (`#1`, `#2`… for a parameter the handler destructures). */
  readonly name: string;
  /** Its schema; `{}` (any value) until the method declares one. */
  readonly schema: JsonSchema;
  /** Whether a call must give it. */
  readonly required?: boolean;
  /** Extension: `true` on a rest parameter, which takes any number of trailing positional params. */
  readonly "x-rest"?: boolean;
}

/**
 * An OpenRPC Method Object, as this library describes a registered method.
 *
 * @example
 * ```ts
 * import { describeMethod, type OpenRpcMethod } from "./introspection.ts";
 * import { defineMethod } from "./method.ts";
 * const method: OpenRpcMethod = describeMethod(defineMethod("add", (a: number, b: number) => a + b, false, {}));
 * method.paramStructure; // "either"
 * ```
 */
export interface OpenRpcMethod {
  /** The method's name. */
  readonly name: string;
  /** The method's description, when it has one. */
  readonly description?: string;
  /** Its parameters, in order. */
  readonly params: readonly OpenRpcContentDescriptor[];
  /** Its result. */
  readonly result: OpenRpcContentDescriptor;
  /**
   * `"either"` when params may be positional or named, `"by-position"` when the parameter names
   * are unknown (a destructured parameter without the `params` option).
   */
  readonly paramStructure: "by-position" | "by-name" | "either";
  /** Extension: whether the method needs a valid API token. */
  readonly "x-private": boolean;
  /**
   * Extension, present (and `true`) only for a method registered with `{ idempotent: true }`: a
   * client may send a call of it again when it cannot know whether the first attempt ran.
   */
  readonly "x-idempotent"?: true;
}

/**
 * The OpenRPC document `rpc.discover` answers.
 *
 * @example
 * ```ts
 * import { connect } from "../../mod.ts";
 * import type { OpenRpcDocument } from "./introspection.ts";
 * const remote = await connect("http://127.0.0.1:5000/api");
 * const document = (await remote.call("rpc.discover")) as OpenRpcDocument;
 * document.methods.map((method) => method.name); // ["say_hello", "say_private_hello"]
 * ```
 */
export interface OpenRpcDocument {
  /** The OpenRPC specification version, {@linkcode OPENRPC_VERSION}. */
  readonly openrpc: string;
  /** The service's name (as `title`) and version. */
  readonly info: { readonly title: string; readonly version: string };
  /** The registered methods, in registration order. */
  readonly methods: readonly OpenRpcMethod[];
}

/**
 * What `get_service_specs` answers: the Python original's shape.
 *
 * @example
 * ```ts
 * import { serviceSpecs, type ServiceSpecs } from "./introspection.ts";
 * import { Service } from "../service.ts";
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
 * JSON Schemas for a method's params (in order) and result. A method registered with Standard
 * Schemas (`input`, `output`) has them filled from the schemas' JSON Schema; any schema left out is
 * described as `{}`.
 *
 * @example
 * ```ts
 * import type { MethodSchemas } from "./introspection.ts";
 * const schemas: MethodSchemas = { params: [{ type: "number" }, { type: "number" }], result: { type: "number" }, required: 2 };
 * ```
 */
export interface MethodSchemas {
  /** One schema per fixed parameter, in order. */
  readonly params?: readonly (JsonSchema | undefined)[];
  /** The schema of the rest parameter's items. */
  readonly rest?: JsonSchema;
  /** The result's schema. */
  readonly result?: JsonSchema;
  /** How many leading params are required, when a schema decides it instead of the parameter list. */
  readonly required?: number;
}

/**
 * A method definition that may carry schemas for its description (every definition may now).
 *
 * @example
 * ```ts
 * import { describeMethod, type DescribableMethod } from "./introspection.ts";
 * import { defineMethod } from "./method.ts";
 * const method: DescribableMethod = defineMethod("add", (a: number, b: number) => a + b, false, { description: "Adds." });
 * describeMethod(method).description; // "Adds."
 * ```
 */
export type DescribableMethod = MethodDefinition;

/**
 * What introspection needs to know of a service.
 *
 * @example
 * ```ts
 * import { openRpcDocument, type IntrospectionTarget } from "./introspection.ts";
 * import { Service } from "../service.ts";
 * const target: IntrospectionTarget = new Service({ name: "s", version: "1.0.0" });
 * openRpcDocument(target).info; // { title: "s", version: "1.0.0" }
 * ```
 */
export interface IntrospectionTarget {
  /** The service's name. */
  readonly name: string;
  /** The service's version. */
  readonly version: string;
  /**
   * Lists the registered methods.
   *
   * @returns The methods, in registration order (built-ins excluded).
   * @example
   * ```ts
   * import type { IntrospectionTarget } from "./introspection.ts";
   * import { Service } from "../service.ts";
   * const target: IntrospectionTarget = new Service({ name: "s" }).publicMethod("ping", () => "pong");
   * target.listMethods().map((method) => method.name); // ["ping"]
   * ```
   */
  listMethods(): readonly DescribableMethod[];
}

const ANY: JsonSchema = {};

/**
 * Describes one registered method as an OpenRPC Method Object.
 *
 * @param method The method's definition.
 * @returns Its description: params as Content Descriptors, result, `paramStructure` and
 *   `x-private`.
 * @example
 * ```ts
 * import { describeMethod } from "./introspection.ts";
 * import { defineMethod } from "./method.ts";
 * describeMethod(defineMethod("add", (a: number, b = 0) => a + b, false)).params;
 * // [{ name: "a", required: true, schema: {} }, { name: "b", required: false, schema: {} }]
 * ```
 */
export function describeMethod(method: DescribableMethod): OpenRpcMethod {
  const { names, required, rest, named } = method.params;
  const schemas = method.schemas ?? {};
  const requiredCount = schemas.required ?? required;
  const params: OpenRpcContentDescriptor[] = names.map((name, index) => ({
    name: name ?? `#${index + 1}`,
    required: index < requiredCount,
    schema: schemas.params?.[index] ?? ANY,
  }));
  if (rest !== undefined) params.push({ name: rest, required: false, schema: schemas.rest ?? ANY, "x-rest": true });
  return {
    name: method.name,
    ...(method.description === undefined ? {} : { description: method.description }),
    params,
    result: { name: "result", schema: schemas.result ?? ANY },
    paramStructure: named ? "either" : "by-position",
    "x-private": method.isPrivate,
    ...(method.idempotent === true ? { "x-idempotent": true as const } : {}),
  };
}

/**
 * Builds the OpenRPC document of a service: what `rpc.discover` answers.
 *
 * @param target The service.
 * @returns The document: `openrpc`, `info` (name as title, version) and every registered method.
 * @example
 * ```ts
 * import { openRpcDocument } from "./introspection.ts";
 * import { Service } from "../service.ts";
 * const service = new Service({ name: "calculator", version: "1.0.0" })
 *   .publicMethod("add", (a: number, b: number) => a + b);
 * openRpcDocument(service).info; // { title: "calculator", version: "1.0.0" }
 * ```
 */
export function openRpcDocument(target: IntrospectionTarget): OpenRpcDocument {
  return {
    openrpc: OPENRPC_VERSION,
    info: { title: target.name, version: target.version },
    methods: target.listMethods().map(describeMethod),
  };
}

/**
 * Builds what `get_service_specs` answers, in the Python original's shape.
 *
 * @param target The service.
 * @param hostHeader The `Host` header of the request, if any: the only honest source of the
 *   address the caller used (a service behind a proxy or listening on `0.0.0.0` cannot know it).
 * @returns The name, host, port and methods (name → description).
 * @example
 * ```ts
 * import { serviceSpecs } from "./introspection.ts";
 * import { Service } from "../service.ts";
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

/**
 * The built-in methods of a service, by name, for its `findMethod` to fall back on: `rpc.discover`
 * always, `get_service_specs` unless turned off. Both are public and take no params.
 *
 * @param target The service they describe (read at each call, so later registrations show).
 * @param withServiceSpecs Whether to include `get_service_specs`.
 * @returns The built-in method definitions.
 * @example
 * ```ts
 * import { builtinMethods } from "./introspection.ts";
 * import { Service } from "../service.ts";
 * builtinMethods(new Service({ name: "s" }), false).has("rpc.discover"); // true
 * ```
 */
export function builtinMethods(target: IntrospectionTarget, withServiceSpecs: boolean): ReadonlyMap<string, MethodDefinition> {
  const builtins = new Map<string, MethodDefinition>();
  const add = (name: string, description: string, handler: (ctx: CallContext) => unknown): void => {
    // `defineMethod` refuses the reserved `rpc.` prefix (rightly, for user code): define the method
    // under a placeholder name, then give it its real one.
    const definition = defineMethod("builtin", handler, false, { params: [], description, context: true });
    builtins.set(name, { ...definition, name });
  };
  add("rpc.discover", "Returns the OpenRPC document that describes this service.", () => openRpcDocument(target));
  if (withServiceSpecs) {
    add("get_service_specs", "Returns the service's name, address and methods (pymicroservice's shape).", (ctx) =>
      serviceSpecs(target, ctx.headers.get("host")));
  }
  return builtins;
}

/** Splits a `Host` header into host and port; anything that does not look like one gives nulls. */
function parseHost(header: string | null): { host: string | null; port: number | null } {
  const match = header === null ? null : /^(\[[\da-fA-F:.]+\]|[\w.-]+)(?::(\d{1,5}))?$/.exec(header);
  if (match === null) return { host: null, port: null };
  const host = (match[1] as string).replace(/^\[(.*)\]$/, "$1");
  return { host, port: match[2] === undefined ? null : Number(match[2]) };
}
