// Upscaler training pairs: exact pairs (the target averaged down) and snapped ones (the scene drawn at the low size).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layoutScene, renderScene, specForSeed } from '../data/index.ts';
import { Rng } from '../engine/index.ts';
import { CLEAN, boxDownsample2, makeScenePair } from './upscaler-data.ts';

const high = { width: 256, height: 192 };

test('an exact pair: the input is the ×8 target averaged over 8×8 blocks, and each target is the one above averaged over 2×2', async () => {
  const pair = await makeScenePair(11, high, CLEAN, new Rng(1));
  let down = pair.levels[8].high;
  for (let i = 0; i < 3; i++) down = boxDownsample2(down);
  assert.deepEqual(pair.low, down);
  assert.deepEqual(pair.levels[4].high, boxDownsample2(pair.levels[8].high));
  assert.deepEqual(pair.levels[2].high, boxDownsample2(pair.levels[4].high));
});

test('a snapped pair: the input is the same scene rendered at the low size, the targets stay exact renders', async () => {
  const pair = await makeScenePair(11, high, CLEAN, new Rng(1), 'train', true);
  const spec = specForSeed(11, 'train', { size: { width: 32, height: 24 } });
  assert.deepEqual(pair.low, renderScene(layoutScene(spec, 32, 24)).image);
  assert.deepEqual(pair.levels[8].high, renderScene(layoutScene(spec, 256, 192)).image);
  let down = pair.levels[8].high;
  for (let i = 0; i < 3; i++) down = boxDownsample2(down);
  assert.notDeepEqual(pair.low.data, down.data, 'a render at the low size snaps boxes to its own pixels, unlike the averaged target');
});
