/**
 * What the fault runs count: every item 1..N of a feed arrived once, in order, across a kill.
 *
 * @module
 */

import assert from "node:assert/strict";

/**
 * Asserts that the items read are exactly 1..N, in order: nothing missing, nothing twice (said
 * as such first, so a failure names what was lost or repeated).
 *
 * @param ns The item numbers as read.
 * @param total N.
 * @example
 * ```ts
 * import { assertEachOnceInOrder } from "./fault_counts.ts";
 * assertEachOnceInOrder([1, 2, 3], 3);
 * ```
 */
export function assertEachOnceInOrder(ns: readonly number[], total: number): void {
  const all = Array.from({ length: total }, (_, index) => index + 1);
  const missing = all.filter((n) => !ns.includes(n));
  const twice = ns.filter((n, index) => ns.indexOf(n) !== index);
  assert.deepEqual({ received: ns.length, missing, twice }, { received: total, missing: [], twice: [] });
  assert.deepEqual(ns, all);
}
