/**
 * The events plugin: a service declares the events it emits and emits them from its handlers;
 * other services subscribe to them with handlers typed from the emitter's type.
 *
 * @module
 */

import type { Plugin, PluginHost } from "../core/plugin.ts";
import type { StandardResult } from "../core/standard_schema.ts";
import { inProcess } from "./in_process.ts";
import type { EventSubscription, EventTransport, SubscriptionRequest } from "./transport.ts";
import type { EVENT_TYPES, EventEnvelope, EventInfo, EventMap, EventsOf, PayloadIn, PayloadOut, SourceName } from "./types.ts";

/**
 * How the events of a subscription are shared among the instances of the subscribing service.
 *
 * - `"service-pool"` (the default): each event is handled once per subscribing service, by one of
 *   its instances, however many run.
 * - `"broadcast"`: every instance handles every event (to refresh a cache, say).
 *
 * @example
 * ```ts
 * import type { Delivery } from "./events.ts";
 * const delivery: Delivery = "broadcast";
 * ```
 */
export type Delivery = "service-pool" | "broadcast";

/**
 * Options of one subscription.
 *
 * @example
 * ```ts
 * import type { SubscribeOptions } from "./events.ts";
 * const everyInstance: SubscribeOptions = { delivery: "broadcast" };
 * const atLeastOnce: SubscribeOptions = { durable: true };
 * ```
 */
export interface SubscribeOptions {
  /** How the events are shared among this service's instances. Default `"service-pool"`. */
  readonly delivery?: Delivery | undefined;
  /**
   * At-least-once delivery (service-pool only): events emitted while every instance of this service
   * was down wait for one, and an event whose handler throws is delivered again. A handler may then
   * see an event twice (after a crash between its success and the acknowledgement): make it
   * idempotent, for example by remembering the ids it handled. NATS needs JetStream for it.
   * Default `false`: at most once, as NATS core delivers.
   */
  readonly durable?: boolean | undefined;
}

/**
 * A handler of one event.
 *
 * @typeParam Payload The payload it receives.
 * @example
 * ```ts
 * import type { EventHandler } from "./events.ts";
 * const onCreated: EventHandler<{ id: string }> = async (order, info) => {
 *   console.log(`order ${order.id} (${info.id}, attempt ${info.attempt})`);
 * };
 * ```
 */
export type EventHandler<Payload> = (payload: Payload, info: EventInfo) => void | Promise<void>;

/**
 * The events of one emitting service, to subscribe to (see {@linkcode Events.from}).
 *
 * @typeParam E The emitter's events.
 * @example
 * ```ts
 * import { events } from "./events.ts";
 * import { event } from "./types.ts";
 * const orderEvents = { "order.created": event<{ id: string }>() };
 * events().from<{ "~methods": { [k: symbol]: typeof orderEvents } }>("orders.service");
 * ```
 */
export interface EventSource<E> {
  /**
   * Subscribes to one of the emitter's events; the subscription starts with the service.
   *
   * @param name The event's name.
   * @param handler Called with each event's payload; what it throws is reported to the service's
   *   `onError` and does not stop the subscription.
   * @param options Delivery (`"service-pool"` or `"broadcast"`) and durability.
   * @returns This source, for more subscriptions.
   * @throws {TypeError} When the service has already started, or the options are contradictory.
   * @example
   * ```ts
   * import { events } from "./events.ts";
   * events().from("orders.service").on("order.created", (payload) => console.log(payload), { delivery: "broadcast" });
   * ```
   */
  on<K extends keyof E & string>(name: K, handler: EventHandler<PayloadOut<E[K]>>, options?: SubscribeOptions): EventSource<E>;
}

/**
 * Options of {@linkcode events}.
 *
 * @typeParam E The events the service emits.
 * @example
 * ```ts
 * import { event, type EventDeclaration, inProcess, type EventsOptions } from "./mod.ts";
 * const options: EventsOptions<{ "order.created": EventDeclaration<{ id: string }> }> = {
 *   transport: inProcess(),
 *   emits: { "order.created": event<{ id: string }>({ description: "An order was created" }) },
 * };
 * ```
 */
export interface EventsOptions<E extends EventMap> {
  /**
   * What carries the events: `natsTransport(connection)` from `tsmicroservice/nats`, or
   * `inProcess()`. Default: one in-process transport shared by the whole process.
   */
  readonly transport?: EventTransport | undefined;
  /** The events this service emits, made with `event()`: shown in `rpc.discover` under `x-events`. */
  readonly emits?: E | undefined;
}

/**
 * The events plugin of one service (see {@linkcode events}).
 *
 * @typeParam E The events the service emits.
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { event, type EventDeclaration, events, type Events } from "./mod.ts";
 * const orderEvents: Events<{ "order.created": EventDeclaration<{ id: string }> }> = events({
 *   emits: { "order.created": event<{ id: string }>() },
 * });
 * const service = new Service({ name: "orders.service" }).use(orderEvents);
 * ```
 */
