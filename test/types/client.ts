// Type tests of the typed client, checked by `npx tsc --noEmit -p .` (never run). Each
// `@ts-expect-error` line must fail to compile: wrong arguments, unknown methods, wrong result use.
/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unnecessary-type-parameters --
   the @ts-expect-error lines call what does not exist on purpose, and the checks live in type arguments */
import {
  type CallContext,
  type Client,
  connect,
  type ConnectedClient,
  createClient,
  type RemoteStream,
  type Settled,
  Service,
} from "../../mod.ts";

/** True when two types are the same. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when given `true`. */
function expectTrue<T extends true>(): T | undefined {
  return undefined;
}

export const service = new Service({ name: "typed" })
  .publicMethod("add", (a: number, b: number) => a + b)
  .publicMethod("greet", (name: string, polite = false) => Promise.resolve(polite ? `good day ${name}` : `hi ${name}`), {
    params: ["name", "polite?"], // optional for callers only where declared (TypeScript erases `?`)
  })
  .publicMethod("nothing", () => undefined)
  .publicMethod("who", (ctx: CallContext) => ctx.method, { context: true })
  .privateMethod("secret", (key: string) => ({ key, value: 1 }));

/** The client types, with nothing generated or written by hand. */
export async function typedClient(): Promise<void> {
  const remote = await connect<typeof service>("http://127.0.0.1:5000/api");
  expectTrue<Equal<typeof remote, ConnectedClient<(typeof service)["~methods"]>>>();
  expectTrue<Equal<typeof remote.name, string>>();
  expectTrue<Equal<typeof remote.methodNames, readonly string[]>>();

  // Results: the handler's return type, unwrapped from a promise.
  expectTrue<Equal<Awaited<ReturnType<typeof remote.methods.add>>, number>>();
  expectTrue<Equal<Awaited<ReturnType<typeof remote.methods.greet>>, string>>();
  expectTrue<Equal<Awaited<ReturnType<typeof remote.methods.secret>>, { key: string; value: number }>>();
  expectTrue<Equal<Awaited<ReturnType<typeof remote.notifications.add>>, void>>();
  expectTrue<Equal<Awaited<ReturnType<typeof remote.call<"add">>>, number>>();

  await remote.methods.add(1, 2);
  await remote.methods.greet("ann");
  await remote.methods.greet("ann", true);
  await remote.methods.nothing();
  // The context parameter is the service's, not the caller's.
  await remote.methods.who();
  await remote.notifications.greet("bob");
  await remote.call("add", [1, 2]);
  await remote.call("add", { a: 1, b: 2 });
  await remote.notify("greet", ["x"]);

  // @ts-expect-error -- a string where a number goes
  await remote.methods.add(1, "2");
  // @ts-expect-error -- a missing argument
  await remote.methods.add(1);
  // @ts-expect-error -- one argument too many
  await remote.methods.greet("ann", true, 3);
  // @ts-expect-error -- the context is never sent by callers
  await remote.methods.who({} as CallContext);
  // @ts-expect-error -- a method the service does not have
  await remote.methods.subtract(1, 2);
  // @ts-expect-error -- nor as a notification
  await remote.notifications.subtract(1, 2);
  // @ts-expect-error -- nor through call
  await remote.call("subtract", [1, 2]);
  // @ts-expect-error -- nor through notify
  await remote.notify("subtract");
  // @ts-expect-error -- positional params of the wrong types
  await remote.call("add", ["1", 2]);
  // @ts-expect-error -- params must be an array or an object
  await remote.call("add", 1);
  // @ts-expect-error -- the result is a number, not a string
  const wrong: string = await remote.methods.add(1, 2);

  // Batches: each outcome typed by its entry, `undefined` for a notification.
  const outcomes = await remote.batch((b) => [b.methods.add(1, 2), b.notifications.greet("x"), b.call("greet", ["y"])]);
  expectTrue<Equal<typeof outcomes, [Settled<number>, undefined, Settled<string>]>>();
  const [sum] = outcomes;
  if (sum.ok) expectTrue<Equal<typeof sum.value, number>>();
  // @ts-expect-error -- a method the service does not have, in a batch
  await remote.batch((b) => [b.methods.subtract(1, 2)]);
  // @ts-expect-error -- wrong arguments in a batch
  await remote.batch((b) => [b.methods.add("1", 2)]);
  // @ts-expect-error -- a settled call must be checked before its value is read
  console.log(sum.value, wrong);
}

