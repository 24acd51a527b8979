/**
 * Answering a Web `Request` to a service's JSON-RPC endpoint: from the method and headers alone if
 * they decide it, else from the body (size-limited, and within a deadline when given).
 *
 * Written for few promise turns (on Deno and Bun each costs a few percent of a call): no `async`,
 * a sync call answered in the turn its body arrives, a promise of its own only under a deadline.
 *
 * The deadline answers 408 to a client that trickles or stops its body, and closes the connection.
 * Only the Bun adapter uses it: Deno keeps reading (and dropping) what such a client still sends,
 * and Node.js has its own request timeout.
 *
 * @module
 */

import type { DeadlineWatch, Watched } from "./deadline_watch.ts";
import { type BodyReading, BodyTimeoutError, bodyText, readBodyBytes } from "./read_body.ts";
import type { PlainReply, RpcEndpoint } from "./rpc_endpoint.ts";
import { asError } from "../core/as_error.ts";

/**
 * Told of a call that did not answer at once, with the promise of its answer; returns the promise
 * to wait for. The Bun adapter uses it to keep a slow call's connection open.
 *
 * @internal The contract between the HTTP layer and the adapters; it may change in any release.
 * @example
 * ```ts
 * import type { CallRunning } from "./endpoint_request.ts";
 * const running: CallRunning = (answer) => answer.finally(() => console.log("answered"));
 * ```
 */
export type CallRunning = (answer: Promise<PlainReply>, request: Request) => Promise<PlainReply>;

/**
 * Answers a request to the endpoint's path as a service's `fetch` does, with `respond` making the
 * `Response` (so an adapter can make it the way its runtime sends fastest).
 *
 * @internal The contract between the HTTP layer and the adapters; it may change in any release.
 * @param endpoint The service's JSON-RPC endpoint.
 * @param request The incoming request, sent to the endpoint's path.
 * @param respond Makes the response of a plain answer, such as `toResponse`.
 * @param deadline How long the body may take to arrive (the endpoint's `bodyDeadline`, say), or
 *   `undefined` for as long as it takes.
 * @param running Told of each call that does not answer at once.
 * @returns The response, at once when no body is to be read, else a promise of it.
 * @example
 * ```ts
 * import { answerEndpointRequest } from "./endpoint_request.ts";
 * import { toResponse } from "./handler.ts";
 * import { endpointOf } from "./endpoint_of.ts";
 * import type { RpcEndpoint } from "./rpc_endpoint.ts";
 * import { Service } from "../core/service.ts";
 * const endpoint = endpointOf(new Service({ name: "demo" }).publicMethod("ping", () => "pong")) as RpcEndpoint;
 * const request = new Request("http://localhost/api", { method: "POST", body: '{"jsonrpc":"2.0","method":"ping","id":1}' });
 * await answerEndpointRequest(endpoint, request, toResponse, endpoint.bodyDeadline);
 * ```
 */
export function answerEndpointRequest(
  endpoint: RpcEndpoint,
  request: Request,
  respond: (reply: PlainReply) => Response,
  deadline: DeadlineWatch | undefined,
  running?: CallRunning,
): Response | Promise<Response> {
  const early = endpoint.answerHead(request.method, request.headers);
  if (early !== undefined) return respond(early);
  if (deadline !== undefined) return answerWithin(deadline, endpoint, request, respond, running);
  return readBodyBytes(request, endpoint.maxBodyBytes).then(
    (bytes) => answerBytes(endpoint, request, respond, running, bytes),
    (error: unknown) => respond(endpoint.answerUnreadBody(error, request.headers)),
  );
}

/** A body arriving after the 408 is dropped: its calls must not run, since the client was told 408. */
function answerWithin(
  deadline: DeadlineWatch,
  endpoint: RpcEndpoint,
  request: Request,
  respond: (reply: PlainReply) => Response,
  running: CallRunning | undefined,
): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    let expired = false;
    const answer = (make: () => Response | Promise<Response>): void => {
      try {
        resolve(make());
      } catch (error) {
        reject(asError(error));
      }
    };
    const reading: BodyReading = { reader: undefined };
    const wait: Watched = {
      expire() {
        expired = true;
        // A chunked read is cancelled; a whole-body read cannot be, and ends with the connection.
        reading.reader?.cancel().catch(() => {});
        answer(() => respond(endpoint.answerUnreadBody(new BodyTimeoutError(deadline.timeout), request.headers)));
      },
    };
    deadline.watch(wait);
    readBodyBytes(request, endpoint.maxBodyBytes, reading).then((bytes) => {
      if (expired) return;
      deadline.done(wait);
      answer(() => answerBytes(endpoint, request, respond, running, bytes));
    }, (error: unknown) => {
      if (expired) return;
      deadline.done(wait);
      answer(() => respond(endpoint.answerUnreadBody(error, request.headers)));
    });
  });
}

function answerBytes(
  endpoint: RpcEndpoint,
  request: Request,
  respond: (reply: PlainReply) => Response,
  running: CallRunning | undefined,
  bytes: Uint8Array,
): Response | Promise<Response> {
  let text: string;
  try {
    text = bodyText(bytes, endpoint.maxBodyBytes);
  } catch (error) {
    return respond(endpoint.answerUnreadBody(error, request.headers));
  }
  // `request.signal` is read only when a call asks: on Deno, reading it prints a warning.
  const reply = endpoint.answerBody(text, request, bytes.byteLength);
  if (!(reply instanceof Promise)) return respond(reply);
  return (running === undefined ? reply : running(reply, request)).then(respond);
}
