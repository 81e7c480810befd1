// The graph cache: a second start reads what the first built; a changed key, a corrupted or a
// truncated file is rebuilt (and repaired); a cache that cannot be written still yields the graph.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cachedGraph, pruneCache } from './graph-cache.ts';

const root = mkdtempSync(join(tmpdir(), 'flowpaint-graph-cache-'));
after(() => rmSync(root, { recursive: true, force: true }));

function builder(bytes: number[]) {
  const b = { calls: 0, build: () => (b.calls++, Uint8Array.from(bytes)) };
  return b;
}

test('the first call builds and writes; the next reads the same bytes without building', () => {
  const b = builder([1, 2, 3, 4]);
  const first = cachedGraph({ slot: 'a', key: { weights: 'w1' }, root }, b.build);
  assert.equal(first.outcome, 'built');
  const second = cachedGraph({ slot: 'a', key: { weights: 'w1' }, root }, b.build);
  assert.equal(second.outcome, 'hit');
  assert.deepEqual([...second.bytes], [1, 2, 3, 4]);
  assert.equal(b.calls, 1);
});

test('a changed key (other weights) rebuilds and replaces the entry', () => {
  cachedGraph({ slot: 'b', key: { weights: 'w1' }, root }, builder([1]).build);
  const b = builder([9, 9]);
  const stale = cachedGraph({ slot: 'b', key: { weights: 'w2' }, root }, b.build);
  assert.equal(stale.outcome, 'stale');
  assert.deepEqual([...stale.bytes], [9, 9]);
  assert.equal(cachedGraph({ slot: 'b', key: { weights: 'w2' }, root }, b.build).outcome, 'hit');
  assert.equal(b.calls, 1);
});

test('a corrupted or truncated file is detected, rebuilt and repaired', () => {
  const path = join(root, 'graphs', 'c.onnx');
  const b = builder([5, 6, 7, 8, 9]);
  cachedGraph({ slot: 'c', key: 1, root }, b.build);
  const file = readFileSync(path);
  file[file.length - 2]! ^= 0xff;
  writeFileSync(path, file);
  const broken = cachedGraph({ slot: 'c', key: 1, root }, b.build);
  assert.equal(broken.outcome, 'broken');
  assert.deepEqual([...broken.bytes], [5, 6, 7, 8, 9]);
  assert.equal(cachedGraph({ slot: 'c', key: 1, root }, b.build).outcome, 'hit', 'the rebuilt file was written back');
  truncateSync(path, 20);
  assert.equal(cachedGraph({ slot: 'c', key: 1, root }, b.build).outcome, 'broken');
  writeFileSync(path, 'not a cache file');
  assert.equal(cachedGraph({ slot: 'c', key: 1, root }, b.build).outcome, 'broken');
  assert.deepEqual([...cachedGraph({ slot: 'c', key: 1, root }, b.build).bytes], [5, 6, 7, 8, 9]);
});

test('a cache folder that cannot be written still yields the graph', () => {
  const blocked = join(root, 'a-file');
  writeFileSync(blocked, '');
  const got = cachedGraph({ slot: 'd', key: 1, root: blocked }, builder([3]).build);
  assert.equal(got.outcome, 'built');
  assert.deepEqual([...got.bytes], [3]);
});

test('the folder is held to its size limit by removing the entries used longest ago', () => {
  const dir = mkdtempSync(join(root, 'prune-'));
  const at = (name: string, secondsAgo: number) => {
    writeFileSync(join(dir, name), Buffer.alloc(100));
    const t = new Date(Date.now() - secondsAgo * 1000);
    utimesSync(join(dir, name), t, t);
  };
  at('old.onnx', 300);
  at('middle.onnx', 200);
  at('new.onnx', 100);
  at('written-now.onnx', 400); // oldest mtime, but it is the one being kept
  writeFileSync(join(dir, 'other.onnx.123.tmp'), Buffer.alloc(1000)); // another process's write
  const removed = pruneCache(dir, 250, join(dir, 'written-now.onnx'));
  assert.deepEqual(removed, ['old.onnx', 'middle.onnx']);
  assert.deepEqual(readdirSync(dir).sort(), ['new.onnx', 'other.onnx.123.tmp', 'written-now.onnx']);
  assert.deepEqual(pruneCache(dir, 10_000), [], 'under the limit nothing goes');
});

test('a hit marks its entry as used, so a write past the limit removes the other one', () => {
  const dir = mkdtempSync(join(root, 'lru-'));
  const previous = process.env.FLOWPAINT_GRAPH_CACHE_MB;
  process.env.FLOWPAINT_GRAPH_CACHE_MB = String(400 / (1024 * 1024)); // 400 bytes: two entries of ~170
  try {
    const graph = (slot: string) => cachedGraph({ slot, key: 1, root: dir }, builder(Array(100).fill(7)).build);
    graph('a');
    graph('b');
    const past = new Date(Date.now() - 60_000);
    for (const s of ['a', 'b']) utimesSync(join(dir, 'graphs', `${s}.onnx`), past, past);
    assert.equal(graph('a').outcome, 'hit'); // a is now the most recently used
    graph('c'); // a third entry is over 400 bytes, so the least recently used (b) goes
    assert.ok(existsSync(join(dir, 'graphs', 'a.onnx')) && existsSync(join(dir, 'graphs', 'c.onnx')));
    assert.ok(!existsSync(join(dir, 'graphs', 'b.onnx')));
  } finally {
    if (previous === undefined) delete process.env.FLOWPAINT_GRAPH_CACHE_MB;
    else process.env.FLOWPAINT_GRAPH_CACHE_MB = previous;
  }
});
