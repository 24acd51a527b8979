/**
 * `rpc.discover`, which every service answers: an OpenRPC 1.3.2 document of every registered
 * method, public and private (still token-guarded), but not itself. (The Python original's
 * `get_service_specs` is the `pymicroservice()` plugin.)
 *
 * @module
 */

import { defineMethod, type MethodDefinition } from "./method.ts";
import type { JsonSchema } from "./method_schemas.ts";

export type { JsonSchema, MethodSchemas } from "./method_schemas.ts";

/**
 * The OpenRPC specification version of the documents `rpc.discover` answers.
 *
 * @example
 * ```ts
 * import { OPENRPC_VERSION, openRpcDocument } from "./introspection.ts";
 * import { Service } from "./service.ts";
 * openRpcDocument(new Service({ name: "s" })).openrpc === OPENRPC_VERSION; // true
 * ```
 */
export const OPENRPC_VERSION = "1.3.2";

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
  /**
   * Its schema, from the method's `input`/`output` Standard Schema, else `{}` ("any value"): without
   * a schema a method does accept any JSON there, TypeScript's types being gone at run time.
   */
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
 * const method: OpenRpcMethod = describeMethod(defineMethod("add", (a: number, b: number) => a + b));
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
  /** `"by-position"` when the parameter names are unknown (destructured, no `params` option). */
  readonly paramStructure: "by-position" | "by-name" | "either";
  /** Extension: whether the method needs a valid API token. */
  readonly "x-private": boolean;
  /** Extension: present and `true` when a call may be sent twice without harm. */
  readonly "x-idempotent"?: true;
  /** Extension: the scopes a caller needs, when the method lists them (a predicate is not shown). */
  readonly "x-scopes"?: readonly string[];
  /** The application errors it declares (its `errors` option), in declaration order. */
  readonly errors?: readonly OpenRpcError[];
  /** Extensions added by plugins, such as `x-stream` for a streaming method. */
  readonly [extension: `x-${string}`]: unknown;
}

/**
 * An OpenRPC Error Object: one declared application error (OpenRPC allows no other members, so
 * the `data` schema and the name are the method's `errors` option's, read by `openapi()`).
 *
 * @example
 * ```ts
 * import type { OpenRpcError } from "./introspection.ts";
 * const notFound: OpenRpcError = { code: 1404, message: "No such order" };
 * ```
 */
export interface OpenRpcError {
  /** The error's code. */
  readonly code: number;
  /** Its message. */
  readonly message: string;
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
  /** The service's name (as `title`), version and description. */
  readonly info: { readonly title: string; readonly version: string; readonly description?: string };
  /** The registered methods, in registration order. */
  readonly methods: readonly OpenRpcMethod[];
  /** Extensions added by plugins (see `Plugin.discover`), such as `x-events`. */
  readonly [extension: `x-${string}`]: unknown;
}



/**
 * What introspection needs to know of a service.
 *
 * @example
 * ```ts
 * import { openRpcDocument, type IntrospectionTarget } from "./introspection.ts";
 * import { Service } from "./service.ts";
 * const target: IntrospectionTarget = new Service({ name: "s", version: "1.0.0" });
 * openRpcDocument(target).info; // { title: "s", version: "1.0.0" }
 * ```
 */
export interface IntrospectionTarget {
  /** The service's name. */
  readonly name: string;
  /** The service's version. */
  readonly version: string;
  /** The service's description, if any. */
  readonly description?: string | undefined;
  /**
   * Lists the registered methods.
   *
   * @returns The methods, in registration order (built-ins excluded).
   * @example
   * ```ts
   * import type { IntrospectionTarget } from "./introspection.ts";
   * import { Service } from "./service.ts";
   * const target: IntrospectionTarget = new Service({ name: "s" }).publicMethod("ping", () => "pong");
   * target.listMethods().map((method) => method.name); // ["ping"]
   * ```
   */
  listMethods(): readonly MethodDefinition[];
  /**
   * `x-` extension members to add to the document, such as the events plugin's `x-events`.
   *
   * @returns The members, or `undefined` for none.
   * @example
   * ```ts
   * import { openRpcDocument, type IntrospectionTarget } from "./introspection.ts";
   * const target: IntrospectionTarget = { name: "s", version: "1.0.0", listMethods: () => [], extensions: () => ({ "x-owner": "team a" }) };
   * openRpcDocument(target)["x-owner"]; // "team a"
   * ```
   */
  extensions?(): Readonly<Record<`x-${string}`, unknown>> | undefined;
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
 * describeMethod(defineMethod("add", (a: number, b = 0) => a + b)).params;
 * // [{ name: "a", required: true, schema: {} }, { name: "b", required: false, schema: {} }]
 * ```
 */
export function describeMethod(method: MethodDefinition): OpenRpcMethod {
  const { names, required, rest, named } = method.params;
  const schemas = method.schemas ?? {};
  const requiredCount = schemas.required ?? required;
  const params: OpenRpcContentDescriptor[] = names.map((name, index) => ({
    name: name ?? `#${index + 1}`,
    required: typeof requiredCount === "number" ? index < requiredCount : requiredCount.includes(name as string),
    schema: schemas.params?.[index] ?? ANY,
  }));
  if (rest !== undefined) params.push({ name: rest, required: false, schema: schemas.rest ?? ANY, "x-rest": true });
  return {
    name: method.name,
    ...(method.description !== undefined && { description: method.description }),
    params,
    result: { name: "result", schema: schemas.result ?? ANY },
    paramStructure: named ? "either" : "by-position",
    "x-private": method.isPrivate,
    ...(method.idempotent && { "x-idempotent": true }),
    ...(Array.isArray(method.scopes) && { "x-scopes": method.scopes }),
    ...(method.errors && { errors: Object.values(method.errors).map(({ code, message }) => ({ code, message })) }),
    ...method.extensions,
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
 * import { Service } from "./service.ts";
 * const service = new Service({ name: "calculator", version: "1.0.0" })
 *   .publicMethod("add", (a: number, b: number) => a + b);
 * openRpcDocument(service).info; // { title: "calculator", version: "1.0.0" }
 * ```
 */
export function openRpcDocument(target: IntrospectionTarget): OpenRpcDocument {
  const document: Record<string, unknown> = {
    openrpc: OPENRPC_VERSION,
    info: { title: target.name, version: target.version, ...(target.description !== undefined && { description: target.description }) },
    methods: target.listMethods().map(describeMethod),
  };
  // Only `x-` keys: a plugin cannot replace the document's own members.
  for (const [key, value] of Object.entries(target.extensions?.() ?? {})) if (key.startsWith("x-")) document[key] = value;
  return document as unknown as OpenRpcDocument;
}

/**
 * The built-in `rpc.discover` method: public, no params, answering the service's OpenRPC document
 * (made at each call, so later registrations show).
 *
 * @param target The service it describes.
 * @returns Its definition.
 * @example
 * ```ts
 * import { discoverMethod } from "./introspection.ts";
 * import { Service } from "./service.ts";
 * discoverMethod(new Service({ name: "s" })).name; // "rpc.discover"
 * ```
 */
export function discoverMethod(target: IntrospectionTarget): MethodDefinition {
  // defineMethod refuses the reserved `rpc.` prefix (rightly, for user code): renamed after.
  // No description: the document lists the registered methods only, so nothing would show one.
  const definition = defineMethod("discover", () => openRpcDocument(target), { params: [], idempotent: true });
  return { ...definition, name: "rpc.discover" };
}
