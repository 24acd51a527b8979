/**
 * The types of events: how a service declares the events it emits, what travels for each one (the
 * envelope), and how a subscriber reads an emitter's events from its type.
 *
 * @module
 */

import type { InferInput, InferOutput, StandardSchemaV1 } from "../core/standard_schema.ts";

/**
 * The key under which a service's type carries the events it emits (type only: never set at run
 * time). A symbol, so the typed client, which maps only string keys, never sees it.
 *
 * @example
 * ```ts
 * import { EVENT_TYPES } from "./types.ts";
 * typeof EVENT_TYPES; // "symbol"
 * ```
 */
export const EVENT_TYPES: unique symbol = Symbol.for("tsmicroservice.eventTypes");

/**
 * One event a service emits: its description, and optionally a Standard Schema that checks each
 * payload when it is emitted. Make one with {@linkcode event}.
 *
 * @typeParam Input What `emit` takes.
 * @typeParam Output What subscribers receive (the schema's output; the same as `Input` without one).
 * @example
 * ```ts
 * import { event, type EventDeclaration } from "./types.ts";
 * const created: EventDeclaration<{ id: string }> = event<{ id: string }>({ description: "An order was created" });
 * ```
 */
export interface EventDeclaration<Input = unknown, Output = Input> {
  /** A sentence about when the event is emitted, shown in `rpc.discover`. */
  readonly description?: string | undefined;
  /** Checks each payload as it is emitted; its JSON Schema (when it has one) is shown in `rpc.discover`. */
  readonly schema?: StandardSchemaV1<Input, Output> | undefined;
  /** Type only: the payload `emit` takes and subscribers receive. Never set at run time. */
  readonly "~payload"?: { readonly input: Input; readonly output: Output };
}

/**
 * The events a service emits, by name.
 *
 * @example
 * ```ts
 * import { event, type EventMap } from "./types.ts";
 * const emits = { "order.created": event<{ id: string }>() } satisfies EventMap;
 * ```
 */
export type EventMap = Readonly<Record<string, EventDeclaration<unknown, unknown>>>;

/**
 * Declares an event: with a type argument for its payload, or with a Standard Schema (zod,
 * valibot, arktype…) whose types it takes.
 *
 * @param options A description, and optionally a schema.
 * @returns The declaration.
 * @example
 * ```ts
 * import { event } from "./types.ts";
 * const emits = {
 *   "order.created": event<{ id: string; item: string; quantity: number }>({ description: "An order was created" }),
 *   "order.cancelled": event<{ id: string }>(),
 * };
 * ```
 */
export function event<Payload = unknown>(options?: { readonly description?: string }): EventDeclaration<Payload>;
/**
 * Declares an event whose payload a Standard Schema checks as it is emitted.
 *
 * @param options The schema, and a description.
 * @returns The declaration, typed by the schema.
 * @example
 * ```ts
 * import { event } from "./types.ts";
 * import type { StandardSchemaV1 } from "../core/standard_schema.ts";
 * declare const orderSchema: StandardSchemaV1<{ id: string }>;
 * const created = event({ schema: orderSchema, description: "An order was created" });
 * ```
 */
export function event<S extends StandardSchemaV1>(
  options: { readonly schema: S; readonly description?: string },
): EventDeclaration<InferInput<S>, InferOutput<S>>;
export function event(options: { readonly schema?: StandardSchemaV1; readonly description?: string } = {}): EventDeclaration {
  return { description: options.description, schema: options.schema };
}

/**
 * What travels for each event: a small envelope around the payload, as JSON.
 *
 * @example
 * ```ts
 * import type { EventEnvelope } from "./types.ts";
 * const envelope: EventEnvelope = {
 *   id: crypto.randomUUID(),
 *   event: "order.created",
 *   source: "orders.service",
 *   time: new Date().toISOString(),
 *   payload: { id: "o-1" },
 * };
 * ```
 */
export interface EventEnvelope {
  /** A unique id: handlers that may see an event twice (durable mode) can skip it by its id. */
  readonly id: string;
  /** The event's name, such as `"order.created"`. */
  readonly event: string;
  /** The name of the service that emitted it. */
  readonly source: string;
  /** When it was emitted, as an ISO 8601 string. */
  readonly time: string;
  /** The payload (JSON). */
  readonly payload: unknown;
}

/**
 * What a handler is told about the event beside its payload.
 *
 * @example
 * ```ts
 * import type { EventInfo } from "./types.ts";
 * const line = (info: EventInfo): string => `${info.source}/${info.event} ${info.id} attempt ${info.attempt}`;
 * ```
 */
export interface EventInfo {
  /** The event's id. */
  readonly id: string;
  /** The event's name. */
  readonly event: string;
  /** The emitting service's name. */
  readonly source: string;
  /** When it was emitted (ISO 8601). */
  readonly time: string;
  /** 1 on the first delivery; more when a durable event is delivered again after a failure. */
  readonly attempt: number;
}

/**
 * The events an emitter declares, read from its type: `typeof service` (a service that uses the
 * events plugin with `emits`), or the plugin's own type.
 *
 * @typeParam S The emitting service's type, or its events plugin's type.
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { events } from "./events.ts";
 * import { event, type EventsOf } from "./types.ts";
 * const orders = new Service({ name: "orders.service" })
 *   .use(events({ emits: { "order.created": event<{ id: string }>() } }));
 * type OrderEvents = EventsOf<typeof orders>; // { "order.created": EventDeclaration<{ id: string }> }
 * ```
 */
export type EventsOf<S> = S extends { readonly "~methods"?: infer M }
  ? (NonNullable<M> extends { readonly [EVENT_TYPES]: infer E } ? E : Readonly<Record<string, EventDeclaration>>)
  : Readonly<Record<string, EventDeclaration>>;

/**
 * The name an emitter must be subscribed by, read from its type: the literal name of a service
 * made with `new Service({ name: "orders.service" })`, so a typo in `from<typeof orders>("…")`
 * is a type error; `string` when the type does not tell (a plugin's type, a name not written as
 * a literal).
 *
 * @typeParam S The emitting service's type, or its events plugin's type.
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import type { SourceName } from "./types.ts";
 * const orders = new Service({ name: "orders.service" });
 * const name: SourceName<typeof orders> = "orders.service"; // "orders.servce" would not compile
 * ```
 */
export type SourceName<S> = S extends { readonly "~methods": unknown; readonly name: infer N extends string } ? (string extends N ? string : N) : string;

/**
 * What `emit` takes for an event.
 *
 * @typeParam D The event's declaration.
 * @example
 * ```ts
 * import { event, type PayloadIn } from "./types.ts";
 * const created = event<{ id: string }>();
 * const payload: PayloadIn<typeof created> = { id: "o-1" };
 * ```
 */
export type PayloadIn<D> = D extends { readonly "~payload"?: { readonly input: infer I } } ? I : unknown;

/**
 * What a subscriber's handler receives for an event.
 *
 * @typeParam D The event's declaration.
 * @example
 * ```ts
 * import { event, type PayloadOut } from "./types.ts";
 * const created = event<{ id: string }>();
 * const read = (payload: PayloadOut<typeof created>): string => payload.id;
 * ```
 */
export type PayloadOut<D> = D extends { readonly "~payload"?: { readonly output: infer O } } ? O : unknown;
