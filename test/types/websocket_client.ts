// Type tests of the WebSocket client, checked by `npx tsc --noEmit -p .` (never run): a client of
// a socket is typed as one of a URL (calls, streams), and the constructors of the runtime and of
// the `ws` package fit the `WebSocket` option as they are.
/* eslint-disable @typescript-eslint/no-unnecessary-type-parameters -- the checks live in type arguments */
import { WebSocket as WsWebSocket } from "ws";
import { connect, type RemoteStream, Service } from "../../mod.ts";
import { openWebSocket, type WebSocketClient, type WebSocketState } from "../../src/websocket/client.ts";

/** True when two types are the same. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when given `true`. */
function expectTrue<T extends true>(): T | undefined {
  return undefined;
}

export const service = new Service({ name: "clock" })
  .publicMethod("ticks", async function* (n: number) {
    for (let i = 1; i <= n; i++) {
      await Promise.resolve();
      yield { i, at: new Date() };
    }
  })
  .publicMethod("add", (a: number, b: number) => a + b);

/** A socket's client: typed as over HTTP. */
export async function typedSocketClient(): Promise<void> {
  const socket: WebSocketClient = openWebSocket("ws://127.0.0.1:5000/api", { WebSocket: WsWebSocket });
  openWebSocket("ws://127.0.0.1:5000/api", { WebSocket: globalThis.WebSocket });
  const remote = await connect<typeof service>(socket, { streams: socket.streams });
  expectTrue<Equal<Awaited<ReturnType<typeof remote.methods.add>>, number>>();
  expectTrue<Equal<ReturnType<typeof remote.methods.ticks>, RemoteStream<{ i: number; at: string }>>>();
  expectTrue<Equal<typeof socket.state, WebSocketState>>();
  // @ts-expect-error -- add takes numbers
  await remote.methods.add("1", 2);
  // @ts-expect-error -- reconnect is options or false, not true
  openWebSocket("ws://127.0.0.1:5000/api", { reconnect: true });
  const off: () => void = socket.on("tick", (params) => {
    console.log(params);
  });
  off();
}
