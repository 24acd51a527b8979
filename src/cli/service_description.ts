/**
 * What the command line knows of a service: its name, version and methods, learned from the
 * service itself with `rpc.discover` (OpenRPC), or with `get_service_specs` from a service that
 * has no OpenRPC discovery (the Python original), which names its methods but not their params.
 *
 * @module
 */

import type { Client } from "../client/client.ts";
import { RpcError } from "../protocol/errors.ts";

/**
 * One parameter of a method.
 *
 * @example
 * ```ts
 * import type { ParamDescription } from "./service_description.ts";
 * const param: ParamDescription = { name: "minuend", type: "number", required: true, rest: false };
 * ```
 */
export interface ParamDescription {
  /** Its name (`#1`… when the service does not know it). */
  readonly name: string;
  /** Its type, written from its JSON Schema (`any` when it has none). */
  readonly type: string;
  /** Whether a call must give it. */
  readonly required: boolean;
  /** Whether it is a rest parameter (any number of trailing positional params). */
  readonly rest: boolean;
}

/**
 * One method of a service.
 *
 * @example
 * ```ts
 * import type { MethodDescription } from "./service_description.ts";
 * const method: MethodDescription = {
 *   name: "add",
 *   description: "Adds two numbers.",
 *   params: [{ name: "a", type: "number", required: true, rest: false }, { name: "b", type: "number", required: true, rest: false }],
 *   result: "number",
 *   resultShape: "number",
 *   isPrivate: false,
 *   idempotent: true,
 * };
 * ```
 */
export interface MethodDescription {
  /** Its name. */
  readonly name: string;
  /** Its description, when it has one. */
  readonly description: string | undefined;
  /** Its params, or `undefined` when the service does not say (`get_service_specs`). */
  readonly params: readonly ParamDescription[] | undefined;
  /**
   * Its result's type, short (an object of more than four properties is `object`), or `undefined`
   * when the service does not say.
   */
  readonly result: string | undefined;
  /** Its result's type in full, every property of every object spelled out. */
  readonly resultShape: string | undefined;
  /** Whether it needs an API token, or `undefined` when the service does not say. */
  readonly isPrivate: boolean | undefined;
  /**
   * Whether a call may be sent twice without harm (OpenRPC extension `x-idempotent`), or
   * `undefined` when the service does not say (`get_service_specs`).
   */
  readonly idempotent: boolean | undefined;
  /** The scopes a caller needs (OpenRPC extension `x-scopes`), when the service lists some. */
  readonly scopes?: readonly string[] | undefined;
  /** The application errors it declares (OpenRPC's `errors`), when it declares some. */
  readonly errors?: readonly { readonly code: number; readonly message: string }[];
}

/**
 * One event a service emits (OpenRPC extension `x-events`, written by the events plugin).
 *
 * @example
 * ```ts
 * import type { EventDescription } from "./service_description.ts";
 * const event: EventDescription = { name: "order.created", payload: "{ id: string }", description: "An order was placed." };
 * ```
 */
export interface EventDescription {
  /** Its name. */
  readonly name: string;
  /** Its payload's type in full, or `undefined` when the service gives no schema for it. */
  readonly payload: string | undefined;
  /** Its description, when it has one. */
  readonly description: string | undefined;
}

/**
 * A service as it describes itself.
 *
 * @example
 * ```ts
 * import type { ServiceDescription } from "./service_description.ts";
 * const service: ServiceDescription = { name: "hello.world.service", version: "1.0.0", source: "rpc.discover", methods: [], events: [], document: {} };
 * ```
 */
export interface ServiceDescription {
  /** Its name. */
  readonly name: string;
  /** Its version, when it says. */
  readonly version: string | undefined;
  /** The method that described it. */
  readonly source: "rpc.discover" | "get_service_specs";
  /** Its methods, in the order it lists them. */
  readonly methods: readonly MethodDescription[];
  /** The events it emits, in the order it lists them (none when it does not say). */
  readonly events: readonly EventDescription[];
  /** What the service answered, as it came. */
  readonly document: unknown;
}

/**
 * The answer of a service that did not describe itself in a shape this command knows.
 *
 * @example
 * ```ts
 * import { DescriptionError } from "./service_description.ts";
 * new DescriptionError("rpc.discover answered a number").message; // "rpc.discover answered a number"
 * ```
 */
export class DescriptionError extends Error {
  /**
   * Makes the error.
   *
   * @param message What was wrong with the answer.
   * @example
   * ```ts
   * import { DescriptionError } from "./service_description.ts";
   * throw new DescriptionError("no methods in the answer");
   * ```
   */
  constructor(message: string) {
    super(message);
    this.name = "DescriptionError";
  }
}

