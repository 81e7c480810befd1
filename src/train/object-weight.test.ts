// Object-weighted loss: the tokens a sprite or plate covers get TrainConfig.objectLossWeight.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SceneStream } from '../data/stream.ts';
import { PRESETS } from '../model/config.ts';
import { gridFor } from '../model/layout.ts';
import { weighCovered } from './batch.ts';

test('exactly the tokens under an object instance or plate box take the weight', () => {
  const stream = new SceneStream({ seed: 3, buckets: [{ width: 64, height: 64 }], editFraction: 0 });
  const patch = PRESETS.tiny!.patchSize;
  let checked = 0;
  for (let i = 0; i < 20; i++) {
    const s = stream.next();
    if (s.kind !== 't2i') continue;
    const grid = gridFor(s.image.width, s.image.height, patch);
    const w = new Float32Array(grid.rows * grid.cols).fill(1);
    weighCovered(w, s.scene, grid, patch, 5);
    const boxes = [...s.scene.objects.flatMap((o) => o.instances), ...s.scene.texts.map((t) => t.bbox)];
    for (let r = 0; r < grid.rows; r++) {
      for (let c = 0; c < grid.cols; c++) {
        const overlaps = boxes.some((b) => b.x < (c + 1) * patch && b.x + b.width > c * patch && b.y < (r + 1) * patch && b.y + b.height > r * patch);
        assert.equal(w[r * grid.cols + c], overlaps ? 5 : 1, `sample ${i}, token (${r}, ${c})`);
      }
    }
    if (boxes.length > 0) checked++;
  }
  assert.ok(checked >= 10, `only ${checked} samples had objects`);
});
