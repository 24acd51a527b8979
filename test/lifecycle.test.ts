// The lifecycle: plugins' start and stop around serve() and close() (in use() order, and in reverse),
// periodic tasks that start and stop with the server and never overlap themselves, a graceful close
// that answers the calls in flight (and cuts them at its deadline), and the signal listeners of
// `signals: true`.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type CallContext, type Plugin, serve, Service } from "../mod.ts";
import { Lifecycle } from "../src/core/lifecycle.ts";
import { health } from "../src/plugins/health.ts";
import { type PeriodicTask, periodicTasks } from "../src/plugins/tasks/tasks.ts";
import { TaskRunner } from "../src/plugins/tasks/periodic_task.ts";
import { until } from "./helpers.ts";

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));


const post = (url: string, body: string): Promise<Response> =>
  fetch(`${url}/api`, { method: "POST", headers: { "content-type": "application/json" }, body });

/** A plugin that only takes part in the start and the stop. */
const hooks = (start?: () => unknown, stop?: () => unknown): Plugin => ({
  name: "hooks",
  start: () => void start?.(),
  stop: async () => {
    await stop?.();
  },
});

describe("plugins' start and stop", () => {
  test("serve() runs the starts before it listens; close() answers calls in flight, then runs the stops", async () => {
    const events: string[] = [];
    const service = new Service({ name: "s" }).use(health()).use({
      name: "hooks",
      start: async () => {
        await delay(5);
        events.push(`start (${service.state})`);
      },
      stop: () => {
        events.push(`stop (${service.state})`);
      },
    }).publicMethod("slow", async () => {
      events.push("slow started");
      await delay(200);
      events.push("slow answered");
      return "done";
    });
    const server = await serve(service, { port: 0 });
    events.push("listening");
    assert.equal(service.state, "serving");
    const pending = post(server.url, '{"jsonrpc":"2.0","method":"slow","id":1}');
    await until(() => events.includes("slow started"));
    const closing = server.close();
    assert.equal(service.state, "stopping");
    assert.equal((await service.fetch(new Request("http://localhost/health"))).status, 503);
    assert.deepEqual(await (await pending).json(), { jsonrpc: "2.0", result: "done", id: 1 });
    await closing;
    assert.equal(service.state, "stopped");
    assert.deepEqual(events, ["start (starting)", "listening", "slow started", "slow answered", "stop (stopping)"]);
    assert.equal(server.close(), closing, "a second close() is the same close");
  });

  test("a start that throws fails serve(), nothing listens, and the plugins started before it are stopped", async () => {
    const events: string[] = [];
    const service = new Service({ name: "s" })
      .use(hooks(() => events.push("cache up"), () => events.push("cache down")))
      .use({
        name: "database",
        start: () => {
          throw new Error("no database");
        },
        stop: () => {
          events.push("database down");
        },
      });
    await assert.rejects(serve(service, { port: 0 }), /no database/);
    assert.equal(service.state, "idle");
    assert.deepEqual(events, ["cache up", "cache down"]);
  });

  test("plugins start in the order they were used and stop in reverse, every one even when one fails", async () => {
    const events: string[] = [];
    const named = (name: string, failStop = false): Plugin => ({
      name,
      start: () => {
        events.push(`start ${name}`);
      },
      stop: () => {
        events.push(`stop ${name}`);
        if (failStop) throw new Error(`${name} stop failed`);
      },
    });
    const service = new Service({ name: "s" }).use(named("a")).use(named("b", true)).use(named("c"));
    await service.startup();
    await assert.rejects(service.shutdown(), /b stop failed/);
    assert.deepEqual(events, ["start a", "start b", "start c", "stop c", "stop b", "stop a"]);
  });

  test("a start is given the service and the runtime's file access", async () => {
    let seen: unknown;
    const service = new Service({ name: "s" }).use({ name: "peek", start: (context) => {
      seen = [context.service.name, typeof context.files?.stat];
    } });
    const server = await serve(service, { port: 0 });
    await server.close();
    assert.deepEqual(seen, ["s", "function"]);
  });

  test("a start says so when no token validator lets anyone call the private methods", async (t) => {
    const warn = t.mock.method(console, "warn", () => {});
    const open = new Service({ name: "open" }).publicMethod("a", () => 1);
    await open.startup();
    await open.shutdown();
    assert.equal(warn.mock.callCount(), 0, "nothing to say without private methods");
    const closed = new Service({ name: "closed" }).privateMethod("secret", () => 1).privateMethod("other", () => 2);
    await closed.startup();
    await closed.shutdown();
    assert.deepEqual(warn.mock.calls.map((entry) => String(entry.arguments[0])), [
      "closed: no apiTokenIsValid: every call to secret, other is refused",
    ]);
  });

  test("plugins are added before the service starts, and must have a name", async () => {
    const service = new Service({ name: "s" });
    assert.throws(() => service.use({} as Plugin), /plugin: an object with a name/);
    assert.throws(() => service.use(null as unknown as Plugin), /plugin/);
    await service.startup();
    assert.throws(() => service.use(hooks()), /too late, the service has started/);
    await service.shutdown();
  });

  test("when listening fails, the start is undone (onStop runs)", async () => {
    const first = await serve(new Service({ name: "first" }), { port: 0 });
    let stopped = 0;
    const service = new Service({ name: "s" }).use(hooks(undefined, () => stopped++));
    await assert.rejects(serve(service, { port: first.port }));
    assert.equal(stopped, 1);
    assert.equal(service.state, "stopped");
    await first.close();
  });

  test("a service served twice stops when its last server closes", async () => {
    let stops = 0;
    const service = new Service({ name: "s" }).use(hooks(undefined, () => stops++));
    const [one, two] = [await serve(service, { port: 0 }), await serve(service, { port: 0 })];
    await one.close();
    assert.equal(service.state, "serving");
    assert.equal(stops, 0);
    await two.close();
    assert.equal(service.state, "stopped");
    assert.equal(stops, 1);
  });

  test("a stop's failure is close()'s", async () => {
    const service = new Service({ name: "s" }).use(hooks(undefined, () => {
      throw new Error("flush failed");
    }));
    const server = await serve(service, { port: 0 });
    await assert.rejects(server.close(), /flush failed/);
    assert.equal(service.state, "stopped");
  });

  test("start and stop without a server", async () => {
    const lifecycle = new Lifecycle({});
    await lifecycle.stop(); // never started: nothing to do
    assert.equal(lifecycle.state, "idle");
  });
});

