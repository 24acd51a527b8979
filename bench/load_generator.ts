/**
 * A small HTTP/1.1 load generator written for these benchmarks: N kept-alive connections, each
 * sending one request at a time (no pipelining) for a fixed time, on loopback only. It parses just
 * enough of each response (status, Content-Length or chunked framing) to count answers and check
 * them, so it costs the machine far less than a full HTTP client would.
 *
 * @module
 */

import { connect, type Socket } from "node:net";

/** What to send and for how long. */
export interface LoadOptions {
  /** The server's port on 127.0.0.1. */
  readonly port: number;
  /** The request path, such as `/api`. */
  readonly path: string;
  /** The JSON body of every request. */
  readonly body: string;
  /** How many connections send at once. */
  readonly connections: number;
  /** How long to send, in ms. */
  readonly durationMs: number;
  /** Each answer body must contain this text to count as correct. */
  readonly expect: string;
  /** More request headers (such as a token), sent with every request. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** What a run measured. */
export interface LoadResult {
  /** Correct answers per second. */
  readonly requestsPerSecond: number;
  /** Answers that were not 200 or did not contain the expected text. */
  readonly wrong: number;
  /** The 99th percentile latency, in ms. */
  readonly p99Ms: number;
  /** Answers counted. */
  readonly answers: number;
  /** Connections the server closed or reset unannounced before the end of the run (each was opened again). */
  readonly dropped: number;
  /** Answers that said `Connection: close` (a new connection followed each). */
  readonly closes: number;
}

const CRLF_CRLF = Buffer.from("\r\n\r\n");

/**
 * Sends requests over `connections` kept-alive sockets for `durationMs` and measures the answers.
 *
 * @param options What to send and for how long.
 * @returns Requests per second, wrong answers and the p99 latency.
 * @example
 * ```ts
 * import { runLoad } from "./load_generator.ts";
 * const result = await runLoad({ port: 5000, path: "/api", body: "{}", connections: 10, durationMs: 1000, expect: "result" });
 * console.log(result.requestsPerSecond);
 * ```
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const body = Buffer.from(options.body);
  const request = Buffer.concat([
    Buffer.from(
      `POST ${options.path} HTTP/1.1\r\nHost: 127.0.0.1:${options.port}\r\nContent-Type: application/json\r\n` +
        Object.entries(options.headers ?? {}).map(([name, value]) => `${name}: ${value}\r\n`).join("") +
        `Content-Length: ${body.byteLength}\r\n\r\n`,
    ),
    body,
  ]);
  const latencies: number[] = [];
  let wrong = 0;
  let dropped = 0;
  let closes = 0;
  const deadline = performance.now() + options.durationMs;
  const started = performance.now();
  await Promise.all(Array.from({ length: options.connections }, () => drive(options, request, deadline, latencies, () => wrong++, () => dropped++, () => closes++)));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: (latencies.length - wrong) / elapsed,
    wrong,
    p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    answers: latencies.length,
    dropped,
    closes,
  };
}

/**
 * One connection: send, read one whole answer, repeat until the deadline. An answer that says
 * `Connection: close` is followed by a new connection (Deno closes the connection after a request
 * of more than about 500 bytes, such as a batch of ten calls). A connection the server closes or
 * resets unannounced is opened again too, and counted as dropped, so a run never hangs or fails on
 * a socket that went away.
 */
function drive(
  options: LoadOptions,
  request: Buffer,
  deadline: number,
  latencies: number[],
  countWrong: () => void,
  countDropped: () => void,
  countCloses: () => void,
): Promise<void> {
  return new Promise((resolve) => {
    const open = (): void => {
      const socket: Socket = connect(options.port, "127.0.0.1");
      socket.setNoDelay(true);
      let buffered: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      // Set once this connection needs no more handling: the run is over, or it was replaced.
      let done = false;
      const next = (): void => {
        done = true;
        socket.destroy();
        if (performance.now() >= deadline) resolve();
        else open();
      };
      const send = (): void => {
        if (performance.now() >= deadline) {
          done = true;
          socket.end();
          resolve();
          return;
        }
        sentAt = performance.now();
        socket.write(request);
      };
      socket.on("connect", send);
      // A reset is followed by "close", which opens the next connection.
      socket.on("error", () => {});
      socket.on("close", () => {
        if (done) return;
        countDropped();
        next();
      });
      socket.on("data", (chunk: Buffer) => {
        if (done) return;
        buffered = buffered.byteLength === 0 ? chunk : Buffer.concat([buffered, chunk]);
        for (;;) {
          const answer = takeResponse(buffered);
          if (answer === undefined) return;
          buffered = buffered.subarray(answer.consumed);
          latencies.push(performance.now() - sentAt);
          if (answer.status !== 200 || !answer.body.includes(options.expect)) countWrong();
          if (answer.close) {
            countCloses();
            next();
            return;
          }
          send();
        }
      });
    };
    open();
  });
}

interface ParsedResponse {
  status: number;
  body: string;
  consumed: number;
  /** Whether the server said it closes the connection after this answer. */
  close: boolean;
}

/** Reads one whole response from the front of the buffer, or `undefined` if it is not all there. */
function takeResponse(data: Buffer): ParsedResponse | undefined {
  const headEnd = data.indexOf(CRLF_CRLF);
  if (headEnd < 0) return undefined;
  const head = data.toString("latin1", 0, headEnd);
  const status = Number(head.slice(9, 12));
  const close = /\r\nconnection:\s*close/i.test(head);
  const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  const bodyStart = headEnd + 4;
  if (lengthMatch) {
    const length = Number(lengthMatch[1]);
    if (data.byteLength < bodyStart + length) return undefined;
    return { status, body: data.toString("utf8", bodyStart, bodyStart + length), consumed: bodyStart + length, close };
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    let offset = bodyStart;
    let body = "";
    for (;;) {
      const lineEnd = data.indexOf("\r\n", offset);
      if (lineEnd < 0) return undefined;
      const size = parseInt(data.toString("latin1", offset, lineEnd), 16);
      const chunkStart = lineEnd + 2;
      if (data.byteLength < chunkStart + size + 2) return undefined;
      if (size === 0) return { status, body, consumed: chunkStart + 2, close };
      body += data.toString("utf8", chunkStart, chunkStart + size);
      offset = chunkStart + size + 2;
    }
  }
  return { status, body: "", consumed: bodyStart, close };
}
