// --init-from into a deeper model: the blocks the architecture grew start as the identity
// (adaLN-Zero gates at zero), so the grown model predicts exactly what its start did and a run
// that adds depth continues from the old model's knowledge.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Rng } from '../engine/index.ts';
import type { ModelConfig } from '../model/config.ts';
import { buildTrainingGraph } from '../model/graphs.ts';
import { gridFor } from '../model/layout.ts';
import { ModelRunner } from '../model/runner.ts';
import { type LoadedModel, loadModel, saveModel } from '../model/store.ts';
import { randomTinyModel } from '../testing/tiny-model.ts';
import { loadCheckpoint } from './checkpoint.ts';
import { TRAIN_PRESETS } from './config.ts';
import { startingWeights, summariseTensorNames } from './init-from.ts';
import { train } from './trainer.ts';

const scratch = mkdtempSync(join(tmpdir(), 'flowpaint-init-from-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const randomTiny = () => randomTinyModel(join(scratch, 'base'), 11);

async function predict(m: LoadedModel, noisy: Float32Array): Promise<Float32Array> {
  const runner = await ModelRunner.create(m, { threads: 1 });
  try {
    const side = 4 * m.config.patchSize;
    const cond = await runner.encode(['a red apple on a blue background']);
    const [out] = await runner.predict({ noisy: [noisy], t: 0.6, grid: gridFor(side, side, m.config.patchSize), cond });
    return out!;
  } finally {
    await runner.release();
  }
}

test('two more blocks: the grown model predicts what its start predicted, and the notice names the new blocks', async () => {
  const base = await randomTiny();
  const deeper: ModelConfig = { ...base.config, depth: base.config.depth + 2 };
  const { weights, fresh } = startingWeights(buildTrainingGraph(deeper, 1).scope, base, 5);
  const d = base.config.depth;
  assert.equal(summariseTensorNames(fresh.filter((n) => n.startsWith('denoiser.'))).split(', ').length, 2);
  assert.match(summariseTensorNames(fresh), new RegExp(`denoiser\\.blocks\\.${d}\\.\\* \\(\\d+ tensors\\), denoiser\\.blocks\\.${d + 1}\\.\\* \\(\\d+ tensors\\)`));
  const dir = join(scratch, 'deeper');
  for (const name of [...weights.keys()]) if (name.startsWith('layout_head')) weights.delete(name); // training-only head
  saveModel(dir, { config: deeper, info: base.info, weights, tokenizer: base.tokenizer }, 'float32');

  const noisy = new Rng(3).fillNormal(new Float32Array(16 * base.config.patchSize ** 2 * 3));
  const want = await predict(base, noisy);
  const got = await predict(loadModel(dir), noisy);
  const scale = Math.max(...Array.from(want, Math.abs));
  assert.ok(scale > 0.1, 'the reference output is not trivial');
  const err = Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i]!))) / scale;
  assert.ok(err < 1e-5, `max relative error ${err}`);
});

test('a grown detail head: the model predicts what its start predicted, and training moves the head', async () => {
  const base = await randomTiny();
  const grown: ModelConfig = { ...base.config, detailHead: { channels: 4, layers: 2 } };
  const { weights, fresh } = startingWeights(buildTrainingGraph(grown, 1).scope, base, 5);
  assert.ok(fresh.length > 0 && fresh.every((n) => n.startsWith('denoiser.detail_head.') || n.startsWith('layout_head')), fresh.join(', '));
  for (const name of [...weights.keys()]) if (name.startsWith('layout_head')) weights.delete(name);
  const dir = join(scratch, 'detail');
  saveModel(dir, { config: grown, info: base.info, weights, tokenizer: base.tokenizer }, 'float32');
  const noisy = new Rng(4).fillNormal(new Float32Array(16 * base.config.patchSize ** 2 * 3));
  const want = await predict(base, noisy);
  const got = await predict(loadModel(dir), noisy);
  const scale = Math.max(...Array.from(want, Math.abs));
  const err = Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i]!))) / scale;
  assert.ok(err < 1e-5, `max relative error ${err}`);

  // Training reaches the zero-initialised last convolution (the head is not stuck at identity).
  const run = mkdtempSync(join(tmpdir(), 'flowpaint-detail-run-'));
  const config = { ...TRAIN_PRESETS.tiny!, model: grown, steps: 3, warmupSteps: 1, checkpointEvery: 3 };
  await train({ config, runDir: run, resume: false, initFrom: dir, maxSteps: 3 });
  const last = loadCheckpoint(run).state.params.get('denoiser.detail_head.conv1.weight')!.f32();
  assert.ok(last.some((v) => v !== 0), 'the last convolution moved off zero');
  rmSync(run, { recursive: true, force: true });
});

test('tensor names outside numbered modules are listed as they are', () => {
  assert.equal(summariseTensorNames(['text.ln_out.weight', 'denoiser.blocks.3.img.q.weight', 'denoiser.blocks.3.img.q.bias']), 'text.ln_out.weight, denoiser.blocks.3.* (2 tensors)');
});
