// `npm run size`'s budget check (bench/size.ts): a bundle over its gzip budget is named with its
// size, how far over and the budget; a bundle exactly at its budget is within; the four budgets of
// issue 25 are the ones enforced.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { overBudget, TARGETS } from "../bench/size.ts";

describe("size budgets", () => {
  test("a bundle over its budget is named, with its size, the excess and the budget", () => {
    assert.deepEqual(overBudget([
      { name: "client", gzip: 3_101, budget: 3_100 },
      { name: "everything (mod.ts)", gzip: 21_350, budget: 19_600 },
    ]), [
      "client: 3,101 B gzip is 1 B over its budget of 3,100 B",
      "everything (mod.ts): 21,350 B gzip is 1,750 B over its budget of 19,600 B",
    ]);
  });

  test("a bundle at or under its budget passes", () => {
    assert.deepEqual(overBudget([{ name: "client", gzip: 3_100, budget: 3_100 }, { name: "fetch", gzip: 9_000, budget: 9_900 }]), []);
  });

  test("the budgets that may not grow", () => {
    const budgets = Object.fromEntries(TARGETS.map((target) => [target.entry, target.budget]));
    assert.deepEqual(
      { node: budgets["bench/size_entries/minimal.ts"], fetch: budgets["bench/size_entries/minimal_fetch.ts"], client: budgets["bench/size_entries/client.ts"], all: budgets["mod.ts"] },
      { node: 11_700, fetch: 9_900, client: 3_100, all: 19_600 },
    );
  });
});
