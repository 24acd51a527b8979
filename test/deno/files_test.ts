// `deno test -A test/deno/`: Deno's file access for static folders reads a byte range exactly, in
// chunks, and closes the file once the stream ends or is cancelled (counted in /proc/self/fd).
import assert from "node:assert/strict";
import { denoFileAccess } from "../../src/adapters/deno_files.ts";

// The parts of Deno's API this file uses, declared here so that tsc (for Node) checks it too.
interface DenoForTests {
  test(name: string, fn: () => Promise<void>): void;
  makeTempFile(): Promise<string>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  remove(path: string): Promise<void>;
  realPath(path: string): Promise<string>;
  readDir(path: string): AsyncIterable<{ name: string }>;
  readLink(path: string): Promise<string>;
  truncate(path: string, length: number): Promise<void>;
}
const deno = (globalThis as unknown as { Deno: DenoForTests }).Deno;

const SIZE = 300 * 1024;

/** How many of this process's file descriptors are open on a file (Linux's /proc/self/fd). */
async function openCount(file: string): Promise<number> {
  let count = 0;
  for await (const entry of deno.readDir("/proc/self/fd")) {
    const target = await deno.readLink(`/proc/self/fd/${entry.name}`).catch(() => "");
    if (target === file) count++;
  }
  return count;
}

async function withFile(run: (file: string) => Promise<void>): Promise<void> {
  const file = await deno.realPath(await deno.makeTempFile());
  await deno.writeFile(file, Uint8Array.from({ length: SIZE }, (_, index) => index % 251));
  try {
    await run(file);
  } finally {
    await deno.remove(file);
  }
}

deno.test("a range is read exactly, in chunks, and the file is closed at its end", async () => {
  await withFile(async (file) => {
    const start = 1000;
    const end = SIZE - 1000;
    let chunks = 0;
    let at = start;
    for await (const chunk of await denoFileAccess.open(file, { start, end })) {
      chunks++;
      assert.ok(chunk.every((byte, index) => byte === (at + index) % 251), `the bytes at ${String(at)}`);
      at += chunk.length;
    }
    assert.equal(at, end + 1, "every byte of the range, and no more");
    assert.ok(chunks > 1, `read in chunks (${chunks})`);
    assert.equal(await openCount(file), 0);
  });
});

deno.test("a range stream cancelled early closes its file", async () => {
  await withFile(async (file) => {
    const reader = (await denoFileAccess.open(file, { start: 1, end: SIZE - 2 })).getReader();
    await reader.read();
    assert.equal(await openCount(file), 1, "open while it is read");
    await reader.cancel();
    assert.equal(await openCount(file), 0, "closed once cancelled");
  });
});

deno.test("a file that shrank since its stat fails the stream rather than ending short, and is closed", async () => {
  await withFile(async (file) => {
    const stream = await denoFileAccess.open(file, { start: 0, end: SIZE - 1 });
    await deno.truncate(file, 1000);
    await assert.rejects(new Response(stream).arrayBuffer(), /ended before the bytes its answer promised/);
    assert.equal(await openCount(file), 0);
  });
});
