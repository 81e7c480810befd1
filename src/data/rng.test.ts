import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataRng, mixSeed, hashString } from './rng.ts';

test('the same seed gives the same sequence, different seeds differ', () => {
  const a = new DataRng(42);
  const b = new DataRng(42);
  const c = new DataRng(43);
  const sa = Array.from({ length: 20 }, () => a.nextU32());
  const sb = Array.from({ length: 20 }, () => b.nextU32());
  const sc = Array.from({ length: 20 }, () => c.nextU32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
});

test('int stays in range and reaches both ends', () => {
  const r = new DataRng(1);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const v = r.int(3, 7);
    assert.ok(v >= 3 && v <= 7);
    seen.add(v);
  }
  assert.deepEqual([...seen].sort(), [3, 4, 5, 6, 7]);
});

test('float is roughly uniform', () => {
  const r = new DataRng(9);
  const bins = new Array(10).fill(0);
  for (let i = 0; i < 10000; i++) bins[Math.floor(r.float() * 10)]++;
  for (const b of bins) assert.ok(b > 850 && b < 1150, `bin count ${b}`);
});

test('mixSeed separates large seeds and argument order', () => {
  assert.notEqual(mixSeed(1, 2), mixSeed(2, 1));
  assert.notEqual(mixSeed(2 ** 33), mixSeed(2 ** 34));
  assert.equal(mixSeed(5, 6), mixSeed(5, 6));
  assert.notEqual(hashString('ab'), hashString('ba'));
});

test('shuffle is a permutation and deterministic', () => {
  const items = Array.from({ length: 30 }, (_, i) => i);
  const s1 = new DataRng(3).shuffle(items);
  const s2 = new DataRng(3).shuffle(items);
  assert.deepEqual(s1, s2);
  assert.deepEqual([...s1].sort((a, b) => a - b), items);
  assert.notDeepEqual(s1, items);
});
