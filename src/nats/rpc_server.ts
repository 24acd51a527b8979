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
 * @param connection A connection of the official NATS client.
 * @param options The subject and queue group.
 * @returns The plugin.
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
  let host: PluginHost | undefined;
  let subscription: NatsSubscription | undefined;
  const running = new Set<Promise<void>>();
  const decoder = new TextDecoder("utf-8", { fatal: true });

  const answer = (target: DispatchTarget, service: PluginHost, maxBodyBytes: number, message: NatsMessage): void => {
    const reply = (text: string | undefined): void => {
      // A published message (no reply subject) is a notification as far as its sender is concerned.
      if (message.reply === undefined || message.reply === "") return;
      try {
        message.respond(text ?? "");
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

function invalid(message: string): string {
  return JSON.stringify(errorResponse(null, { code: ErrorCode.InvalidRequest, message }));
}
