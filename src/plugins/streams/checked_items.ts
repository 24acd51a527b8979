/**
 * The item checks of a streaming method, for the faces that carry its items themselves.
 *
 * @module
 */

import type { MethodDefinition } from "../../core/method.ts";
import { validateResult } from "../schemas/validation.ts";

/**
 * The items as `POST /api` sends them: each checked (and transformed, as a schema that strips
 * keys does) by the method's `output` schema, when `schemas()` made checks and `streams()` moved
 * the result's to the items (the check then lives in that plugin's taker, which this call does
 * not go through). An item the schema refuses ends the stream with `-32603`, as there. MCP's
 * streaming tools and WebSocket streams go through it.
 *
 * @param items The stream a handler answered.
 * @param method The method's definition (as registered: after `streams()` prepared it).
 * @returns The items, checked when there is something to check them with.
 * @example
 * ```ts
 * import { checkedItems } from "./checked_items.ts";
 * import { defineMethod } from "../../core/method.ts";
 * async function* ticks() { yield 1; }
 * const method = defineMethod("ticks", ticks);
 * checkedItems(ticks(), method); // the same items: the method has no output schema
 * ```
 */
export function checkedItems(items: AsyncIterable<unknown>, method: MethodDefinition | undefined): AsyncIterable<unknown> {
  const output = method?.validation?.output;
  if (output === undefined || method?.checks === undefined || method.checks.result !== undefined) return items;
  const name = method.name;
  return (async function* () {
    for await (const item of items) yield await validateResult(output, name, item);
  })();
}
