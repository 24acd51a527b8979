/**
 * A gateway: a service whose methods call another service through the client, the way
 * microservices compose. It fronts the hello-world service.
 *
 * Start the hello-world service (`npx tsx examples/hello_world.ts`), then this one with `npx tsx
 * examples/gateway.ts` (or `deno run -A`, or `bun`). It listens on $HOST:$PORT (default
 * 127.0.0.1:5001) and calls $SERVICE_URL (default http://127.0.0.1:5000/api).
 *
 * A caller's deadline (its `X-Request-Timeout`) travels on with `greet`'s upstream call, and a
 * caller's token with `whisper_as_caller`'s (with `jwt()` of `tsmicroservice/auth` on both sides,
 * the upstream sees the same `ctx.caller`: see docs/identity.md).
 *
 * Every call runs in the W3C trace its caller's `traceparent` names, and the upstream calls it
 * makes carry that trace on (the gateway's call is their parent), with no ids passed by hand: the
 * trace is kept in an `AsyncLocalStorage` scope (`tsmicroservice/async-context`). To record spans,
 * use `openTelemetry({ tracer, scope })` and `openTelemetryClient({ tracer, scope })` from
 * `tsmicroservice/opentelemetry` in place of `traceContext` and `propagateTrace`.
 *
 * @module
 */

import { type CallContext, connect, createClient, RpcError, serve, Service, TransportError } from "../mod.ts";
import { propagateTrace, traceContext } from "../src/plugins/trace_context.ts";
import { asyncTraceScope } from "../src/tracing/async_scope.ts";

/** The hello-world service's methods, as the gateway calls them. */
interface HelloWorld {
  say_hello(name: string): string;
  say_private_hello(name: string): string;
}

/** The application error code the gateway answers when the upstream service cannot be reached. */
const UPSTREAM_UNAVAILABLE = 503;

const upstreamUrl = process.env["SERVICE_URL"] ?? "http://127.0.0.1:5000/api";
/** Where each call's trace is kept while it runs, through every await. */
const scope = asyncTraceScope();
// No discovery round trip at start: the gateway starts even while the upstream is still down.
const hello = createClient<HelloWorld>(upstreamUrl, {
  token: process.env["SERVICE_TOKEN"] ?? "hello_world_token",
  timeout: 5000,
  // Upstream calls continue the trace of the call they are made in.
  observe: propagateTrace({ scope }),
});

/** Runs an upstream call; an unreachable upstream becomes a JSON-RPC error the caller can act on. */
async function upstream<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TransportError) {
      throw new RpcError(UPSTREAM_UNAVAILABLE, `Upstream unavailable (${error.kind})`, { url: error.url });
    }
    // The upstream's application errors pass through; its protocol-level ones (a wrong token's
    // -32001, say) become -32603 for our caller, who sent none of it.
    throw error;
  }
}

const gateway = new Service({ name: "hello.gateway.service" })
  .use(traceContext({ scope }))
  .publicMethod(
    "greet",
    // The caller's abort signal and deadline go upstream: when the caller leaves, or its time is up,
    // the upstream call stops too, and the upstream is told how long the first caller still waits.
    (name: string, ctx: CallContext) => upstream(() => hello.call("say_hello", [name], { signal: ctx.signal, deadline: ctx.deadline })),
    { context: true, description: "Greets one person through the hello-world service." },
  )
  .publicMethod(
    "greet_all",
    async (names: string[]) => {
      // One request upstream for all the names.
      const outcomes = await upstream(() => hello.batch((b) => names.map((name) => b.methods.say_hello(name))));
      return outcomes.map((outcome) => (outcome.ok ? outcome.value : null));
    },
    { description: "Greets everyone in one batch upstream." },
  )
  .publicMethod(
    "whisper",
    (name: string) => upstream(() => hello.methods.say_private_hello(name)),
    { description: "Calls the upstream's private method with the gateway's token." },
  )
  .publicMethod(
    "whisper_as_caller",
    // The caller's own token goes upstream (none when the caller sent none): the upstream decides
    // who may call it, as it would for a direct call; the gateway lends none of its rights.
    (name: string, ctx: CallContext) => upstream(() => hello.call("say_private_hello", [name], { token: ctx.token, signal: ctx.signal, deadline: ctx.deadline })),
    { context: true, description: "Calls the upstream's private method as the gateway's caller, with the caller's token." },
  )
  .publicMethod(
    "upstream",
    async () => {
      const remote = await upstream(() => connect(upstreamUrl));
      return { name: remote.name, methods: remote.methodNames };
    },
    { description: "What the upstream service says about itself." },
  );

const server = await serve(gateway, {
  hostname: process.env["HOST"] ?? "127.0.0.1",
  port: Number(process.env["PORT"] ?? 5001),
  signals: true, // Ctrl-C or SIGTERM: answer the calls in flight, then exit
});
console.log(`${gateway.name} serving at ${server.url}${gateway.path}, calling ${upstreamUrl}`);
