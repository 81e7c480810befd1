import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aspectBuckets, nearestBucket } from './buckets.ts';

test('buckets: multiples of 16, within the pixel budget, both orientations', () => {
  for (const max of [64 * 64, 128 * 128, 256 * 256, 512 * 512, 1_048_576]) {
    const bs = aspectBuckets(max);
    assert.ok(bs.length >= 1);
    for (const b of bs) {
      assert.equal(b.width % 16, 0);
      assert.equal(b.height % 16, 0);
      assert.ok(b.width >= 64 && b.height >= 64);
      assert.ok(b.width * b.height <= max);
      assert.ok(bs.some((o) => o.width === b.height && o.height === b.width), `${b.width}x${b.height} has no transpose`);
    }
  }
  const big = aspectBuckets(1_048_576);
  assert.ok(big.some((b) => b.width === 1024 && b.height === 1024));
  assert.ok(big.some((b) => b.width > 1024), 'a side may exceed 1024 within the pixel limit');
  assert.ok(big.every((b) => b.width * b.height >= 0.95 * 1_048_576), 'each bucket uses nearly all the budget');
});

test('nearestBucket picks by aspect ratio', () => {
  const bs = aspectBuckets(256 * 256);
  assert.deepEqual(nearestBucket(1000, 1000, bs), { width: 256, height: 256 });
  const wide = nearestBucket(1920, 1080, bs);
  assert.ok(wide.width > wide.height);
  const tall = nearestBucket(600, 2400, bs);
  assert.ok(tall.height >= 3 * tall.width);
});

test('impossible budgets are refused', () => {
  assert.throws(() => aspectBuckets(1000), { name: 'InputError' });
  assert.throws(() => aspectBuckets(2_000_000), { name: 'InputError' });
});
