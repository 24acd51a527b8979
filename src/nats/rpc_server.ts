/**
 * JSON-RPC over NATS, the service side: a plugin that answers requests on a subject of the
 * service, as a member of a queue group, so every instance takes a share and a stopped instance's
 * share moves to the others. Same dispatch as HTTP: tokens and the deadline in message headers,
 * the body limit, batches and notifications.
 *
 * @module
 */

import { DISPATCH_TARGET, type DispatchTarget, dispatchText } from "../core/dispatch.ts";
import type { Plugin, PluginHost } from "../core/plugin.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { errorResponse } from "../protocol/messages.ts";
import { headerReader, type NatsConnectionLike, type NatsMessage, type NatsSubscription } from "./connection.ts";
import { moreSince, reportLimiter } from "./report_limit.ts";

/**
 * Options of {@linkcode natsServer}.
 *
 * @example
 * ```ts
 * import type { NatsServerOptions } from "./rpc_server.ts";
 * const options: NatsServerOptions = { subject: "rpc.orders.v2", queue: "orders" };
 * ```
 */
export interface NatsServerOptions {
  /** The subject the service answers on. Default `rpc.<service name>` (see {@linkcode natsSubject}). */
  readonly subject?: string | undefined;
  /** The queue group its instances share. Default: the service's name. */
  readonly queue?: string | undefined;
  /**
   * The inbox prefix(es) of the callers: a reply is published only to a subject under one of
   * them. Default `"_INBOX"`, the official client's; give the same value as the clients'
   * `inboxPrefix` connection option when they set one.
   */
  readonly inboxPrefix?: string | readonly string[] | undefined;
}

/**
 * The subject a service answers on by default.
 *
 * @param serviceName The service's name.
 * @returns `rpc.<service name>`.
 * @example
 * ```ts
 * import { natsSubject } from "./rpc_server.ts";
 * natsSubject("orders.service"); // "rpc.orders.service"
 * ```
 */
export function natsSubject(serviceName: string): string {
  return `rpc.${serviceName}`;
}

/**
 * A plugin that serves the service's JSON-RPC methods on NATS, besides (or instead of) HTTP. It
 * subscribes when the service starts, and on stop takes no more requests and answers those it
 * took. A request's headers carry what HTTP headers carry: the API token (`X-Api-Token` or
 * `Authorization: Bearer`) and `X-Request-Timeout`. A body over the service's `maxBodyBytes`
 * answers an Invalid Request error. Call it with the client's `natsFetch`.
 *
 * Replies go only where a caller waits for one: a subject under the callers' inbox prefix
 * (`_INBOX.` by default), never a `$`-prefixed API subject such as `$JS.API.…` or any other
 * subject the message names. A message whose reply subject is not an inbox is not run; it is
 * reported to the service's `onError`: the first, then at most one every 10 s, which says how many
 * more there were (a peer cannot flood the log). A notification is never answered (a batch of
 * notifications neither).
 *
 * @param connection A connection of the official NATS client.
 * @param options The subject, queue group and the callers' inbox prefix.
 * @returns The plugin.
 * @throws {TypeError} When an inbox prefix is empty, has a wildcard or whitespace, or starts with `$`.
 * @example
 * ```ts
 * import { Service } from "../../mod.ts";
 * import { natsServer } from "./mod.ts";
 * import type { NatsConnectionLike } from "./mod.ts";
 * // import { connect } from "@nats-io/transport-node"; const connection = await connect({ servers: "127.0.0.1:4222" });
 * declare const connection: NatsConnectionLike;
 * const service = new Service({ name: "calculator" })
 *   .use(natsServer(connection))
 *   .publicMethod("add", (a: number, b: number) => a + b, { idempotent: true });
 * await service.startup(); // answers on rpc.calculator, queue group "calculator"
 * ```
 */
