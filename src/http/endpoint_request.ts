/**
 * Answering a Web `Request` sent to a service's JSON-RPC endpoint: the endpoint's first answer from
 * the method and headers alone, else the body read (at most the endpoint's limit, and within a
 * deadline when one is given) and answered.
 *
 * It is written for as few promise turns as possible, because on Deno and Bun each one is a few
 * percent of a call: no `async` function, a sync call's answer made in the same turn as the body
 * arrives, and a promise of its own only when a deadline may have to answer first.
 *
 * The deadline is what keeps a client that trickles its body (or stops sending it) from holding
 * the service's buffers and handlers for ever: at its time, the request is answered 408 and the
 * connection closed after it. Bun then closes the connection; Deno keeps reading (and dropping)
 * what such a client still sends, so its adapter does without the deadline, and the Node.js
 * adapter leaves the cut to Node's own request timeout. One timer watches every body being read
 * (see {@linkcode DeadlineWatch}).
 *
 * @module
 */

import type { DeadlineWatch, Watched } from "./deadline_watch.ts";
import { type BodyReading, BodyTimeoutError, bodyText, readBodyBytes } from "./read_body.ts";
import type { PlainReply, RpcEndpoint } from "./rpc_endpoint.ts";
import { asError } from "../core/as_error.ts";

/**
 * Told of a call that did not answer at once (an async method, token check or schema), with the
 * promise of its answer; gives back the promise to wait for. The Bun adapter uses it to keep a
 * slow call's connection open.
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
 * Answers a request sent to the endpoint's path, as a service's `fetch` does, with the `Response`
 * of each plain answer made by `respond`: an adapter may make it the way its runtime sends fastest
 * (the Deno adapter does), as long as it is the same response.
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

/**
 * Reads the body and answers it, or answers 408 if it has not all arrived by the deadline. A body
 * that arrives after that is dropped: its calls never run, since the client was told 408.
 */
function answerWithin(
  deadline: DeadlineWatch,
  endpoint: RpcEndpoint,
  request: Request,
  respond: (reply: PlainReply) => Response,
  running: CallRunning | undefined,
): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    let expired = false;
    // Whatever goes wrong making the answer rejects it: the request never hangs.
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

/** The answer to a body that arrived: at once when every call is sync. */
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
  // The request is the context as it is: its `signal` is read only when a call asks for it (on Deno,
  // merely reading it switches the request to an older abort behaviour and prints a warning).
  const reply = endpoint.answerBody(text, request, bytes.byteLength);
  if (!(reply instanceof Promise)) return respond(reply);
  return (running === undefined ? reply : running(reply, request)).then(respond);
}
