// A model directory can record the guidance scale measured best for its weights; generation
// without an explicit scale uses it, and an explicit scale still wins.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadModel, saveModel } from '../model/store.ts';
import { tinyModelDir } from '../testing/tiny-model.ts';
import { loadPipeline } from './pipeline.ts';

test("generation uses the model's recorded guidance unless the request names one", async () => {
  const base = loadModel(await tinyModelDir());
  const dir = join(mkdtempSync(join(tmpdir(), 'sampling-')), 'model');
  saveModel(dir, { ...base, sampling: { guidance: 1 } });
  assert.deepEqual(loadModel(dir).sampling, { guidance: 1 });
  const pipe = await loadPipeline({ modelDir: dir, threads: 1, safety: null });
  try {
    const req = { prompt: 'a red apple on a blue background', width: 64, height: 64, steps: 2, seed: 3 };
    const [byDefault] = await pipe.generate(req);
    const [one] = await pipe.generate({ ...req, guidance: 1 });
    const [four] = await pipe.generate({ ...req, guidance: 4 });
    assert.deepEqual(byDefault!.image.data, one!.image.data);
    assert.notDeepEqual(byDefault!.image.data, four!.image.data);
    assert.equal(JSON.parse(byDefault!.metadata['flowpaint:parameters']!).guidance, 1);
  } finally {
    await pipe.release();
  }
});
