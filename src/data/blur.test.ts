import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineKernel, motionBlur } from './blur.ts';
import { createImage, createMask, fillMaskBox, fillRect } from './image.ts';
import { countOutside, countSet, diffMask } from './pixels.ts';

test('the kernel is a centred line of the given length and direction', () => {
  assert.deepEqual(lineKernel(5, 0), [[-2, 0], [-1, 0], [0, 0], [1, 0], [2, 0]]);
  const v = lineKernel(3, 90);
  assert.deepEqual(v.map(([x, y]) => [Math.abs(x), y]), [[0, -1], [0, 0], [0, 1]]);
});

test('horizontal blur smears a vertical edge sideways only', () => {
  const img = createImage(32, 32, [0, 0, 0]);
  fillRect(img, { x: 16, y: 0, width: 16, height: 32 }, [255, 255, 255]);
  const out = motionBlur(img, 5, 0);
  // Rows are identical (nothing moved vertically) and the edge became a ramp.
  const row = (y: number) => Array.from(out.data.subarray(y * 96, y * 96 + 96));
  assert.deepEqual(row(3), row(20));
  assert.equal(out.data[(5 * 32 + 16) * 3], Math.round((3 * 255) / 5));
  assert.equal(out.data[(5 * 32 + 5) * 3], 0);
});

test('a region blur changes only the region; flat areas stay the same', () => {
  const img = createImage(40, 40, [10, 200, 30]);
  fillRect(img, { x: 10, y: 10, width: 5, height: 5 }, [250, 0, 0]);
  const region = createMask(40, 40);
  fillMaskBox(region, { x: 0, y: 0, width: 20, height: 20 });
  const out = motionBlur(img, 7, 30, region);
  const changed = diffMask(img, out);
  assert.equal(countOutside(changed, region), 0);
  assert.ok(countSet(changed) > 0);
  const flat = motionBlur(createImage(20, 20, [7, 8, 9]), 9, 45);
  assert.ok(flat.data.every((v, i) => v === [7, 8, 9][i % 3]));
});
