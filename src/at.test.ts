import assert from 'node:assert/strict';
import { test } from 'node:test';
import { at } from './at.ts';

test('at returns the element, or names the array and the index it lacks', () => {
  assert.equal(at([4, 5, 6], 2, 'sizes'), 6);
  assert.equal(at(new Float32Array([0.5]), 0, 'ts'), 0.5);
  assert.equal(at([0, null], 1, 'nullable'), null);
  assert.throws(() => at([4, 5, 6], 3, 'sizes'), /sizes: no element at index 3 \(length 3\)/);
  assert.throws(() => at(new Int32Array(2), -1, 'ids'), /ids: no element at index -1 \(length 2\)/);
});
