// setLongTimeout: a wait past 2^31-1 ms (where every runtime's setTimeout fires at once) made of
// steps, checked with node:test's mock timers so 30 days pass at once; Infinity never fires.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MAX_TIMER_DELAY, setLongTimeout } from "../src/timer.ts";

const DAY = 86_400_000;

describe("setLongTimeout", () => {
  test("30 days fire after 30 days, not before, and not at once", (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    let fired = 0;
    setLongTimeout(() => fired++, 30 * DAY);
    t.mock.timers.tick(1);
    assert.equal(fired, 0, "not at once");
    t.mock.timers.tick(MAX_TIMER_DELAY - 1);
    assert.equal(fired, 0, "still waiting after the first step");
    t.mock.timers.tick(30 * DAY - MAX_TIMER_DELAY - 1);
    assert.equal(fired, 0, "a millisecond early");
    t.mock.timers.tick(1);
    assert.equal(fired, 1);
    t.mock.timers.tick(100 * DAY);
    assert.equal(fired, 1, "once");
  });

  test("clearTimeout(timer.id) stops it, in its first step or a later one", (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    let fired = 0;
    const first = setLongTimeout(() => fired++, 60 * DAY);
    clearTimeout(first.id);
    const later = setLongTimeout(() => fired++, 60 * DAY);
    t.mock.timers.tick(MAX_TIMER_DELAY + 1);
    clearTimeout(later.id);
    t.mock.timers.tick(100 * DAY);
    assert.equal(fired, 0);
  });

  test("a short delay is one plain timer; Infinity never fires and holds no timer", (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    let fired = 0;
    setLongTimeout(() => fired++, 10);
    const never = setLongTimeout(() => fired++, Infinity);
    assert.equal(never.id, undefined);
    t.mock.timers.tick(10);
    assert.equal(fired, 1);
  });
});
