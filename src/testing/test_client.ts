/**
 * `testClient()`: the typed client of a service, in process: JSON in a real `Request` to
 * `service.fetch`, as over HTTP, with no socket.
 *
 * @module
 */

import type { FetchApp } from "../adapters/types.ts";
import { type ClientOptions, type ConnectedClient, createClient } from "../client/mod.ts";
import type { MethodsOf } from "../client/types.ts";
import type { FileAccess } from "../http/file_access.ts";

/**
 * What {@linkcode testClient} takes: a `Service`, or a `MicroService` of the class style.
 *
 * @example
 * ```ts
 * import { Service } from "../../mod.ts";
 * import type { TestableService } from "./test_client.ts";
 * const service: TestableService = new Service({ name: "s" });
 * ```
 */
export interface TestableService extends FetchApp {
  /** The service's name. */
  readonly name: string;
}

/**
 * Options of {@linkcode testClient}: those of `createClient` but `fetch`, and whether to start.
 *
 * @example
 * ```ts
 * import type { TestClientOptions } from "./test_client.ts";
 * const options: TestClientOptions = { token: "test-token", headers: { "x-tenant": "acme" }, timeout: 2_000 };
 * ```
 */
export interface TestClientOptions extends Omit<ClientOptions, "fetch"> {
  /**
   * Whether the client starts the service as `serve()` would (its plugins' `start`) and stops it
   * at `close()`. Default `true`; `false` leaves the service as it is.
   */
  readonly start?: boolean | undefined;
  /** The file access handed to the start, for `staticFiles()` folders. Default: none. */
  readonly files?: FileAccess | undefined;
}

/**
 * The client {@linkcode testClient} gives: the typed client of `connect()`, plus the service's start.
 *
 * @typeParam M The service's methods.
 * @example
 * ```ts
 * import { Service } from "../../mod.ts";
 * import { type TestClient, testClient } from "./test_client.ts";
 * const service = new Service({ name: "calculator" }).publicMethod("add", (a: number, b: number) => a + b);
 * const client: TestClient<{ add(a: number, b: number): number }> = testClient(service);
 * await client.methods.add(1, 2); // 3
 * await client.close();
 * ```
 */
export interface TestClient<M> extends ConnectedClient<M> {
  /**
   * Resolves once the service has started (at once with `start: false`), rejects with what its
   * start threw. Calls wait for it; await it to know, say, that a subscription is live.
   */
  readonly ready: Promise<void>;
  /**
   * Stops the service the client started (plugins' `stop` in reverse order), once. Later calls
   * still reach the stopped service.
   *
   * @returns Once the service has stopped.
   * @throws What a plugin's `stop` threw.
   * @example
   * ```ts
   * import { Service } from "../../mod.ts";
   * import { testClient } from "./test_client.ts";
   * const client = testClient(new Service({ name: "s" }).use({ name: "db", stop: () => console.log("closed") }));
   * await client.close(); // "closed"
   * ```
   */
  close(): Promise<void>;
}

// Never resolved: no request leaves the process.
const ORIGIN = "http://localhost";

/**
 * Makes a typed client that calls a service in process: each call is JSON in a Web `Request` to
 * `service.fetch`, under the same wire rules as HTTP (tokens, content types, body limits, status
 * codes), with no socket. It is the client `connect()` gives, typed by `typeof service`.
 *
 * By default the service is started first, as `serve()` does, and `close()` stops it; calls wait
 * for the start. `start: false` leaves the service alone.
 *
 * @typeParam S The service's type (`typeof service`), which types every method.
 * @param service The service: a `Service` or a `MicroService`.
 * @param options The token, headers, timeout… of `createClient`, and `start`.
 * @returns The client; `close()` it at the end of the test.
 * @example
 * ```ts
 * import { Service } from "../../mod.ts";
 * import { testClient } from "./test_client.ts";
 * const service = new Service({ name: "hello", apiTokenIsValid: (token) => token === "secret" })
 *   .publicMethod("say_hello", (name: string) => `hello ${name}`)
 *   .privateMethod("whisper", (name: string) => `psst ${name}`);
 * const client = testClient(service, { token: "secret" });
 * await client.methods.say_hello("world"); // "hello world"
 * await client.methods.whisper("ann"); // "psst ann"
 * await client.close();
 * ```
 */
export function testClient<S extends TestableService>(service: S, options: TestClientOptions = {}): TestClient<MethodsOf<S>> {
  const { start = true, files, ...clientOptions } = options;
  const { path, names } = described(service);
  let starting: Promise<void> | undefined;
  if (start && service.startup !== undefined) {
    starting = Promise.resolve(service.startup(files === undefined ? {} : { files }));
    // Reported through `ready` and the calls, never as an unhandled rejection.
    starting.catch(() => {});
  }
  const ready = starting ?? Promise.resolve();
  const client = createClient<S>(`${ORIGIN}${path}`, {
    ...clientOptions,
    fetch: async (url, init) => {
      await ready;
      return service.fetch(new Request(url, init));
    },
  });
  let closing: Promise<void> | undefined;
  return {
    ...client,
    name: service.name,
    methodNames: names,
    ready,
    close: () =>
      closing ??= (async () => {
        await client.close();
        if (starting === undefined) return;
        try {
          await starting;
        } catch {
          return; // It never started: nothing to stop.
        }
        await service.shutdown?.(() => Promise.resolve());
      })(),
  };
}

// A `MicroService` is assembled to read them.
function described(service: TestableService): { path: string; names: readonly string[] } {
  const assembled = service as Partial<{
    toService(): unknown;
    path: string;
    listMethods(): readonly { readonly name: string }[];
  }>;
  const target = (typeof assembled.toService === "function" ? assembled.toService() : service) as typeof assembled;
  return { path: target.path ?? "/api", names: target.listMethods?.().map((method) => method.name) ?? [] };
}