export interface Events<E extends EventMap> extends Plugin<{ readonly [EVENT_TYPES]: E }> {
  /** What carries the events. */
  readonly transport: EventTransport;
  /**
   * Emits an event of this service: checks its payload with the event's schema (when it has
   * one), and resolves once the transport took it (with a durable subscriber on NATS JetStream:
   * once it is stored). Subscribers run later, each in its own service.
   *
   * @param name The event's name, one of `emits`.
   * @param payload Its payload (JSON).
   * @returns Once sent.
   * @throws {TypeError} When the plugin is not used by a service yet, the event is not declared,
   *   or the payload fails its schema.
   * @example
   * ```ts
   * import { Service } from "../core/service.ts";
   * import { event, events } from "./mod.ts";
   * const orderEvents = events({ emits: { "order.created": event<{ id: string }>() } });
   * const service = new Service({ name: "orders.service" })
   *   .use(orderEvents)
   *   .publicMethod("create_order", async (id: string) => {
   *     await orderEvents.emit("order.created", { id });
   *     return id;
   *   });
   * ```
   */
  emit<K extends keyof E & string>(name: K, payload: PayloadIn<E[K]>): Promise<void>;
  /**
   * The events of another service, to subscribe to, typed from its type: `typeof service` of the
   * emitter (its module can be imported as a type only).
   *
   * @typeParam S The emitting service's type (or its events plugin's type).
   * @param source The emitting service's name: with `typeof service` as `S`, the very name that
   *   service was made with (a typo is a type error).
   * @returns Its events, to subscribe to with `on`.
   * @throws {TypeError} When the name is empty, or holds whitespace or a NATS wildcard (`*`, `>`).
   * @example
   * ```ts
   * import { Service } from "../core/service.ts";
   * import { event, events } from "./mod.ts";
   * const orders = new Service({ name: "orders.service" }).use(events({ emits: { "order.created": event<{ id: string }>() } }));
   * const billingEvents = events();
   * billingEvents.from<typeof orders>("orders.service").on("order.created", (order) => console.log(order.id));
   * const billing = new Service({ name: "billing.service" }).use(billingEvents);
   * ```
   */
  from<S>(source: SourceName<S>): EventSource<EventsOf<S>>;
}

let shared: EventTransport | undefined;
const DONE: Promise<void> = Promise.resolve();

interface Wanted {
  readonly source: string;
  readonly event: string;
  readonly broadcast: boolean;
  readonly durable: boolean;
  readonly handler: EventHandler<unknown>;
}

