/**
 * Stopping on `SIGINT` and `SIGTERM` for `serve(app, { signals: true })`, on Deno's and on
 * Node.js's and Bun's signal APIs.
 *
 * @module
 */

// Declared here so no runtime type package is needed.
interface DenoSignals {
  addSignalListener(signal: string, handler: () => void): void;
  removeSignalListener(signal: string, handler: () => void): void;
  exit(code: number): never;
}
interface NodeSignals {
  on(signal: string, handler: () => void): unknown;
  off(signal: string, handler: () => void): unknown;
  exit(code: number): never;
}

/** The signals a service stops on. */
export const STOP_SIGNALS: readonly string[] = ["SIGINT", "SIGTERM"];

/**
 * Listens for `SIGINT` and `SIGTERM`: the first runs `stop`, then ends the process (exit code 0, or
 * 1 when `stop` fails). `stop` should call the returned remover first, so a second signal ends the
 * process at once (the runtime's default action).
 *
 * @param stop What to do before the process ends, such as closing the server.
 * @returns A function that removes the listeners (call it when the server closes for another reason).
 * @example
 * ```ts
 * import { stopOnSignals } from "./signals.ts";
 * const remove = stopOnSignals(async () => {
 *   remove();
 *   console.log("stopping");
 * });
 * remove();
 * ```
 */
export function stopOnSignals(stop: () => Promise<void>): () => void {
  const global = globalThis as { Deno?: DenoSignals; process?: NodeSignals };
  const deno = global.Deno;
  const runtime = deno === undefined
    ? global.process
    : { on: deno.addSignalListener.bind(deno), off: deno.removeSignalListener.bind(deno), exit: deno.exit.bind(deno) };
  if (runtime === undefined) return () => {};
  const onSignal = (): void => {
    stop().then(() => runtime.exit(0), () => runtime.exit(1));
  };
  const listening: string[] = [];
  for (const signal of STOP_SIGNALS) {
    try {
      runtime.on(signal, onSignal);
      listening.push(signal);
    } catch {
      // Deno on Windows has no SIGTERM.
    }
  }
  return () => {
    for (const signal of listening.splice(0)) runtime.off(signal, onSignal);
  };
}
