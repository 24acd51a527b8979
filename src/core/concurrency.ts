/**
 * Runs sync or async jobs with bounded concurrency, results in order; a batch of sync jobs is
 * answered without any promise.
 *
 * @module
 */

import { asError } from "./as_error.ts";

/**
 * Maps items, in order, through a function returning a value or a promise, with at most `limit`
 * promises pending. Returns the array itself while every answer is a plain value, else a promise
 * of it.
 *
 * @param items The items.
 * @param limit How many answers may be pending at once (at least 1).
 * @param run The function: a value, or a promise of one. It should not throw or reject (dispatch
 *   never does); if it does, the whole map throws or rejects.
 * @returns The results in the items' order, or a promise of them.
 * @example
 * ```ts
 * import { mapConcurrently } from "./concurrency.ts";
 * mapConcurrently([1, 2, 3], 2, (n) => n * 2); // [2, 4, 6], at once
 * await mapConcurrently([1, 2, 3], 2, (n) => Promise.resolve(n * 2)); // [2, 4, 6]
 * ```
 */
export function mapConcurrently<Item, Result>(
  items: readonly Item[],
  limit: number,
  run: (item: Item) => Result | Promise<Result>,
): Result[] | Promise<Result[]> {
  // Filled by push: a packed array, which JSON.stringify walks fastest.
  const results: Result[] = [];
  for (let index = 0; index < items.length; index++) {
    const answer = run(items[index] as Item);
    if (answer instanceof Promise) {
      results.length = items.length;
      return finish(items, Math.max(1, limit), run, results, index, answer);
    }
    results.push(answer);
  }
  return results;
}

function finish<Item, Result>(
  items: readonly Item[],
  limit: number,
  run: (item: Item) => Result | Promise<Result>,
  results: Result[],
  first: number,
  pending: Promise<Result>,
): Promise<Result[]> {
  return new Promise((resolve, reject) => {
    let next = first + 1;
    let running = 0;
    let failed = false;
    const wait = (index: number, answer: Promise<Result>): void => {
      running++;
      answer.then((value) => {
        results[index] = value;
        running--;
        fill();
      }, (error: unknown) => {
        failed = true;
        reject(asError(error));
      });
    };
    const fill = (): void => {
      while (!failed && running < limit && next < items.length) {
        const index = next++;
        let answer: Result | Promise<Result>;
        try {
          answer = run(items[index] as Item);
        } catch (error) {
          failed = true;
          reject(asError(error));
          return;
        }
        if (answer instanceof Promise) wait(index, answer);
        else results[index] = answer;
      }
      if (!failed && running === 0 && next >= items.length) resolve(results);
    };
    wait(first, pending);
    fill();
  });
}