const METHOD_NOT_FOUND = -32601;

/**
 * Asks a service to describe itself: `rpc.discover`, or `get_service_specs` when the service does
 * not know `rpc.discover`.
 *
 * @param client A client of the service's endpoint.
 * @returns The description.
 * @throws {RpcError} When the service refuses both methods.
 * @throws {TransportError} When no JSON-RPC answer came.
 * @throws {DescriptionError} When the answer is not a description.
 * @example
 * ```ts
 * import { createClient } from "../client/client.ts";
 * import { describeService } from "./service_description.ts";
 * const description = await describeService(createClient("http://127.0.0.1:5000/api"));
 * console.log(description.name, description.methods.map((method) => method.name));
 * ```
 */
export async function describeService(client: Client): Promise<ServiceDescription> {
  let document: unknown;
  try {
    document = await client.call("rpc.discover");
  } catch (error) {
    if (!(error instanceof RpcError) || error.code !== METHOD_NOT_FOUND) throw error;
    return fromServiceSpecs(await client.call("get_service_specs"));
  }
  return fromOpenRpc(document);
}

/**
 * Reads an OpenRPC document into a description.
 *
 * @param document What `rpc.discover` answered.
 * @returns The description.
 * @throws {DescriptionError} When it is not an OpenRPC document.
 * @example
 * ```ts
 * import { fromOpenRpc } from "./service_description.ts";
 * const description = fromOpenRpc({
 *   openrpc: "1.3.2",
 *   info: { title: "calculator", version: "1.0.0" },
 *   methods: [{ name: "add", params: [{ name: "a", schema: { type: "number" }, required: true }], result: { name: "result", schema: {} } }],
 * });
 * description.methods[0]?.params; // [{ name: "a", type: "number", required: true, rest: false }]
 * ```
 */
export function fromOpenRpc(document: unknown): ServiceDescription {
  const info = field(document, "info");
  const name = field(info, "title");
  const methods = field(document, "methods");
  if (typeof name !== "string" || !Array.isArray(methods)) {
    throw new DescriptionError("rpc.discover did not answer an OpenRPC document (info.title and methods)");
  }
  const version = field(info, "version");
  const events = field(document, "x-events");
  return {
    name,
    version: typeof version === "string" ? version : undefined,
    source: "rpc.discover",
    document,
    events: (Array.isArray(events) ? events : []).flatMap((event: unknown): EventDescription[] => {
      const eventName = field(event, "name");
      const description = field(event, "description");
      const schema = field(event, "schema");
      if (typeof eventName !== "string") return [];
      return [{
        name: eventName,
        payload: schema === undefined ? undefined : schemaType(schema, { full: true }),
        description: typeof description === "string" ? description : undefined,
      }];
    }),
    methods: methods.map((method: unknown): MethodDescription => {
      const methodName = field(method, "name");
      if (typeof methodName !== "string") throw new DescriptionError("rpc.discover listed a method without a name");
      const description = field(method, "description");
      const params = field(method, "params");
      const isPrivate = field(method, "x-private");
      const resultSchema = field(field(method, "result"), "schema");
      return {
        name: methodName,
        description: typeof description === "string" ? description : undefined,
        params: Array.isArray(params) ? params.map(paramOf) : undefined,
        result: schemaType(resultSchema),
        resultShape: schemaType(resultSchema, { full: true }),
        isPrivate: typeof isPrivate === "boolean" ? isPrivate : undefined,
        idempotent: field(method, "x-idempotent") === true,
        ...scopesOf(field(method, "x-scopes")),
        ...declaredErrors(field(method, "errors")),
      };
    }),
  };
}

/**
 * Reads what `get_service_specs` answered (the Python original's shape) into a description.
 *
 * @param specs The answer: `{ name, methods: { method name: description } }`.
 * @returns The description (without params, result types, private or idempotent marks, which it
 *   lacks).
 * @throws {DescriptionError} When it is not in that shape.
 * @example
 * ```ts
 * import { fromServiceSpecs } from "./service_description.ts";
 * fromServiceSpecs({ name: "hello", host: null, port: null, methods: { say_hello: null } }).methods[0]?.name; // "say_hello"
 * ```
 */
export function fromServiceSpecs(specs: unknown): ServiceDescription {
  const name = field(specs, "name");
  const methods = field(specs, "methods");
  if (typeof name !== "string" || typeof methods !== "object" || methods === null || Array.isArray(methods)) {
    throw new DescriptionError("get_service_specs did not answer a name and methods");
  }
  return {
    name,
    version: undefined,
    source: "get_service_specs",
    document: specs,
    events: [],
    methods: Object.entries(methods as Record<string, unknown>).map(([methodName, description]) => ({
      name: methodName,
      description: typeof description === "string" ? description : undefined,
      params: undefined,
      result: undefined,
      resultShape: undefined,
      isPrivate: undefined,
      idempotent: undefined,
    })),
  };
}