export function natsServer(connection: NatsConnectionLike, options: NatsServerOptions = {}): Plugin {
  const isInbox = inboxCheck(options.inboxPrefix ?? "_INBOX");
  let host: PluginHost | undefined;
  let subscription: NatsSubscription | undefined;
  const running = new Set<Promise<void>>();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  // Any peer allowed to publish on the subject can send refused messages at will: one report,
  // then at most one per 10 s that counts the others.
  const refused = reportLimiter();

  const answer = (target: DispatchTarget, service: PluginHost, maxBodyBytes: number, message: NatsMessage): void => {
    const to = message.reply;
    // A published message (no reply subject) is a notification as far as its sender is concerned.
    const wantsReply = to !== undefined && to !== "";
    if (wantsReply && !isInbox(to)) {
      // Publishing there would act with the service's own rights ($JS.API.STREAM.DELETE.…): not run at all.
      refused((more) => {
        service.report(new Error(`NATS request on ${message.subject} refused: its reply subject ${clip(to)} is not an inbox${moreSince(more)}`), `NATS request on ${message.subject}`);
      });
      return;
    }
    const reply = (text: string | undefined): void => {
      // Nothing to say (a notification, a batch of them) or nobody to say it to: no message at all.
      if (!wantsReply || text === undefined) return;
      try {
        message.respond(text);
      } catch (error) {
        service.report(error, `NATS reply on ${message.subject}`);
      }
    };
    if (message.data.length > maxBodyBytes) {
      reply(invalid(`Invalid Request: the request body exceeds ${maxBodyBytes} bytes`));
      return;
    }
    let text: string;
    try {
      text = decoder.decode(message.data);
    } catch {
      reply(JSON.stringify(errorResponse(null, { code: ErrorCode.ParseError, message: "Parse error: the body is not valid UTF-8" })));
      return;
    }
    let answered: string | undefined | Promise<string | undefined>;
    try {
      answered = dispatchText(target, text, { headers: headerReader(message.headers) });
    } catch (error) {
      service.report(error, `NATS request on ${message.subject}`);
      reply(JSON.stringify(errorResponse(null, { code: ErrorCode.InternalError, message: "Internal error" })));
      return;
    }
    if (!(answered instanceof Promise)) {
      reply(answered);
      return;
    }
    const done: Promise<void> = answered.then(reply, (error: unknown) => {
      service.report(error, `NATS request on ${message.subject}`);
      reply(JSON.stringify(errorResponse(null, { code: ErrorCode.InternalError, message: "Internal error" })));
    }).finally(() => running.delete(done));
    running.add(done);
  };

  return {
    name: "natsServer",
    setup(service) {
      host = service;
    },
    start(context) {
      const service = host ?? context.service;
      const source = service as PluginHost & { [DISPATCH_TARGET]?: () => DispatchTarget; limits?: { maxBodyBytes?: number } };
      const target = source[DISPATCH_TARGET]?.();
      if (target === undefined) throw new TypeError("natsServer() serves a Service: use it with service.use()");
      const maxBodyBytes = source.limits?.maxBodyBytes ?? Number.POSITIVE_INFINITY;
      subscription = connection.subscribe(options.subject ?? natsSubject(service.name), {
        queue: options.queue ?? service.name,
        callback: (error, message) => {
          if (error !== null) {
            service.report(error, "NATS subscription");
            return;
          }
          answer(target, service, maxBodyBytes, message);
        },
      });
    },
    async stop() {
      const current = subscription;
      subscription = undefined;
      if (current !== undefined) {
        try {
          await current.drain();
        } catch {
          // A closed connection has nothing left to drain.
        }
      }
      while (running.size > 0) await Promise.all(running);
    },
  };
}

/** Tells whether a reply subject lies under one of the inbox prefixes (and is a plain subject). */
function inboxCheck(prefixes: string | readonly string[]): (subject: string) => boolean {
  const list = typeof prefixes === "string" ? [prefixes] : [...prefixes];
  if (list.length === 0) throw new TypeError("natsServer: inboxPrefix names no prefix");
  for (const prefix of list) {
    if (!PLAIN_SUBJECT.test(prefix) || prefix.startsWith("$")) {
      throw new TypeError(`natsServer: the inbox prefix ${clip(prefix)} must be a subject without wildcards or whitespace, not starting with $`);
    }
  }
  const starts = list.map((prefix) => `${prefix}.`);
  return (subject) => PLAIN_SUBJECT.test(subject) && starts.some((start) => subject.startsWith(start) && subject.length > start.length);
}

// Tokens of printable ASCII without the wildcards, joined by single dots.
const PLAIN_SUBJECT = /^[!-)+-\-/-=?-~]+(?:\.[!-)+-\-/-=?-~]+)*$/;

/** A caller-chosen value cut to a size fit for a log line, quoted, anything but printable ASCII escaped. */
function clip(text: string): string {
  const shown = JSON.stringify(text.length > 64 ? text.slice(0, 64) : text).replace(/[^ -~]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return text.length > 64 ? `${shown}…` : shown;
}

function invalid(message: string): string {
  return JSON.stringify(errorResponse(null, { code: ErrorCode.InvalidRequest, message }));
}
