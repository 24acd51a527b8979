/**
 * The OpenAPI 3.1 document of a service's methods: each a `POST {path}/{method}` whose JSON body is
 * its named params (an array of positional ones for a method whose names are unknown), whose 200
 * answer is its result, and whose other answers are its declared errors and the service's own.
 *
 * @module
 */

import { describeMethod, type OpenRpcContentDescriptor } from "../core/introspection.ts";
import type { JsonSchema } from "../core/method_schemas.ts";
import type { MethodDefinition } from "../core/method.ts";
import type { PluginHost } from "../core/plugin.ts";
import { dataJsonSchema, forOpenApi } from "./json_schema.ts";
import { APPLICATION_ERROR_STATUS } from "./status.ts";

/**
 * The OpenAPI version of the documents `openapi()` serves.
 *
 * @example
 * ```ts
 * import { OPENAPI_VERSION } from "./document.ts";
 * OPENAPI_VERSION; // "3.1.0"
 * ```
 */
export const OPENAPI_VERSION = "3.1.0";

/**
 * An OpenAPI document, as `openapi()` writes it (only the members it uses are typed).
 *
 * @example
 * ```ts
 * import type { OpenApiDocument } from "./document.ts";
 * const empty: OpenApiDocument = { openapi: "3.1.0", info: { title: "s", version: "0.0.0" }, paths: {}, components: {} };
 * ```
 */
export interface OpenApiDocument {
  /** {@linkcode OPENAPI_VERSION}. */
  readonly openapi: string;
  /** The service's name (as `title`), version and description. */
  readonly info: { readonly title: string; readonly version: string; readonly description?: string };
  /** One path per method, `{path}/{method}`, each with its `post` operation. */
  readonly paths: Readonly<Record<string, { readonly post: Readonly<Record<string, unknown>> }>>;
  /** The shared error schema, moved definitions, and the security schemes private methods use. */
  readonly components: Readonly<Record<string, unknown>>;
}

/**
 * The names of the security schemes in the document's `components`: a bearer token in
 * `Authorization`, or the API token in the service's token header. Either one will do.
 *
 * @example
 * ```ts
 * import { SECURITY_SCHEMES } from "./document.ts";
 * SECURITY_SCHEMES.bearer; // "bearerAuth"
 * ```
 */
export const SECURITY_SCHEMES = { bearer: "bearerAuth", apiToken: "apiToken" } as const;

/** The schema of any JSON-RPC error object, the body of every error answer. */
const RPC_ERROR_SCHEMA = {
  type: "object",
  description: "A JSON-RPC error object.",
  required: ["code", "message"],
  properties: { code: { type: "integer" }, message: { type: "string" }, data: {} },
};
const RPC_ERROR_REF = { $ref: "#/components/schemas/RpcError" };

/**
 * The path of a method's plain route: the service's path, a slash and the method's name (escaped as
 * a URL path segment).
 *
 * @param servicePath The service's JSON-RPC path, such as `/api`.
 * @param method The method's name.
 * @returns Such as `/api/get_order`.
 * @example
 * ```ts
 * import { routeOf } from "./document.ts";
 * routeOf("/api", "orders.get"); // "/api/orders.get"
 * ```
 */
export function routeOf(servicePath: string, method: string): string {
  return `${servicePath.endsWith("/") ? servicePath : `${servicePath}/`}${encodeURIComponent(method)}`;
}

/**
 * Builds the OpenAPI 3.1 document of a service's methods.
 *
 * @param service The service.
 * @param methods The methods to describe (those `openapi()` serves).
 * @returns The document.
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { openApiDocument } from "./document.ts";
 * const service = new Service({ name: "calculator" }).publicMethod("add", (a: number, b: number) => a + b);
 * Object.keys(openApiDocument(service, service.listMethods()).paths); // ["/api/add"]
 * ```
 */
export function openApiDocument(service: PluginHost, methods: readonly MethodDefinition[]): OpenApiDocument {
  const schemas: Record<string, unknown> = { RpcError: RPC_ERROR_SCHEMA };
  const paths: Record<string, { post: Record<string, unknown> }> = {};
  let secured = false;
  for (const method of methods) {
    const operation = operationOf(method, schemas);
    if (operation["security"] !== undefined) secured = true;
    paths[routeOf(service.path, method.name)] = { post: operation };
  }
  // A Service has a description; a PluginHost need not.
  const description = (service as { readonly description?: string | undefined }).description;
  const info = description === undefined
    ? { title: service.name, version: service.version }
    : { title: service.name, version: service.version, description };
  return {
    openapi: OPENAPI_VERSION,
    info,
    paths,
    components: {
      schemas,
      ...(secured
        ? {
          securitySchemes: {
            [SECURITY_SCHEMES.bearer]: { type: "http", scheme: "bearer", description: "A token the service accepts, as `Authorization: Bearer …`." },
            [SECURITY_SCHEMES.apiToken]: { type: "apiKey", in: "header", name: service.apiTokenHeader, description: "The service's API token." },
          },
        }
        : {}),
    },
  };
}

