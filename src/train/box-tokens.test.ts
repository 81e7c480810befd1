// The two ways a box claims tokens: any overlap (object loss weight) and a quarter of the token
// or the box's centre (layout labels).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boxTokens } from './box-tokens.ts';

const grid = { rows: 4, cols: 4 };
const patch = 8;

test('a box grazing a token claims it by overlap, not by a quarter of its area', () => {
  // Covers token (0, 0) fully and one pixel column of token (0, 1).
  const box = { x: 0, y: 0, width: 9, height: 8 };
  assert.deepEqual(boxTokens(box, grid, patch, 'overlap'), [0, 1]);
  assert.deepEqual(boxTokens(box, grid, patch, 'quarter-or-centre'), [0]);
  // A quarter of token (0, 1) is enough: 2 columns × 8 rows = 16 = 64 / 4.
  assert.deepEqual(boxTokens({ ...box, width: 10 }, grid, patch, 'quarter-or-centre'), [0, 1]);
});

test('a box smaller than a quarter token still claims the token holding its centre', () => {
  const box = { x: 20, y: 9, width: 3, height: 3 };
  assert.deepEqual(boxTokens(box, grid, patch, 'overlap'), [1 * 4 + 2]);
  assert.deepEqual(boxTokens(box, grid, patch, 'quarter-or-centre'), [1 * 4 + 2]);
  // Straddling four tokens with under a quarter in each: only the centre's token.
  const small = { x: 6, y: 6, width: 4, height: 4 };
  assert.deepEqual(boxTokens(small, grid, patch, 'overlap'), [0, 1, 4, 5]);
  assert.deepEqual(boxTokens(small, grid, patch, 'quarter-or-centre'), [5]);
});

test('boxes beyond the picture are clipped to the grid; an empty box claims nothing', () => {
  const box = { x: -8, y: 24, width: 16, height: 16 };
  assert.deepEqual(boxTokens(box, grid, patch, 'overlap'), [12]);
  assert.deepEqual(boxTokens(box, grid, patch, 'quarter-or-centre'), [12]);
  assert.deepEqual(boxTokens({ x: 40, y: 0, width: 8, height: 8 }, grid, patch, 'overlap'), []);
  assert.deepEqual(boxTokens({ x: 8, y: 8, width: 0, height: 8 }, grid, patch, 'overlap'), []);
});
