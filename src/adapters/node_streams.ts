/**
 * node:http streams to Web streams, shared by the Node adapter and the Node handler.
 *
 * @module
 */

import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * A Web stream over the request body, pausing the socket while the reader is behind.
 *
 * @param incoming The request, its body not read yet.
 * @returns The body's bytes as they come.
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { bodyStream } from "./node_streams.ts";
 * createServer(async (incoming, outgoing) => {
 *   const text = await new Response(bodyStream(incoming)).text();
 *   outgoing.end(`${text.length} characters`);
 * });
 * ```
 */
export function bodyStream(incoming: IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      incoming.on("data", (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) incoming.pause();
      });
      incoming.once("end", () => {
        controller.close();
      });
      incoming.once("error", (error) => {
        controller.error(error);
      });
      incoming.once("aborted", () => {
        controller.error(new Error("The client aborted the request"));
      });
    },
    pull() {
      incoming.resume();
    },
    cancel() {
      incoming.pause();
    },
  }, { highWaterMark: 1 });
}

/**
 * Waits until the socket takes more data, or is gone.
 *
 * @param outgoing The response being written.
 * @returns A promise resolved on `drain` or `close`.
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { drainOrClose } from "./node_streams.ts";
 * createServer(async (_incoming, outgoing) => {
 *   for (let i = 0; i < 1_000 && !outgoing.destroyed; i++) {
 *     if (!outgoing.write("x".repeat(65_536))) await drainOrClose(outgoing);
 *   }
 *   outgoing.end();
 * });
 * ```
 */
export function drainOrClose(outgoing: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      outgoing.off("drain", done);
      outgoing.off("close", done);
      resolve();
    };
    outgoing.once("drain", done);
    outgoing.once("close", done);
  });
}
