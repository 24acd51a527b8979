/**
 * "Did you mean…?": the names closest to a mistyped one, by edit distance, for an unknown method.
 *
 * @module
 */

/**
 * The Levenshtein distance between two strings: how many one-character insertions, deletions and
 * substitutions turn one into the other (counted in UTF-16 code units).
 *
 * @param a One string.
 * @param b The other.
 * @returns The distance.
 * @example
 * ```ts
 * import { editDistance } from "./closest_names.ts";
 * editDistance("say_helo", "say_hello"); // 1
 * editDistance("kitten", "sitting"); // 3
 * ```
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The known names close enough to a wanted one to be what was meant, closest first: those within
 * a third of the longer name's length (at least 2 edits), or that contain it or are contained in it
 * (ignoring case, names of three characters or more). At most `limit` names.
 *
 * @param wanted The name that was not found.
 * @param known The names that exist.
 * @param limit How many to give at most. Default 3.
 * @returns The closest names; empty when none is close.
 * @example
 * ```ts
 * import { closestNames } from "./closest_names.ts";
 * closestNames("say_helo", ["say_hello", "say_private_hello", "add"]); // ["say_hello"]
 * closestNames("hello", ["say_hello", "say_private_hello", "add"]); // ["say_hello", "say_private_hello"]
 * ```
 */
export function closestNames(wanted: string, known: readonly string[], limit = 3): string[] {
  const lower = wanted.toLowerCase();
  const scored: { name: string; distance: number }[] = [];
  for (const name of new Set(known)) {
    const distance = editDistance(lower, name.toLowerCase());
    const near = distance <= Math.max(2, Math.floor(Math.max(name.length, wanted.length) / 3));
    const other = name.toLowerCase();
    const overlapping = lower.length > 2 && other.length > 2 && (other.includes(lower) || lower.includes(other));
    if (near || overlapping) scored.push({ name, distance });
  }
  scored.sort((x, y) => x.distance - y.distance || (x.name < y.name ? -1 : 1));
  return scored.slice(0, limit).map((entry) => entry.name);
}