/**
 * Makes the events plugin of a service: give it to `service.use()`, emit with `emit`, subscribe
 * with `from(...).on(...)`. Subscriptions start with the service and stop with it (after their
 * running handlers finish); by default each event is handled once per subscribing service (a
 * group named after it), whatever its instance count.
 *
 * @typeParam E The events the service emits.
 * @param options The transport, and the events the service emits.
 * @returns The plugin.
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { event, events, inProcess } from "./mod.ts";
 * const transport = inProcess();
 * const orderEvents = events({
 *   transport,
 *   emits: { "order.created": event<{ id: string; item: string }>({ description: "An order was created" }) },
 * });
 * const orders = new Service({ name: "orders.service" })
 *   .use(orderEvents)
 *   .publicMethod("create_order", async (item: string) => {
 *     const id = crypto.randomUUID();
 *     await orderEvents.emit("order.created", { id, item });
 *     return id;
 *   });
 *
 * let billed = 0;
 * const billingEvents = events({ transport });
 * billingEvents.from<typeof orders>("orders.service").on("order.created", () => {
 *   billed++;
 * });
 * const billing = new Service({ name: "billing.service" }).use(billingEvents);
 * await billing.startup();
 * await orders.handle({ jsonrpc: "2.0", method: "create_order", params: ["book"], id: 1 });
 * await billing.shutdown();
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a service that emits nothing
export function events<const E extends EventMap = {}>(options: EventsOptions<E> = {}): Events<E> {
  const transport = options.transport ?? (shared ??= inProcess());
  const emits: EventMap = options.emits ?? {};
  const wanted: Wanted[] = [];
  let host: PluginHost | undefined;
  let started: EventSubscription[] | undefined;

  const subscribeAll = async (service: PluginHost): Promise<void> => {
    const live: EventSubscription[] = [];
    started = live;
    try {
      for (const { source, event, broadcast, durable, handler } of wanted) {
        // Service-pool: the group is the subscribing service, whatever its instance count.
        const where = `event ${source} ${event}`;
        const request: SubscriptionRequest = {
          source,
          event,
          group: broadcast ? undefined : service.name,
          durable,
          report: (error) => {
            service.report(error, where);
          },
        };
        const failed = (error: unknown): never => {
          service.report(error, where);
          throw error;
        };
        live.push(await transport.subscribe(request, (envelope: EventEnvelope, attempt: number) => {
          const info: EventInfo = { id: envelope.id, event: envelope.event, source: envelope.source, time: envelope.time, attempt };
          // A sync handler that returns costs one settled promise, not an async function's chain.
          try {
            const result = handler(envelope.payload, info);
            return result instanceof Promise ? result.then(undefined, failed) : DONE;
          } catch (error) {
            service.report(error, where);
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what was thrown, as it was
        return Promise.reject(error);
          }
        }));
      }
    } catch (error) {
      // The start's failure is the one to tell; a failing cleanup must not hide it.
      await stopAll(live).catch(() => {});
      started = undefined;
      throw error;
    }
  };

  const plugin: Events<E> = {
    name: "events",
    transport,
    setup(service) {
      if (host !== undefined) throw new TypeError(`events(): this plugin is already used by ${host.name}; make one per service`);
      host = service;
    },
    emit(name, payload) {
      // Not async: without a schema, an emit costs no promise of its own beyond the transport's.
      try {
        if (host === undefined) throw new TypeError("events(): use() the plugin in a service before emitting");
        const service = host;
        const declaration = emits[name];
        if (declaration === undefined) throw new TypeError(`${service.name} declares no event ${name} (see the emits option)`);
        const send = (checked: unknown): Promise<void> => transport.publish({
          id: crypto.randomUUID(),
          event: name,
          source: service.name,
          time: new Date().toISOString(),
          payload: checked,
        });
        if (declaration.schema === undefined) return send(payload);
        const settle = (result: StandardResult<unknown>): Promise<void> => {
          if (result.issues !== undefined) {
            throw new TypeError(`The payload of ${name} fails its schema: ${result.issues.map((issue) => issue.message).join("; ")}`);
          }
          return send(result.value);
        };
        const result = declaration.schema["~standard"].validate(payload);
        return result instanceof Promise ? result.then(settle) : settle(result);
      } catch (error) {
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what was thrown, as it was
        return Promise.reject(error);
      }
    },
    from(source) {
      // A wildcard or blank would subscribe to other services' events, or to none, without a word.
      checkName("service", source);
      const from: EventSource<never> = {
        on(name, handler, options = {}) {
          if (started !== undefined) throw new TypeError("events(): subscribe before the service starts");
          checkName("event", name);
          // A string, not a Delivery: JavaScript callers may pass anything.
          const delivery: string = options.delivery ?? "service-pool";
          const broadcast = delivery === "broadcast";
          if (!broadcast && delivery !== "service-pool") throw new TypeError(`Unknown delivery ${delivery}`);
          const durable = options.durable === true;
          if (durable && broadcast) throw new TypeError("durable delivery is for service-pool subscriptions, not broadcast");
          wanted.push({ source, event: name, broadcast, durable, handler: handler as EventHandler<unknown> });
          return from;
        },
      };
      return from;
    },
    discover() {
      const names = Object.keys(emits);
      if (names.length === 0) return undefined;
      return { "x-events": names.map((name) => describeEvent(name, emits[name] ?? {})) };
    },
    async start(context) {
      await subscribeAll(host ?? context.service);
    },
    async stop() {
      const live = started ?? [];
      started = undefined;
      await stopAll(live);
    },
  };
  return plugin;
}

/** Refuses a service or event name that cannot name one source of events. */
function checkName(what: "service" | "event", name: unknown): void {
  if (typeof name !== "string" || name === "" || /[\s*>]/.test(name) || name.startsWith(".") || name.endsWith(".") || name.includes("..")) {
    throw new TypeError(`events(): ${JSON.stringify(name)} is not ${what === "event" ? "an event" : "a service"} name (no whitespace, wildcards or empty parts)`);
  }
}

/** Stops subscriptions, last first; every one is stopped, the first failure thrown. */
async function stopAll(live: EventSubscription[]): Promise<void> {
  let failure: { error: unknown } | undefined;
  for (const subscription of live.reverse()) {
    try {
      await subscription.stop();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure !== undefined) throw failure.error;
}

/** How `rpc.discover` shows one event: its name, description and payload's JSON Schema. */
function describeEvent(name: string, declaration: EventMap[string]): Record<string, unknown> {
  const described: Record<string, unknown> = { name };
  if (declaration.description !== undefined) described["description"] = declaration.description;
  const converter = declaration.schema?.["~standard"].jsonSchema;
  if (converter !== undefined) {
    for (const target of ["draft-07", "draft-2020-12"]) {
      try {
        const schema: unknown = converter.input({ target });
        if (typeof schema === "object" && schema !== null) {
          const rest: Record<string, unknown> = { ...schema };
          delete rest["$schema"];
          described["schema"] = rest;
          break;
        }
      } catch {
        // Not every schema can be written in every dialect: try the next one.
      }
    }
  }
  return described;
}
