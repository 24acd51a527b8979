/**
 * Runs a list of async jobs with at most a given number at a time, keeping the results in order.
 *
 * @module
 */

/**
 * Maps items through an async function, at most `limit` at a time; results keep the items' order.
 *
 * @param items The items.
 * @param limit How many may run at once (at least 1).
 * @param run The async function.
 * @returns The results, in the items' order.
 * @example
 * ```ts
 * import { mapConcurrently } from "./concurrency.ts";
 * await mapConcurrently([1, 2, 3], 2, (n) => Promise.resolve(n * 2)); // [2, 4, 6]
 * ```
 */
export async function mapConcurrently<Item, Result>(
  items: readonly Item[],
  limit: number,
  run: (item: Item) => Promise<Result>,
): Promise<Result[]> {
  if (items.length <= limit) return Promise.all(items.map(run));
  const results = new Array<Result>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as Item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  return results;
}
