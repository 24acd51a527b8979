/**
 * The in-process transport: events between services of one process (and in tests), with the same
 * delivery rules as NATS: service-pool groups share each event among their members, broadcast
 * subscriptions each get it, and durable groups keep events while no member runs (up to a bound)
 * and deliver an event again when its handler failed (up to a bound, then to the dead letters).
 *
 * @module
 */

import type { Deliver, EventSubscription, EventTransport, SubscriptionRequest } from "./transport.ts";
import type { EventEnvelope } from "./types.ts";

/**
 * Options of {@linkcode inProcess}.
 *
 * @example
 * ```ts
 * import { inProcess, type InProcessOptions } from "./in_process.ts";
 * const options: InProcessOptions = { redeliveryDelay: 50, maxDeliveries: 3, maxBacklog: 1_000 };
 * const transport = inProcess(options);
 * ```
 */
export interface InProcessOptions {
  /** How long a durable group waits before it delivers a failed event again, in ms. Default `1000`. */
  readonly redeliveryDelay?: number | undefined;
  /**
   * How many times a durable group is handed an event, the first time included, before it gives
   * up on it: the event then goes to {@linkcode InProcessTransport.deadLetters} and the
   * subscribing service's `onError` is told. Default `5`; `Infinity` retries for ever.
   */
  readonly maxDeliveries?: number | undefined;
  /**
   * How many events a durable group keeps while none of its members runs. Default `10000`. An
   * `emit` that would go past it rejects with a `RangeError` and reaches no subscriber at all.
   */
  readonly maxBacklog?: number | undefined;
  /** How many given-up events are kept. Default `1000`; past it the oldest is dropped (and reported). */
  readonly maxDeadLetters?: number | undefined;
}

/**
 * An event a durable group gave up on.
 *
 * @example
 * ```ts
 * import type { DeadLetter } from "./in_process.ts";
 * const line = (letter: DeadLetter): string => `${letter.group}: ${letter.envelope.id} after ${letter.deliveries}: ${letter.reason}`;
 * ```
 */
export interface DeadLetter {
  /** The event. */
  readonly envelope: EventEnvelope;
  /** The group (the subscribing service) that gave up on it. */
  readonly group: string;
  /** How many times it was handed to the group. */
  readonly deliveries: number;
  /** Why: the last error's message, or a full backlog. */
  readonly reason: string;
}

/**
 * The in-process transport, with its dead letters.
 *
 * @example
 * ```ts
 * import { inProcess, type InProcessTransport } from "./in_process.ts";
 * const transport: InProcessTransport = inProcess();
 * transport.deadLetters(); // []
 * ```
 */
export interface InProcessTransport extends EventTransport {
  /**
   * The events durable groups gave up on, oldest first.
   *
   * @returns A copy of the list.
   * @example
   * ```ts
   * import { inProcess } from "./in_process.ts";
   * for (const letter of inProcess().deadLetters()) console.log(letter.group, letter.envelope.id, letter.reason);
   * ```
   */
  deadLetters(): DeadLetter[];
  /**
   * Hands dead letters to their group again (as a first delivery), and forgets them.
   *
   * @param options `group`: only those of this subscribing service.
   * @returns How many were handed back.
   * @example
   * ```ts
   * import { inProcess } from "./in_process.ts";
   * const transport = inProcess();
   * transport.replayDeadLetters({ group: "billing.service" }); // 0
   * ```
   */
  replayDeadLetters(options?: { readonly group?: string }): number;
}

interface Member {
  readonly deliver: Deliver;
  readonly running: Set<Promise<void>>;
  readonly report: ((error: Error) => void) | undefined;
  stopped: boolean;
}

interface Group {
  readonly name: string;
  readonly durable: boolean;
  readonly members: Member[];
  /** Events of a durable group waiting for a member, with their attempt count. */
  readonly backlog: { envelope: EventEnvelope; attempt: number }[];
  next: number;
}

/**
 * Makes an in-process transport: give the same one to every service of the process that emits or
 * subscribes. (`events()` without a transport uses one shared by the whole process.)
 *
 * @param options The redelivery delay and the bounds of durable groups.
 * @returns The transport.
 * @throws {TypeError} When `redeliveryDelay` is negative, or a bound is not a positive whole number.
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { events } from "./events.ts";
 * import { inProcess } from "./in_process.ts";
 * import { event } from "./types.ts";
 * const transport = inProcess();
 * const orderEvents = events({ transport, emits: { "order.created": event<{ id: string }>() } });
 * const orders = new Service({ name: "orders.service" }).use(orderEvents);
 * const billingEvents = events({ transport });
 * billingEvents.from<typeof orders>("orders.service").on("order.created", (order) => console.log("bill", order.id));
 * const billing = new Service({ name: "billing.service" }).use(billingEvents);
 * await billing.startup();
 * await orderEvents.emit("order.created", { id: "o-1" });
 * await billing.shutdown();
 * ```
 */
