// The committed recipe (recipes/*.json, one file per curriculum stage) must load, and every stage
// must keep the architecture of the one before it: a stage starts with --init-from the previous
// stage's export, which refuses tensors of another shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadTrainConfig } from './config.ts';

const dir = join(import.meta.dirname, '..', '..', 'recipes');

test('every recipe stage loads and keeps the architecture of the stage before it', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  assert.ok(files.length >= 2, `recipes/ holds ${files.length} stage files`);
  const stages = files.map((f) => ({ f, c: loadTrainConfig(join(dir, f)) }));
  for (const { f, c } of stages) {
    assert.ok(c.layoutLossWeight > 0, `${f}: the layout loss is what makes the model place objects`);
    assert.deepEqual(c.model, stages[0]!.c.model, `${f}: architecture differs from ${stages[0]!.f}`);
  }
  // Later stages widen the world, never narrow it.
  const objects = stages.map(({ c }) => c.data?.maxObjects ?? 4);
  assert.deepEqual(objects, [...objects].sort((a, b) => a - b));
});