describe("a service that a platform serves by itself (deno serve, bun run, a worker)", () => {
  const PLATFORM = { remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 50_000 } }; // what deno serve passes
  const call = (): Request => new Request("http://localhost/api", { method: "POST", headers: { "content-type": "application/json" }, body: '{"jsonrpc":"2.0","method":"ping","id":1}' });

  test("the first request starts it once, the ones that come meanwhile wait, and all are answered after the start", async () => {
    const events: string[] = [];
    let release = (): void => {};
    const service = new Service({ name: "s" }).use(hooks(async () => {
      events.push("start");
      await new Promise<void>((resolve) => (release = resolve));
      events.push("started");
    })).publicMethod("ping", () => {
      events.push("ping");
      return "pong";
    });
    const answers = [service.fetch(call(), PLATFORM), service.fetch(call(), PLATFORM), service.fetch(call(), PLATFORM)];
    await until(() => events.includes("start"));
    assert.equal(service.state, "starting");
    release();
    for (const answer of await Promise.all(answers)) assert.deepEqual(await answer.json(), { jsonrpc: "2.0", result: "pong", id: 1 });
    assert.deepEqual(events, ["start", "started", "ping", "ping", "ping"]);
    assert.equal(service.state, "serving");
    await service.shutdown();
    assert.equal(service.state, "stopped");
    // A stopped service is not started again by a late request.
    await (await service.fetch(call(), PLATFORM)).body?.cancel();
    assert.equal(service.state, "stopped");
  });

  test("a start that fails is reported once, answered 503, and a request after the back-off tries again", async () => {
    const reports: string[] = [];
    let attempts = 0;
    const service = new Service({ name: "s", onError: (error, { method }) => void reports.push(`${method}: ${String(error)}`) })
      .use(hooks(() => {
        attempts++;
        if (attempts === 1) throw new Error("database down");
      }))
      .publicMethod("ping", () => "pong");
    const failed = await Promise.all([service.fetch(call(), PLATFORM), service.fetch(call(), PLATFORM)]);
    assert.deepEqual(failed.map((response) => response.status), [503, 503]);
    assert.equal(await failed[0].text(), "Service Unavailable");
    assert.deepEqual(reports, ["start: Error: database down"]);
    assert.equal(service.state, "idle");
    // Within the back-off (1 s after a first failure): 503 at once, no new start per request.
    assert.equal((await service.fetch(call(), PLATFORM)).status, 503);
    assert.equal(attempts, 1);
    let answer: Response = await service.fetch(call(), PLATFORM);
    for (let i = 0; i < 100 && answer.status === 503; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      answer = await service.fetch(call(), PLATFORM);
    }
    assert.deepEqual(await answer.json(), { jsonrpc: "2.0", result: "pong", id: 1 });
    assert.equal(attempts, 2);
    await service.shutdown();
  });

  test("the back-off after failed starts doubles from startBackoff up to 30 s", async (t) => {
    t.mock.timers.enable({ apis: ["Date"], now: 0 });
    let tries = 0;
    let failing = true;
    const lifecycle = new Lifecycle({ onStart: () => {
      tries++;
      if (failing) throw new Error("down");
    }, startBackoff: 10_000 });
    // Whether a request at this moment makes a new try (true) or is refused at once (false).
    const triesAt = async (now: number): Promise<boolean> => {
      t.mock.timers.setTime(now);
      const before = tries;
      await lifecycle.startForRequest(() => {})?.catch(() => {});
      return tries > before;
    };
    assert.equal(await triesAt(0), true);
    // Waits of 10, 20, 30 and again 30 s, each counted from the failed try.
    const waits: number[] = [];
    let last = 0;
    for (let now = 1_000; waits.length < 4; now += 1_000) {
      if (await triesAt(now)) {
        waits.push(now - last);
        last = now;
      }
    }
    assert.deepEqual(waits, [10_000, 20_000, 30_000, 30_000]);
    failing = false;
    assert.equal(await triesAt(last + 29_999), false);
    assert.equal(await triesAt(last + 30_000), true, "the next try works");
    assert.equal(lifecycle.state, "serving");
  });

  test("a request with no second argument (a test, an adapter) starts nothing", async () => {
    let started = false;
    const service = new Service({ name: "s" }).use(hooks(() => (started = true))).publicMethod("ping", () => "pong");
    assert.deepEqual(await (await service.fetch(call())).json(), { jsonrpc: "2.0", result: "pong", id: 1 });
    assert.equal(started, false);
    assert.equal(service.state, "idle");
  });
});