/** A method's declared errors, as `errors` when it lists any (entries without a code are left out). */
function declaredErrors(listed: unknown): Pick<MethodDescription, "errors"> {
  if (!Array.isArray(listed)) return {};
  const errors = listed.flatMap((error: unknown) => {
    const code = field(error, "code");
    const message = field(error, "message");
    return typeof code === "number" ? [{ code, message: typeof message === "string" ? message : "" }] : [];
  });
  return errors.length === 0 ? {} : { errors };
}

/**
 * How {@linkcode schemaType} writes a type.
 *
 * @example
 * ```ts
 * import type { SchemaTypeOptions } from "./service_description.ts";
 * const options: SchemaTypeOptions = { full: true };
 * ```
 */
export interface SchemaTypeOptions {
  /** Spell out every object's properties, however many (default: `object` past four). */
  readonly full?: boolean;
}

/**
 * Writes a JSON Schema as a short type, TypeScript-like: `string`, `number[]`, `"a" | "b"`,
 * `{ x: number }` for a small object (`object` for one of more than four properties, unless
 * `full`); `any` for a schema that accepts anything.
 *
 * @param schema The schema.
 * @param options `full: true` to spell out objects of any size.
 * @returns The type.
 * @example
 * ```ts
 * import { schemaType } from "./service_description.ts";
 * schemaType({ type: "array", items: { type: "integer" } }); // "integer[]"
 * schemaType({ type: ["string", "null"] }); // "string | null"
 * schemaType({ enum: ["asc", "desc"] }); // '"asc" | "desc"'
 * schemaType({}); // "any"
 * const five = { type: "object", properties: { a: {}, b: {}, c: {}, d: {}, e: {} } };
 * schemaType(five); // "object"
 * schemaType(five, { full: true }); // "{ a?: any; b?: any; c?: any; d?: any; e?: any }"
 * ```
 */
export function schemaType(schema: unknown, options: SchemaTypeOptions = {}): string {
  return typeOf(schema, options.full === true, 0);
}

// Deeper than this, a type is written `…`: a service's schema cannot make the command recurse
// without end.
const MAX_DEPTH = 8;

function typeOf(schema: unknown, full: boolean, depth: number): string {
  if (depth > MAX_DEPTH) return "…";
  const inner = (part: unknown): string => typeOf(part, full, depth + 1);
  if (schema === false) return "never";
  if (typeof schema !== "object" || schema === null) return "any";
  const s = schema as Record<string, unknown>;
  if (Object.hasOwn(s, "const")) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((value) => JSON.stringify(value)).join(" | ");
  for (const keyword of ["anyOf", "oneOf"]) {
    const choices = s[keyword];
    if (Array.isArray(choices)) return [...new Set(choices.map(inner))].join(" | ");
  }
  if (typeof s.$ref === "string") return s.$ref.split("/").pop() ?? s.$ref;
  const type = s.type;
  if (Array.isArray(type)) return (type as unknown[]).map((one) => inner({ ...s, type: one })).join(" | ");
  switch (type) {
    case "array": {
      if (Array.isArray(s.prefixItems)) return `[${s.prefixItems.map(inner).join(", ")}]`;
      const items = inner(s.items);
      return items.includes(" | ") ? `(${items})[]` : `${items}[]`;
    }
    case "object": {
      const properties = s.properties;
      if (typeof properties !== "object" || properties === null) return "object";
      const required = new Set<unknown>(Array.isArray(s.required) ? s.required : []);
      const entries = Object.entries(properties as Record<string, unknown>);
      if (entries.length === 0 || (entries.length > 4 && !full)) return "object";
      return `{ ${entries.map(([key, value]) => `${key}${required.has(key) ? "" : "?"}: ${inner(value)}`).join("; ")} }`;
    }
    case undefined:
      return "any";
    default:
      return String(type);
  }
}

function paramOf(descriptor: unknown, index: number): ParamDescription {
  const name = field(descriptor, "name");
  return {
    name: typeof name === "string" ? name : `#${index + 1}`,
    type: schemaType(field(descriptor, "schema")),
    required: field(descriptor, "required") === true,
    rest: field(descriptor, "x-rest") === true,
  };
}

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/** A method's `x-scopes` as `{ scopes }` when it is a list of strings; anything else says nothing (`{}`). */
function scopesOf(value: unknown): { scopes?: readonly string[] } {
  return Array.isArray(value) && value.length > 0 && value.every((scope) => typeof scope === "string") ? { scopes: value } : {};
}
