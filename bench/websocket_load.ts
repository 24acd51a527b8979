/**
 * The load generator of bench/websocket.ts: ONE WebSocket connection (the `ws` package's client)
 * keeping `inFlight` JSON-RPC calls pipelined for a fixed time: each answer sends the next call.
 * It reads no more of an answer than it must to check it (a substring of the raw bytes), so that
 * the client, on its own CPU, costs as little as it can.
 *
 * @module
 */

import WebSocket from "ws";

/** What to send and for how long. */
export interface WebSocketLoadOptions {
  /** The server's `ws://` URL. */
  readonly url: string;
  /** How many calls are sent before their answers come (kept so until the end). */
  readonly inFlight: number;
  /** How long to send, in ms. */
  readonly durationMs: number;
  /** The text of call number `id` (each call has its own id). */
  readonly message: (id: number) => string;
  /** Each answer must contain this text to count as correct. */
  readonly expect: string;
}

/** What a run measured. */
export interface WebSocketLoadResult {
  /** Correct answers per second. */
  readonly callsPerSecond: number;
  /** Answers counted (within the time). */
  readonly answers: number;
  /** Answers that did not contain the expected text. */
  readonly wrong: number;
}

/**
 * Opens a connection and keeps `inFlight` calls going over it for `durationMs`.
 *
 * @param options What to send and for how long.
 * @returns Calls per second and wrong answers.
 * @throws {Error} When the connection fails or closes before the end.
 * @example
 * ```ts
 * import { runWebSocketLoad } from "./websocket_load.ts";
 * const result = await runWebSocketLoad({
 *   url: "ws://127.0.0.1:5000/api",
 *   inFlight: 32,
 *   durationMs: 1_000,
 *   message: (id) => `{"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":${id}}`,
 *   expect: '"result":19',
 * });
 * console.log(result.callsPerSecond);
 * ```
 */
export async function runWebSocketLoad(options: WebSocketLoadOptions): Promise<WebSocketLoadResult> {
  const socket = new WebSocket(options.url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => {
      resolve();
    });
    socket.once("error", reject);
  });
  const expect = Buffer.from(options.expect);
  let next = 0;
  let answers = 0;
  let wrong = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  let ended = 0;
  await new Promise<void>((resolve, reject) => {
    let over = false;
    const finish = (): void => {
      if (over) return;
      over = true;
      ended = performance.now();
      resolve();
    };
    socket.on("message", (data: Buffer) => {
      if (over) return;
      answers++;
      if (data.indexOf(expect) < 0) wrong++;
      // The clock is read once in 64 answers: reading it costs more than an answer's check.
      if ((answers & 63) === 0 && performance.now() >= deadline) {
        finish();
        return;
      }
      socket.send(options.message(++next));
    });
    socket.once("close", (code) => {
      if (!over) reject(new Error(`the server closed the connection (${code}) after ${answers} answers`));
    });
    for (let i = 0; i < options.inFlight; i++) socket.send(options.message(++next));
    // A server that stops answering must not hang the run.
    setTimeout(finish, options.durationMs + 5_000).unref();
  });
  const closed = new Promise((resolve) => socket.once("close", resolve));
  socket.close(1000);
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  socket.terminate();
  return { callsPerSecond: (answers - wrong) / ((ended - started) / 1000), answers, wrong };
}
