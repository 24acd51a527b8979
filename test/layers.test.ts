// The layers of DESIGN.md point one way: protocol at the bottom, dispatch (src/core) above it, the
// HTTP endpoint above dispatch, the Service (the composition root) above both, and no import
// cycle anywhere in src/ (type-only imports included: they are how a cycle starts). A layer may
// not reach a forbidden one through any chain of imports either.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));

/** Every module of src/ with the src/ modules it imports, as paths relative to src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith(".ts")) {
        const imported = ts.preProcessFile(readFileSync(path, "utf8"), true, false).importedFiles
          .map((file) => file.fileName)
          .filter((name) => name.startsWith("."))
          .map((name) => relative(SRC, resolve(dirname(path), name)));
        graph.set(relative(SRC, path), imported);
      }
    }
  };
  walk(SRC);
  return graph;
}

/** The cycles found by a depth-first walk, each as the chain of modules that closes it. */
function cyclesOf(graph: Map<string, string[]>): string[] {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (module: string): void => {
    state.set(module, "open");
    stack.push(module);
    for (const next of graph.get(module) ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next].join(" → "));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(module, "done");
  };
  for (const module of graph.keys()) if (!state.has(module)) visit(module);
  return found;
}

/**
 * The modules under `from` that reach, directly or through others, a module `forbidden` says no
 * to, each with the chain of imports that gets there.
 */
function crossings(graph: Map<string, string[]>, from: (module: string) => boolean, forbidden: (module: string) => boolean): string[] {
  const found: string[] = [];
  for (const start of graph.keys()) {
    if (!from(start)) continue;
    // A breadth-first walk, keeping how each module was reached.
    const via = new Map<string, string>([[start, ""]]);
    const queue = [start];
    while (queue.length > 0) {
      const module = queue.shift() as string;
      for (const next of graph.get(module) ?? []) {
        if (via.has(next)) continue;
        via.set(next, module);
        if (forbidden(next)) {
          const chain = [next];
          for (let at = module; at !== ""; at = via.get(at) ?? "") chain.unshift(at);
          found.push(chain.join(" → "));
          continue;
        }
        queue.push(next);
      }
    }
  }
  return found;
}

const COMPOSITION_ROOT = new Set(["core/service.ts", "core/class_service.ts", "core/plugin.ts"]);
/** What every layer may use: long timers, on any runtime. */
const SHARED = new Set(["timer.ts"]);
const under = (...folders: string[]) => (module: string): boolean => folders.some((folder) => module.startsWith(`${folder}/`));

describe("the layers of src/", () => {
  const graph = importGraph();

  test("finds the imports it checks (the graph is not empty)", () => {
    assert.ok(graph.size > 100);
    assert.ok(graph.get("core/service.ts")?.includes("core/dispatch.ts"));
    // A cycle made on purpose is found, so an empty answer below means something.
    assert.deepEqual(cyclesOf(new Map([["a.ts", ["b.ts"]], ["b.ts", ["a.ts"]]])), ["a.ts → b.ts → a.ts"]);
    // A forbidden module reached through another is found, with the way there.
    const reached = crossings(new Map([["client/a.ts", ["tracing/b.ts"]], ["tracing/b.ts", ["core/c.ts"]], ["core/c.ts", []]]), (module) => module.startsWith("client/"), (module) => module.startsWith("core/"));
    assert.deepEqual(reached, ["client/a.ts → tracing/b.ts → core/c.ts"]);
  });

  test("no import cycles", () => {
    assert.deepEqual(cyclesOf(graph), []);
  });

  test("protocol imports nothing above it", () => {
    assert.deepEqual(crossings(graph, under("protocol"), (target) => !target.startsWith("protocol/")), []);
  });

  test("dispatch and the rest of src/core know nothing of HTTP, adapters, plugins or the client; only the Service (the composition root) does", () => {
    const inCore = (module: string): boolean => module.startsWith("core/") && !COMPOSITION_ROOT.has(module);
    assert.deepEqual(crossings(graph, inCore, (target) => !target.startsWith("core/") && !target.startsWith("protocol/") && !SHARED.has(target)), []);
  });

  test("the HTTP endpoint sits above dispatch and below the Service: it never imports the composition root, plugins or adapters", () => {
    assert.deepEqual(crossings(graph, under("http"), (target) => COMPOSITION_ROOT.has(target) || under("plugins", "adapters", "client")(target)), []);
  });

  test("the client stands alone: it never imports the service side", () => {
    assert.deepEqual(crossings(graph, under("client"), under("core", "http", "adapters", "plugins")), []);
  });
});