describe("periodic tasks", () => {
  test("run while the server serves, and stop with it", async () => {
    let runs = 0;
    const service = new Service({ name: "s" }).use(periodicTasks([{
      every: 10,
      run: () => {
        runs++;
      },
    }]));
    assert.equal(runs, 0);
    const server = await serve(service, { port: 0 });
    await until(() => runs >= 3);
    await server.close();
    const after = runs;
    await delay(50);
    assert.equal(runs, after, "no run after close()");
  });

  test("never overlap themselves: a slow run delays the next one", async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const task: PeriodicTask = {
      every: 5,
      run: async () => {
        running++;
        most = Math.max(most, running);
        await delay(30);
        running--;
        runs++;
      },
    };
    const service = new Service({ name: "s" }).use(periodicTasks([task]));
    await service.startup();
    await until(() => runs >= 3);
    await service.shutdown();
    assert.equal(most, 1);
    assert.equal(running, 0, "the stop waited for the run in progress");
  });

  test("a run in progress sees its signal abort at the stop, and the stop waits for it", async () => {
    let aborted = false;
    let started = false;
    let finished = false;
    const service = new Service({ name: "s" }).use(periodicTasks([{
      every: 5,
      run: async (signal) => {
        started = true;
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
        aborted = signal.aborted;
        await delay(20);
        finished = true;
      },
    }]));
    await service.startup();
    await until(() => started);
    await service.shutdown();
    assert.ok(aborted);
    assert.ok(finished);
  });

  test("a run that throws is reported with the task's name, and the task goes on", async () => {
    const reported: string[] = [];
    let runs = 0;
    const service = new Service({ name: "s", onError: (_error, info) => reported.push(info.method) }).use(periodicTasks([{
        name: "refresh",
        every: 5,
        run: () => {
          runs++;
          throw new Error("flaky");
        },
      }, {
        every: 5,
        run: async function ping() {
          await Promise.reject(new Error("down"));
        },
      }]));
    await service.startup();
    await until(() => runs >= 2 && reported.includes("(periodic task ping)"));
    await service.shutdown();
    assert.ok(reported.includes("(periodic task refresh)"));
  });

  test("a failing reporter does not stop the task", async () => {
    let runs = 0;
    const runner = new TaskRunner({
      every: 5,
      run: () => {
        runs++;
        throw new Error("x");
      },
    }, () => {
      throw new Error("logger down");
    });
    runner.start();
    runner.start(); // a second start does nothing
    await until(() => runs >= 2);
    await runner.stop();
  });

  test("on a mocked clock: the first run one period after the start, the next one period after the last began, at once after a run longer than that", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    const starts: number[] = [];
    let takes = 0;
    const runner = new TaskRunner({
      every: 100,
      run: async () => {
        starts.push(Date.now());
        if (takes > 0) await new Promise((resolve) => setTimeout(resolve, takes));
      },
    }, () => {});
    const after = async (ms: number): Promise<number[]> => {
      t.mock.timers.tick(ms);
      await settle();
      return [...starts];
    };
    runner.start();
    assert.deepEqual(await after(99), []);
    assert.deepEqual(await after(1), [100]);
    takes = 30;
    assert.deepEqual(await after(50), [100], "a run that took no time: the next a whole period later");
    assert.deepEqual(await after(50), [100, 200]);
    assert.deepEqual(await after(30 + 69), [100, 200], "a run of 30 ms: the next 70 ms after it ends");
    assert.deepEqual(await after(1), [100, 200, 300]);
    takes = 150;
    assert.deepEqual(await after(150), [100, 200, 300]);
    assert.deepEqual(await after(0), [100, 200, 300, 450], "a run of 150 ms: the next at once");
    takes = 0;
    await after(150);
    await runner.stop();
    assert.deepEqual(await after(1_000), [100, 200, 300, 450], "nothing after the stop");
    // Stopped and started again while a run goes on: one schedule, not two.
    starts.length = 0;
    takes = 30;
    runner.start(); // at 1600
    assert.deepEqual(await after(100), [1_700]);
    const stopping = runner.stop();
    runner.start();
    await after(30);
    await stopping;
    assert.deepEqual(await after(70), [1_700, 1_800]);
    await after(30);
    await runner.stop();
  });

  test("a task without a name is reported by its function's name, or as anonymous", async () => {
    const where: string[] = [];
    const runners = [function refresh(): void {
      throw new Error("x");
    }, [() => {
      throw new Error("y");
    }][0] as () => void].map((run) => new TaskRunner({ every: 5, run }, (_error, at) => where.push(at)));
    for (const runner of runners) runner.start();
    await until(() => where.length >= 2);
    for (const runner of runners) await runner.stop();
    assert.deepEqual([...new Set(where)].sort(), ["(periodic task anonymous)", "(periodic task refresh)"]);
  });

  test("bad tasks are refused", () => {
    assert.throws(() => periodicTasks("nope" as never), new TypeError("periodicTasks takes a list of tasks: [{ every, run }]"));
    for (const task of [{ every: 0, run: () => {} }, { every: -1, run: () => {} }, { every: Infinity, run: () => {} }, { every: 10 }]) {
      assert.throws(() => periodicTasks([task as PeriodicTask]), TypeError);
    }
    assert.throws(() => periodicTasks([{ every: 10 } as PeriodicTask]), new TypeError("A periodic task needs a run function"));
    assert.throws(() => periodicTasks([{ every: "10" as never, run: () => {} }]), new TypeError("A periodic task's every must be a positive number of ms, got 10"));
    assert.throws(() => periodicTasks([{ every: Number.NaN, run: () => {} }]), new TypeError("A periodic task's every must be a positive number of ms, got NaN"));
    assert.throws(() => periodicTasks([{ every: Infinity, run: () => {} }]), new TypeError("A periodic task's every must be a positive number of ms, got Infinity"));
    periodicTasks([{ every: 0.5, run: () => {} }]);
  });
});

