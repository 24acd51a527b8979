/**
 * The in-process transport: events between services of one process (and in tests), with the same
 * delivery rules as NATS: service-pool groups share each event among their members, broadcast
 * subscriptions each get it, and durable groups keep events while no member runs and deliver an
 * event again when its handler failed.
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
 * const options: InProcessOptions = { redeliveryDelay: 50 };
 * const transport = inProcess(options);
 * ```
 */
export interface InProcessOptions {
  /** How long a durable group waits before it delivers a failed event again, in ms. Default `1000`. */
  readonly redeliveryDelay?: number | undefined;
}

interface Member {
  readonly deliver: Deliver;
  readonly running: Set<Promise<void>>;
  stopped: boolean;
}

interface Group {
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
 * @param options The redelivery delay of durable groups.
 * @returns The transport.
 * @throws {TypeError} When `redeliveryDelay` is negative.
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
export function inProcess(options: InProcessOptions = {}): EventTransport {
  const redeliveryDelay = options.redeliveryDelay ?? 1_000;
  if (!(redeliveryDelay >= 0)) throw new TypeError("redeliveryDelay must be a number of ms, 0 or more");
  const groups = new Map<string, Group>();
  const broadcast = new Map<string, Set<Member>>();
  const keyOf = (source: string, event: string): string => `${source}\u0000${event}`;

  const run = (member: Member, envelope: EventEnvelope, attempt: number, onFailure: () => void): void => {
    const running: Promise<void> = Promise.resolve()
      .then(() => member.deliver(envelope, attempt))
      .catch(onFailure)
      .finally(() => member.running.delete(running));
    member.running.add(running);
  };

  const toGroup = (group: Group, envelope: EventEnvelope, attempt: number): void => {
    const live = group.members;
    if (live.length === 0) {
      if (group.durable) group.backlog.push({ envelope, attempt });
      return;
    }
    const member = live[group.next++ % live.length] as Member;
    run(member, envelope, attempt, () => {
      // The handler already reported its failure; a durable group tries again later.
      if (!group.durable) return;
      setTimeout(() => {
        toGroup(group, envelope, attempt + 1);
      }, redeliveryDelay);
    });
  };

  return {
    name: "in-process",
    publish(envelope) {
      const key = keyOf(envelope.source, envelope.event);
      for (const [name, group] of groups) if (name.startsWith(`${key}\u0000`)) toGroup(group, envelope, 1);
      for (const member of broadcast.get(key) ?? []) run(member, envelope, 1, () => {});
      return Promise.resolve();
    },
    subscribe(request: SubscriptionRequest, deliver: Deliver): Promise<EventSubscription> {
      if (request.durable && request.group === undefined) {
        return Promise.reject(new TypeError("durable delivery needs a group (service-pool), not broadcast"));
      }
      const member: Member = { deliver, running: new Set(), stopped: false };
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
          group = { durable: request.durable, members: [], backlog: [], next: 0 };
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
  };
}