export function inProcess(options: InProcessOptions = {}): InProcessTransport {
  const redeliveryDelay = options.redeliveryDelay ?? 1_000;
  if (!(redeliveryDelay >= 0)) throw new TypeError("redeliveryDelay must be a number of ms, 0 or more");
  const maxDeliveries = bound("maxDeliveries", options.maxDeliveries, 5, true);
  const maxBacklog = bound("maxBacklog", options.maxBacklog, 10_000, false);
  const maxDeadLetters = bound("maxDeadLetters", options.maxDeadLetters, 1_000, false);
  const groups = new Map<string, Group>();
  const broadcast = new Map<string, Set<Member>>();
  const dead: DeadLetter[] = [];
  const keyOf = (source: string, event: string): string => `${source}\u0000${event}`;

  const run = (member: Member, envelope: EventEnvelope, attempt: number, onFailure: (error: unknown) => void): void => {
    const running: Promise<void> = Promise.resolve()
      .then(() => member.deliver(envelope, attempt))
      .catch(onFailure)
      .finally(() => member.running.delete(running));
    member.running.add(running);
  };

  const giveUp = (group: Group, envelope: EventEnvelope, deliveries: number, reason: string, report: Member["report"]): void => {
    dead.push({ envelope, group: group.name, deliveries, reason });
    report?.(new Error(`gave up on event ${envelope.source} ${envelope.event} ${envelope.id} after ${deliveries} deliveries (${reason}): kept in deadLetters()`));
    if (dead.length > maxDeadLetters) {
      const dropped = dead.shift() as DeadLetter;
      report?.(new Error(`dropped the dead letter ${dropped.envelope.id} of ${dropped.group}: more than ${maxDeadLetters} (maxDeadLetters)`));
    }
  };

  const toGroup = (group: Group, envelope: EventEnvelope, attempt: number, report?: Member["report"]): void => {
    const live = group.members;
    if (live.length === 0) {
      if (!group.durable) return;
      if (group.backlog.length < maxBacklog) group.backlog.push({ envelope, attempt });
      else giveUp(group, envelope, attempt - 1, `the backlog is full (maxBacklog ${maxBacklog})`, report);
      return;
    }
    const member = live[group.next++ % live.length] as Member;
    run(member, envelope, attempt, (error) => {
      // The handler already reported its failure; a durable group tries again later, a few times.
      if (!group.durable) return;
      if (attempt >= maxDeliveries) {
        giveUp(group, envelope, attempt, error instanceof Error ? error.message : String(error), member.report);
        return;
      }
      setTimeout(() => {
        toGroup(group, envelope, attempt + 1, member.report);
      }, redeliveryDelay);
    });
  };

  return {
    name: "in-process",
    publish(envelope) {
      const key = keyOf(envelope.source, envelope.event);
      const targets = [...groups].filter(([name]) => name.startsWith(`${key}\u0000`)).map(([, group]) => group);
      // All or none: a full backlog refuses the emit before any subscriber gets it.
      const full = targets.find((group) => group.durable && group.members.length === 0 && group.backlog.length >= maxBacklog);
      if (full !== undefined) {
        return Promise.reject(new RangeError(
          `in-process transport: the durable group ${full.name} keeps ${maxBacklog} events of ${envelope.source} ${envelope.event} already and none of its instances runs (maxBacklog)`,
        ));
      }
      for (const group of targets) toGroup(group, envelope, 1);
      for (const member of broadcast.get(key) ?? []) run(member, envelope, 1, () => {});
      return Promise.resolve();
    },
    subscribe(request: SubscriptionRequest, deliver: Deliver): Promise<EventSubscription> {
      if (request.durable && request.group === undefined) {
        return Promise.reject(new TypeError("durable delivery needs a group (service-pool), not broadcast"));
      }
      const member: Member = { deliver, running: new Set(), report: request.report, stopped: false };
      const key = keyOf(request.source, request.event);
      let leave: () => void;
      if (request.group === undefined) {
        const members = broadcast.get(key) ?? new Set<Member>();
        broadcast.set(key, members);
        members.add(member);
        leave = () => members.delete(member);
      } else {
        const name = `${key}\u0000${request.group}`;
        let group = groups.get(name);
        if (group === undefined) {
          group = { name: request.group, durable: request.durable, members: [], backlog: [], next: 0 };
          groups.set(name, group);
        }
        const joined = group;
        joined.members.push(member);
        for (const waiting of joined.backlog.splice(0)) toGroup(joined, waiting.envelope, waiting.attempt);
        leave = () => {
          joined.members.splice(joined.members.indexOf(member), 1);
          // A group with no member and nothing to keep is forgotten.
          if (joined.members.length === 0 && !joined.durable) groups.delete(name);
        };
      }
      return Promise.resolve({
        async stop() {
          if (member.stopped) return;
          member.stopped = true;
          leave();
          while (member.running.size > 0) await Promise.all(member.running);
        },
      });
    },
    deadLetters() {
      return [...dead];
    },
    replayDeadLetters(filter = {}) {
      let replayed = 0;
      for (const letter of [...dead]) {
        if (filter.group !== undefined && letter.group !== filter.group) continue;
        const group = groups.get(`${keyOf(letter.envelope.source, letter.envelope.event)}\u0000${letter.group}`);
        if (group === undefined) continue;
        dead.splice(dead.indexOf(letter), 1);
        toGroup(group, letter.envelope, 1);
        replayed++;
      }
      return replayed;
    },
  };
}

/** Reads a bound option: a whole number of at least 1 (or `Infinity` where allowed). */
function bound(name: string, value: number | undefined, fallback: number, infinite: boolean): number {
  if (value === undefined) return fallback;
  if ((infinite && value === Number.POSITIVE_INFINITY) || (Number.isSafeInteger(value) && value >= 1)) return value;
  throw new TypeError(`${name} must be a whole number of at least 1${infinite ? " (or Infinity)" : ""}, got ${String(value)}`);
}