describe("close() with a drain delay", () => {
  test("keeps answering while the service already reports itself stopping, then stops listening", async () => {
    const service = new Service({ name: "s" }).use(health()).publicMethod("ping", () => "pong");
    const server = await serve(service, { port: 0, drainDelay: 300 });
    const closing = server.close();
    const ready = await fetch(`${server.url}/ready`);
    assert.equal(ready.status, 503, "readiness fails from the moment the stop begins");
    await ready.body?.cancel();
    const answer = await post(server.url, '{"jsonrpc":"2.0","method":"ping","id":1}');
    assert.deepEqual(await answer.json(), { jsonrpc: "2.0", result: "pong", id: 1 }, "a new request during the delay is answered");
    await closing;
    await assert.rejects(fetch(`${server.url}/ready`), "the listener is closed after the delay");
  });
});

describe("close() and its deadline", () => {
  test("calls still running at closeTimeout lose their connection, see their signal abort, and close() resolves", async () => {
    let signal: AbortSignal | undefined;
    const service = new Service({ name: "s" }).publicMethod("hang", async (ctx: CallContext) => {
      signal = ctx.signal;
      // Runs until its signal aborts (or 3 s, should it never).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 3_000);
        ctx.signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      });
      return "late";
    }, { context: true });
    const server = await serve(service, { port: 0, closeTimeout: 100 });
    const pending = post(server.url, '{"jsonrpc":"2.0","method":"hang","id":1}').then(() => "answered", () => "cut");
    await until(() => signal !== undefined);
    await server.close();
    assert.equal(await pending, "cut");
    assert.equal(signal?.aborted, true);
  });
});

describe("signals: true", () => {
  test("listens for SIGINT and SIGTERM while serving, and stops listening once closed", async () => {
    const before = [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
    const server = await serve(new Service({ name: "s" }), { port: 0, signals: true });
    assert.deepEqual([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")], [before[0]! + 1, before[1]! + 1]);
    await server.close();
    assert.deepEqual([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")], before);
  });
});
