/**
 * Helpers for testing services (`tsmicroservice/testing`), for any test runner:
 * {@linkcode testClient} calls a service in process over the same JSON wire as HTTP;
 * {@linkcode waitFor} waits for a condition and {@linkcode captureEvents} for an event, each with
 * a timeout whose error says what was awaited.
 *
 * @example
 * ```ts
 * import { Service } from "../../mod.ts";
 * import { testClient, waitFor } from "./mod.ts";
 *
 * let calls = 0;
 * const service = new Service({ name: "counter" }).publicMethod("bump", () => ++calls);
 * const client = testClient(service);
 * await client.notifications.bump();
 * await waitFor(() => calls === 1, { timeout: 1_000 });
 * console.log(await client.methods.bump()); // 2
 * await client.close();
 * ```
 *
 * @module
 */

export { type TestableService, type TestClient, testClient, type TestClientOptions } from "./test_client.ts";
export { DEFAULT_WAIT_TIMEOUT, waitFor, type WaitOptions } from "./wait_for.ts";
export { type CaptureOptions, type CapturedEvents, captureEvents } from "./capture_events.ts";
