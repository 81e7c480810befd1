// The layout loss's labels (what covers each token) and its head in the training graph.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { OBJECT_CLASSES } from '../data/catalog.ts';
import { COLOR_NAMES } from '../data/colors.ts';
import type { SceneObject } from '../data/scene.ts';
import { SceneStream } from '../data/stream.ts';
import { PRESETS } from '../model/config.ts';
import { gridFor } from '../model/layout.ts';
import { ModelRunner } from '../model/runner.ts';
import { loadModel } from '../model/store.ts';
import { loadCheckpoint } from './checkpoint.ts';
import { TRAIN_PRESETS } from './config.ts';
import { LAYOUT_CLASSES, tokenLabels } from './layout-labels.ts';
import { exportRun } from './export.ts';
import { train } from './trainer.ts';

test('every token under an object gets its class and colour; background tokens get 0', () => {
  const stream = new SceneStream({ seed: 11, buckets: [{ width: 128, height: 128 }], editFraction: 0, scope: { textChance: 0 } });
  const patch = PRESETS.small!.patchSize;
  let objectsSeen = 0;
  for (let i = 0; i < 30; i++) {
    const s = stream.next();
    if (s.kind !== 't2i') continue;
    const grid = gridFor(128, 128, patch);
    const labels = tokenLabels(s.scene, grid, patch);
    const overlaps = (b: { x: number; y: number; width: number; height: number }, r: number, c: number) =>
      b.x < (c + 1) * patch && b.x + b.width > c * patch && b.y < (r + 1) * patch && b.y + b.height > r * patch;
    for (const obj of s.scene.objects) {
      for (const box of obj.instances) {
        // The token holding an instance's centre carries an object (this one, unless a later one shares the token).
        const r = Math.min(grid.rows - 1, Math.floor((box.y + box.height / 2) / patch));
        const c = Math.min(grid.cols - 1, Math.floor((box.x + box.width / 2) / patch));
        assert.ok(labels.classes[r * grid.cols + c]! >= 2, `sample ${i}: ${obj.classId} at token (${r}, ${c}) is unlabelled`);
        objectsSeen++;
      }
    }
    // Every labelled token names an object of the scene (class and colour) that covers it.
    for (let t = 0; t < labels.classes.length; t++) {
      const r = Math.floor(t / grid.cols);
      const c = t % grid.cols;
      if (labels.classes[t] === 0) {
        assert.equal(labels.colors[t], 0);
        continue;
      }
      const owner: SceneObject | undefined = s.scene.objects.find(
        (o) => 2 + OBJECT_CLASSES.findIndex((k) => k.id === o.classId) === labels.classes[t] && o.instances.some((b) => overlaps(b, r, c)),
      );
      assert.ok(owner, `sample ${i}: token ${t} is labelled ${labels.classes[t]} but no such object covers it`);
      assert.equal(labels.colors[t], owner.color === null ? 1 : 2 + COLOR_NAMES.indexOf(owner.color), `sample ${i}: colour of token ${t}`);
    }
  }
  assert.ok(objectsSeen >= 20, `only ${objectsSeen} objects`);
});

test('training with the layout loss learns the labels, and the exported model still loads and runs without the head', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'run-layout-'));
  const config = {
    ...TRAIN_PRESETS.tiny!,
    steps: 20,
    checkpointEvery: 20,
    warmupSteps: 2,
    editFraction: 0.3,
    layoutLossWeight: 1,
    logEvery: 1,
    lr: 3e-3,
    data: { classes: ['apple', 'cat'], maxObjects: 1, maxCount: 1, sizes: ['large' as const], textChance: 0 },
  };
  await train({ config, runDir: dir, resume: false });
  const losses = loadMetrics(dir);
  // The total loss is dominated by the head's cross-entropy (ln LAYOUT_CLASSES ≈ 5.7 at the start).
  assert.ok(losses[0]! > 2, `first logged loss ${losses[0]}`);
  assert.ok(losses.at(-1)! < losses[0]! / 2, `the layout loss did not fall: ${losses.join(', ')}`);
  const ck = loadCheckpoint(dir);
  assert.deepEqual(ck.state.params.get('layout_head.class.weight')!.shape, [PRESETS.tiny!.width, LAYOUT_CLASSES]);
  exportRun(dir, join(dir, 'model'), { id: 'layout-test', version: '0' });
  const m = loadModel(join(dir, 'model'));
  assert.ok(m.weights.has('layout_head.class.weight'), 'the head travels with the weights so --init-from continues it');
  const runner = await ModelRunner.create(m);
  try {
    const cond = await runner.encode(['a cat on a blue background']);
    const p = runner.config.patchSize;
    const x = await runner.predict({ noisy: [new Float32Array(64 * 64 * 3)], t: 1, grid: { rows: 64 / p, cols: 64 / p }, cond });
    assert.equal(x[0]!.length, 64 * 64 * 3);
  } finally {
    await runner.release();
  }
});

function loadMetrics(dir: string): number[] {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).loss as number);
}
