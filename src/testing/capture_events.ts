/**
 * `captureEvents()`: a test's own subscription to one event of a service, to await the next one.
 *
 * @module
 */

import { events } from "../events/events.ts";
import type { EventTransport } from "../events/transport.ts";
import type { EventsOf, PayloadOut } from "../events/types.ts";
import { DEFAULT_WAIT_TIMEOUT } from "./wait_for.ts";

/**
 * Options of {@linkcode captureEvents}.
 *
 * @example
 * ```ts
 * import { inProcess } from "../events/mod.ts";
 * import type { CaptureOptions } from "./capture_events.ts";
 * const options: CaptureOptions = { transport: inProcess() };
 * ```
 */
export interface CaptureOptions {
  /**
   * The transport the events travel on: the one given to the emitter's `events({ transport })`.
   * Default: the in-process transport that `events()` uses when given none.
   */
  readonly transport?: EventTransport | undefined;
}

/**
 * The events captured by {@linkcode captureEvents}, in the order they came.
 *
 * @typeParam P The event's payload.
 * @example
 * ```ts
 * import { Service } from "../../mod.ts";
 * import { event, events } from "../events/mod.ts";
 * import { captureEvents, type CapturedEvents } from "./capture_events.ts";
 * const orders = new Service({ name: "orders.service" }).use(events({ emits: { "order.created": event<{ id: string }>() } }));
 * const created: CapturedEvents<{ id: string }> = await captureEvents(orders, "order.created");
 * await created.stop();
 * ```
 */
export interface CapturedEvents<P> {
  /** Every payload received so far, in order. */
  readonly received: readonly P[];
  /**
   * The next payload not yet taken by `next()`: one already received, or the next to come.
   *
   * @param options How long to wait, in ms (default 5,000).
   * @returns The payload.
   * @throws {Error} When none comes in time: the error names the event and its source.
   * @example
   * ```ts
   * import { Service } from "../../mod.ts";
   * import { event, events } from "../events/mod.ts";
   * import { captureEvents } from "./capture_events.ts";
   * const orderEvents = events({ emits: { "order.created": event<{ id: string }>() } });
   * const orders = new Service({ name: "orders.service" }).use(orderEvents);
   * const created = await captureEvents(orders, "order.created");
   * await orderEvents.emit("order.created", { id: "o-1" });
   * (await created.next({ timeout: 1_000 })).id; // "o-1"
   * await created.stop();
   * ```
   */
  next(options?: { readonly timeout?: number | undefined }): Promise<P>;
  /**
   * Ends the subscription. A `next()` still waiting rejects.
   *
   * @returns Once stopped.
   * @example
   * ```ts
   * import { captureEvents } from "./capture_events.ts";
   * const created = await captureEvents("orders.service", "order.created");
   * await created.stop();
   * ```
   */
  stop(): Promise<void>;
}

/**
 * Subscribes a test to one event of a service, typed from the emitter, and resolves once live:
 * what is emitted from then on is kept in order for `next()`. The subscription is a broadcast one
 * (no group), so the services under test still get every event.
 *
 * Give the emitting service, or its name with its type as a type argument:
 * `captureEvents<typeof orders, "order.created">("orders.service", "order.created")`.
 *
 * @typeParam S The emitting service's type.
 * @typeParam K The event's name.
 * @param source The emitting service, or its name.
 * @param event The event's name.
 * @param options The transport (default: the process's shared in-process one).
 * @returns The captured events, once the subscription is live; `stop()` it at the end of the test.
 * @example
 * ```ts
 * import { Service } from "../../mod.ts";
 * import { event, events } from "../events/mod.ts";
 * import { testClient } from "./test_client.ts";
 * import { captureEvents } from "./capture_events.ts";
 * const orderEvents = events({ emits: { "order.created": event<{ id: string; item: string }>() } });
 * const orders = new Service({ name: "orders.service" })
 *   .use(orderEvents)
 *   .publicMethod("create_order", async (item: string) => {
 *     const id = crypto.randomUUID();
 *     await orderEvents.emit("order.created", { id, item });
 *     return id;
 *   });
 * const created = await captureEvents(orders, "order.created");
 * const client = testClient(orders);
 * const id = await client.methods.create_order("book");
 * const order = await created.next(); // { id, item: "book" }, typed
 * console.log(order.id === id, order.item);
 * await created.stop();
 * await client.close();
 * ```
 */
export function captureEvents<S extends { readonly name: string }, K extends keyof EventsOf<S> & string>(
  source: S,
  event: K,
  options?: CaptureOptions,
): Promise<CapturedEvents<PayloadOut<EventsOf<S>[K]>>>;
/**
 * Subscribes a test to one event of a service named by a string (see the other overload).
 *
 * @typeParam S The emitting service's type, to type the payload; untyped when absent.
 * @typeParam K The event's name.
 * @param source The emitting service's name.
 * @param event The event's name.
 * @param options The transport.
 * @returns The captured events, once the subscription is live.
 * @example
 * ```ts
 * import { captureEvents } from "./capture_events.ts";
 * const created = await captureEvents("orders.service", "order.created");
 * await created.stop();
 * ```
 */
export function captureEvents<S = unknown, K extends keyof EventsOf<S> & string = keyof EventsOf<S> & string>(
  source: string,
  event: K,
  options?: CaptureOptions,
): Promise<CapturedEvents<PayloadOut<EventsOf<S>[K]>>>;
export async function captureEvents(source: string | { readonly name: string }, event: string, options: CaptureOptions = {}): Promise<CapturedEvents<unknown>> {
  const name = typeof source === "string" ? source : source.name;
  const transport = options.transport ?? events().transport;
  const received: unknown[] = [];
  let taken = 0;
  let stopped = false;
  const waiting = new Set<() => void>();
  const subscription = await transport.subscribe({ source: name, event, group: undefined, durable: false }, (envelope) => {
    received.push(envelope.payload);
    for (const wake of waiting) wake();
    return Promise.resolve();
  });
  return {
    received,
    next: ({ timeout = DEFAULT_WAIT_TIMEOUT } = {}) =>
      new Promise((resolve, reject) => {
        const wake = (): void => {
          if (taken < received.length) {
            done();
            resolve(received[taken++]);
          } else if (stopped) {
            done();
            reject(new Error(`captureEvents: stopped while waiting for ${event} from ${name}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out after ${timeout} ms waiting for the event ${event} from ${name} (${received.length} received, ${taken} taken by next())`));
        }, timeout);
        const done = (): void => {
          clearTimeout(timer);
          waiting.delete(wake);
        };
        waiting.add(wake);
        wake();
      }),
    stop: async () => {
      stopped = true;
      for (const wake of waiting) wake();
      await subscription.stop();
    },
  };
}