function operationOf(method: MethodDefinition, components: Record<string, unknown>): Record<string, unknown> {
  const described = describeMethod(method);
  const prefix = `${method.name}.`;
  const schema = (part: JsonSchema): JsonSchema => forOpenApi(part, prefix, components);
  // Scopes are a list (shown) or a predicate on the caller (which no document can show).
  const judged = method.scopes !== undefined;
  const scopes = Array.isArray(method.scopes) ? method.scopes as readonly string[] : [];
  const isPrivate = method.isPrivate || judged;
  const body = requestBody(described.params, described.paramStructure === "by-position", schema);
  const responses: Record<string, unknown> = {
    200: { description: "The method's result.", content: json(schema(described.result.schema)) },
  };
  // The service's own answers (400 always: bad params or body) and the declared errors, by status.
  const own = new Map<number, string>([[400, "Invalid params or body."]]);
  if (isPrivate) own.set(401, "Access denied: no valid token.");
  if (judged) own.set(403, scopes.length > 0 ? `Forbidden: the caller lacks a scope (${scopes.join(", ")}).` : "Forbidden: the method's check of the caller said no.");
  const declared = new Map<number, { readonly schema: unknown; readonly text: string }[]>();
  for (const [name, error] of Object.entries(method.errors ?? {})) {
    const status = error.status ?? APPLICATION_ERROR_STATUS;
    const data = error.data === undefined ? undefined : schema(dataJsonSchema(error.data));
    const entry = {
      type: "object",
      title: name,
      description: error.message,
      required: data === undefined ? ["code", "message"] : ["code", "message", "data"],
      properties: { code: { const: error.code }, message: { type: "string" }, ...(data === undefined ? {} : { data }) },
    };
    declared.set(status, [...declared.get(status) ?? [], { schema: entry, text: `${name} (${error.code}): ${error.message}` }]);
  }
  for (const status of [...new Set([...own.keys(), ...declared.keys()])].sort((a, b) => a - b)) {
    const entries = declared.get(status) ?? [];
    const ownText = own.get(status);
    const alternatives = [...entries.map((entry) => entry.schema), ...(ownText === undefined ? [] : [RPC_ERROR_REF])];
    responses[status] = {
      description: [...(ownText === undefined ? [] : [ownText]), ...entries.map((entry) => entry.text)].join(" "),
      content: json(alternatives.length === 1 ? alternatives[0] : { anyOf: alternatives }),
    };
  }
  responses["default"] = { description: "Any other JSON-RPC error (see the status table of docs/openapi.md).", content: json(RPC_ERROR_REF) };
  return {
    operationId: method.name,
    ...(method.description === undefined ? {} : { description: method.description }),
    ...(body === undefined ? {} : { requestBody: body }),
    responses,
    ...(isPrivate ? { security: [{ [SECURITY_SCHEMES.bearer]: [...scopes] }, { [SECURITY_SCHEMES.apiToken]: [...scopes] }] } : {}),
    ...(method.idempotent ? { "x-idempotent": true } : {}),
  };
}

/** The JSON body: an object of named params, or an array of positional ones; none without params. */
function requestBody(
  params: readonly OpenRpcContentDescriptor[],
  positional: boolean,
  schema: (part: JsonSchema) => JsonSchema,
): Record<string, unknown> | undefined {
  if (params.length === 0) return undefined;
  const required = params.filter((param) => param.required === true);
  let body: Record<string, unknown>;
  if (positional) {
    const fixed = params.filter((param) => param["x-rest"] !== true);
    const rest = params.find((param) => param["x-rest"] === true);
    body = {
      type: "array",
      description: "The params, by position (this method's parameter names are not known).",
      prefixItems: fixed.map((param) => schema(param.schema)),
      ...(rest === undefined ? { items: false } : { items: schema(rest.schema) }),
      minItems: required.length,
    };
  } else {
    const properties: Record<string, JsonSchema> = {};
    for (const param of params) {
      properties[param.name] = param["x-rest"] === true ? { type: "array", items: schema(param.schema) } : schema(param.schema);
    }
    body = { type: "object", properties, ...(required.length === 0 ? {} : { required: required.map((param) => param.name) }) };
  }
  return { required: required.length > 0, content: json(body) };
}

function json(schema: unknown): Record<string, unknown> {
  return { "application/json": { schema } };
}