/** createClient: typed by a service, or by an interface for a peer written with another library. */
export async function otherClients(): Promise<void> {
  const typed = createClient<typeof service>("http://127.0.0.1:5000/api");
  expectTrue<Equal<typeof typed, Client<(typeof service)["~methods"]>>>();
  expectTrue<Equal<typeof typed.name, string | undefined>>();
  // @ts-expect-error -- unknown method
  await typed.methods.nope();

  const peer = createClient<{ subtract(minuend: number, subtrahend: number): number }>("http://127.0.0.1:8080/rpc");
  expectTrue<Equal<Awaited<ReturnType<typeof peer.methods.subtract>>, number>>();
  // @ts-expect-error -- unknown method of the interface
  await peer.methods.add(1, 2);

  // Untyped: any name, any arguments, unknown results.
  const untyped = createClient("http://127.0.0.1:5000/api");
  const result = await untyped.call("anything", [1, "two", { three: 3 }]);
  expectTrue<Equal<typeof result, unknown>>();
  console.log(result);
  await untyped.methods["anything"]?.(1, 2, 3);
  // Under noUncheckedIndexedAccess a name of the untyped record may be missing (see the README):
  // `call` is the untyped way, and needs no `!`.
  expectTrue<Equal<typeof untyped.methods.anything, ((...args: unknown[]) => Promise<unknown>) | undefined>>();
  expectTrue<Equal<ReturnType<typeof untyped.call<"anything">>, Promise<unknown>>>();
  await untyped.notify("anything");
}

/** Results are typed as what JSON carries: what the service returns, after JSON.stringify and JSON.parse. */
export async function jsonResults(): Promise<void> {
  const shapes = new Service({ name: "shapes" }) // eslint-disable-line @typescript-eslint/no-unused-vars -- its type is the test
    .publicMethod("date", () => new Date())
    .publicMethod("map", () => new Map([["a", 1]]))
    .publicMethod("nothing", () => {})
    .publicMethod("big", () => 10n)
    .publicMethod("record", () => ({ at: new Date(), n: 1, maybe: undefined as string | undefined, fn: () => 1, list: [1, undefined] as const }));
  const remote = createClient<typeof shapes>("http://127.0.0.1:5000/api");
  expectTrue<Equal<Awaited<ReturnType<typeof remote.methods.date>>, string>>();
  expectTrue<Equal<Awaited<ReturnType<typeof remote.methods.map>>, Record<string, never>>>();
  expectTrue<Equal<Awaited<ReturnType<typeof remote.methods.nothing>>, null>>();
  expectTrue<Equal<Awaited<ReturnType<typeof remote.methods.big>>, never>>();
  type Record_ = Awaited<ReturnType<typeof remote.methods.record>>;
  expectTrue<Equal<Record_["at"], string>>();
  expectTrue<Equal<Record_["n"], number>>();
  expectTrue<Equal<keyof Record_, "at" | "n" | "maybe" | "list">>();
  expectTrue<Equal<Record_["list"], [1, null]>>();
  expectTrue<Equal<Record_["maybe"], string | undefined>>();
  const value = await remote.methods.date();
  console.log(value.length);
}

/** Streams: a method whose handler yields is an async iterable on the client, its items as JSON carries them. */
export const streaming = new Service({ name: "streaming" })
  .publicMethod("ticks", async function* (count: number) {
    for (let tick = 1; tick <= count; tick++) yield await Promise.resolve({ tick, at: new Date() });
    return "done";
  })
  .publicMethod("plain", () => 1)
  .publicMethod("fails", (): never => {
    throw new Error("always");
  });

export async function streamingClient(): Promise<void> {
  const remote = await connect<typeof streaming>("http://127.0.0.1:5000/api");
  for await (const item of remote.methods.ticks(3)) {
    // The Date went over the wire as a string.
    expectTrue<Equal<typeof item, { tick: number; at: string }>>();
    console.log(item.at);
  }
  expectTrue<Equal<ReturnType<typeof remote.methods.ticks>, RemoteStream<{ tick: number; at: string }>>>();
  // A method that does not stream (one that only throws included) is still a promise.
  expectTrue<Equal<ReturnType<typeof remote.methods.plain>, Promise<number>>>();
  expectTrue<Equal<ReturnType<typeof remote.methods.fails>, Promise<never>>>();
  const byName = remote.stream("ticks", [3], { resume: true });
  expectTrue<Equal<typeof byName, RemoteStream<{ tick: number; at: string }>>>();
  await byName.return(undefined);
  // @ts-expect-error -- the stream's params are checked as a call's
  remote.stream("ticks", ["3"]);
  // @ts-expect-error -- a stream is not a promise of its items
  const items: Promise<{ tick: number }[]> = remote.methods.ticks(3);
  console.log(items);
}
