/**
 * A gateway: a service whose methods call another service through the client, the way
 * microservices compose. It fronts the hello-world service.
 *
 * Start the hello-world service (`npx tsx examples/hello_world.ts`), then this one with `npx tsx
 * examples/gateway.ts` (or `deno run -A`, or `bun`). It listens on $HOST:$PORT (default
 * 127.0.0.1:5001) and calls $SERVICE_URL (default http://127.0.0.1:5000/api).
 *
 * @module
 */

import { type CallContext, connect, createClient, RpcError, serve, Service, TransportError } from "../mod.ts";

/** The hello-world service's methods, as the gateway calls them. */
interface HelloWorld {
  say_hello(name: string): string;
  say_private_hello(name: string): string;
}

/** The application error code the gateway answers when the upstream service cannot be reached. */
const UPSTREAM_UNAVAILABLE = 503;

const upstreamUrl = process.env["SERVICE_URL"] ?? "http://127.0.0.1:5000/api";
// No discovery round trip at start: the gateway starts even while the upstream is still down.
const hello = createClient<HelloWorld>(upstreamUrl, {
  token: process.env["SERVICE_TOKEN"] ?? "hello_world_token",
  timeout: 5000,
});

/** Runs an upstream call; an unreachable upstream becomes a JSON-RPC error the caller can act on. */
async function upstream<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TransportError) {
      throw new RpcError(UPSTREAM_UNAVAILABLE, `Upstream unavailable (${error.kind})`, { url: error.url });
    }
    throw error; // The upstream's own RpcError passes through as it is.
  }
}

const gateway = new Service({ name: "hello.gateway.service" })
  .publicMethod(
    "greet",
    // The caller's abort signal goes upstream: when the caller leaves, the upstream call stops too.
    (name: string, ctx: CallContext) => upstream(() => hello.call("say_hello", [name], { signal: ctx.signal })),
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
