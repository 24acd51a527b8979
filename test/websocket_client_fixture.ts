/**
 * A small JSON-RPC-over-WebSocket server for test/websocket_client.test.ts, made with the `ws`
 * package's server (a WebSocket we did not write) and speaking the wire of the shared plan: calls
 * and batches, `timeout` and `lastEventId` members, `rpc.cancel`, streams as `rpc.stream`
 * notifications ended by the call's response, server notifications and server calls. It records
 * what it got, and can drop its connections or stop and start again on the same port, which the
 * client's reconnect tests need.
 *
 * @module
 */

import type { IncomingMessage } from "node:http";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import { RpcError } from "../mod.ts";

type Message = Record<string, unknown>;

/** What the fixture's methods may do with the connection they run on. */
interface Call {
  readonly socket: WebSocket;
  readonly message: Message;
  readonly signal: AbortSignal;
  send(value: unknown): void;
}

const delay = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** The fixture server (see the module's description). */
export class FixtureServer {
  /** Every message received, parsed, in order. */
  readonly received: Message[] = [];
  /** The upgrade requests' headers. */
  readonly upgrades: IncomingMessage["headers"][] = [];
  /** The open connections. */
  readonly sockets = new Set<WebSocket>();
  /** How many times each method ran. */
  readonly runs = new Map<string, number>();
  /** The ids `rpc.cancel` named. */
  readonly cancelled: unknown[] = [];
  /** What the client answered to the server's calls. */
  readonly answers: Message[] = [];
  /** When set, the feed drops the connection after sending this event (once). */
  dropFeedAfter: number | undefined;
  /** When set, the feed ends with -32004 (as a stopping service does) after this event (once). */
  refuseFeedAfter: number | undefined;
  /** Refuse upgrades with this status (401 for a bad token). */
  refuse: number | undefined;
  port = 0;
  #server: WebSocketServer | undefined;
  readonly #serverCalls = new Map<string, (answer: Message) => void>();
  #serverCallId = 0;

  /** Starts listening (on the same port as before, after a stop). */
  async start(): Promise<void> {
    const server = new WebSocketServer({
      host: "127.0.0.1",
      port: this.port,
      handleProtocols: (protocols: Set<string>) => (protocols.has("jsonrpc") ? "jsonrpc" : false),
      verifyClient: (_info: unknown, done: (ok: boolean, status?: number) => void) => {
        done(this.refuse === undefined, this.refuse);
      },
    });
    await new Promise<void>((resolve) => server.once("listening", resolve));
    this.port = (server.address() as { port: number }).port;
    server.on("connection", (socket: WebSocket, request: IncomingMessage) => {
      this.upgrades.push(request.headers);
      this.sockets.add(socket);
      const running = new Map<unknown, AbortController>();
      socket.on("close", () => {
        this.sockets.delete(socket);
        for (const controller of running.values()) controller.abort();
      });
      socket.on("message", (data: RawData) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse((data as Buffer).toString("utf8"));
        } catch {
          socket.send(JSON.stringify({ jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null }));
          return;
        }
        if (Array.isArray(parsed) && parsed.length > 4) {
          // As a service refuses a batch over its maxBatchLength: one error, id null.
          socket.send(JSON.stringify({ jsonrpc: "2.0", error: { code: -32600, message: "Invalid Request: a batch of more than 4 entries" }, id: null }));
          return;
        }
        if (Array.isArray(parsed)) {
          void Promise.all((parsed as Message[]).map((one) => this.#answer(socket, one, running))).then((answers) => {
            const sent = answers.filter((answer) => answer !== undefined);
            if (sent.length > 0) socket.send(JSON.stringify(sent));
          });
          return;
        }
        void this.#answer(socket, parsed as Message, running).then((answer) => {
          if (answer !== undefined && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(answer));
        });
      });
    });
    this.#server = server;
  }

  /** The URL of its JSON-RPC path. */
  get url(): string {
    return `ws://127.0.0.1:${this.port}/api`;
  }

  /** Drops every connection: with a close frame (`code`), or at once (`undefined`: no close frame, 1006). */
  drop(code?: number): void {
    for (const socket of this.sockets) {
      if (code === undefined) socket.terminate();
      else socket.close(code, "going away");
    }
  }

  /** Stops listening and drops every connection. */
  async stop(): Promise<void> {
    this.drop();
    await new Promise<void>((resolve) => {
      if (this.#server === undefined) resolve();
      else this.#server.close(() => resolve());
    });
    this.#server = undefined;
  }

  /** Sends a notification on every connection. */
  broadcast(method: string, params: unknown): void {
    for (const socket of this.sockets) socket.send(JSON.stringify({ jsonrpc: "2.0", method, params }));
  }

  /** The requests received for a method. */
  requests(method: string): Message[] {
    return this.received.filter((message) => message["method"] === method);
  }

  async #answer(socket: WebSocket, message: Message, running: Map<unknown, AbortController>): Promise<Message | undefined> {
    this.received.push(message);
    const { id, params } = message;
    const method = typeof message["method"] === "string" ? message["method"] : undefined;
    if (method === undefined) {
      // The client's answer to one of our calls.
      this.answers.push(message);
      this.#serverCalls.get(String(id))?.(message);
      return undefined;
    }
    if (method === "rpc.cancel") {
      const cancelled = (params as { id?: unknown }).id;
      this.cancelled.push(cancelled);
      running.get(cancelled)?.abort();
      return undefined;
    }
    this.runs.set(method, (this.runs.get(method) ?? 0) + 1);
    const controller = new AbortController();
    if (id !== undefined) running.set(id, controller);
    const call: Call = {
      socket,
      message,
      signal: controller.signal,
      send: (value) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(value));
      },
    };
    try {
      const result = await this.#run(method, params, call);
      return id === undefined ? undefined : { jsonrpc: "2.0", result: result ?? null, id };
    } catch (error) {
      const { code, message: text, data } = error as RpcError;
      return id === undefined ? undefined : { jsonrpc: "2.0", error: { code, message: text, ...(data === undefined ? {} : { data }) }, id };
    } finally {
      running.delete(id);
    }
  }

  async #run(method: string, params: unknown, call: Call): Promise<unknown> {
    const list = Array.isArray(params) ? (params as unknown[]) : [];
    const named = (Array.isArray(params) ? {} : params) as Record<string, unknown>;
    switch (method) {
      case "rpc.discover":
        return {
          openrpc: "1.3.2",
          info: { title: "fixture", version: "1" },
          methods: [
            ...["echo", "add", "fail", "slow", "hello", "ask", "log"].map((name) => ({ name })),
            { name: "count", "x-idempotent": true },
            { name: "ticks", "x-stream": { resumable: false } },
            { name: "feed", "x-stream": { resumable: true } },
          ],
        };
      case "echo":
        return params;
      case "add":
        return Array.isArray(params) ? (list[0] as number) + (list[1] as number) : (named["a"] as number) + (named["b"] as number);
      case "fail":
        throw new RpcError(4001, "Out of stock", { item: "apple" });
      case "log":
        return null;
      case "slow":
      case "count":
        await delay(Number(list[0] ?? 200), call.signal);
        if (call.signal.aborted) throw new RpcError(-32603, "cancelled");
        return this.runs.get(method);
      case "hello":
        call.send({ jsonrpc: "2.0", method: "greeted", params: [list[0]] });
        return `hello ${String(list[0])}`;
      case "ask": {
        const id = `s${++this.#serverCallId}`;
        const answer = new Promise<Message>((resolve) => this.#serverCalls.set(id, resolve));
        call.send({ jsonrpc: "2.0", method: list[0], params: list[1], id });
        const reply = await answer;
        return reply["error"] === undefined ? { result: reply["result"] } : { error: reply["error"] };
      }
      case "ticks":
        for (let i = 1; i <= Number(list[0]); i++) {
          await delay(5, call.signal);
          if (call.signal.aborted) throw new RpcError(-32603, "cancelled");
          call.send({ jsonrpc: "2.0", method: "rpc.stream", params: { id: call.message["id"], event: i, item: { i } } });
        }
        if (list[1] === "fail") throw new RpcError(4002, "Ticks ran out");
        return `ticked ${String(list[0])}`;
      case "feed": {
        const last = Number(call.message["lastEventId"] ?? 0);
        for (let n = last + 1; n <= 10; n++) {
          await delay(10, call.signal);
          if (call.signal.aborted) return null;
          call.send({ jsonrpc: "2.0", method: "rpc.stream", params: { id: call.message["id"], event: n, item: `item ${n}` } });
          if (n === this.refuseFeedAfter) {
            this.refuseFeedAfter = undefined;
            throw new RpcError(-32004, "Unavailable: the service is stopping");
          }
          if (n === this.dropFeedAfter) {
            this.dropFeedAfter = undefined;
            call.socket.terminate();
            return null;
          }
        }
        return "fed";
      }
      default:
        throw new RpcError(-32601, "Method not found");
    }
  }
}
