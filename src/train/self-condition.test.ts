// Self-conditioning (ModelConfig.selfCondition): a model grown into it starts as it was, training
// teaches the new input, and sampling hands every branch its own estimate from the step before.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Rng } from '../engine/index.ts';
import type { ModelConfig } from '../model/config.ts';
import { buildTrainingGraph } from '../model/graphs.ts';
import { gridFor } from '../model/layout.ts';
import { type PredictInput, ModelRunner } from '../model/runner.ts';
import { type LoadedModel, loadModel, saveModel } from '../model/store.ts';
import { loadPipeline } from '../pipeline/pipeline.ts';
import { randomTinyModel } from '../testing/tiny-model.ts';
import { loadCheckpoint } from './checkpoint.ts';
import { TRAIN_PRESETS } from './config.ts';
import { startingWeights } from './init-from.ts';
import { train } from './trainer.ts';

const scratch = mkdtempSync(join(tmpdir(), 'flowpaint-self-cond-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const SIDE_TOKENS = 4;

async function predictWith(m: LoadedModel, noisy: Float32Array, estimate?: Float32Array): Promise<Float32Array> {
  const runner = await ModelRunner.create(m, { threads: 1 });
  try {
    const side = SIDE_TOKENS * m.config.patchSize;
    const cond = await runner.encode(['a red apple on a blue background']);
    const [out] = await runner.predict({ noisy: [noisy], t: 0.7, grid: gridFor(side, side, m.config.patchSize), cond, selfCond: [estimate] });
    return out!;
  } finally {
    await runner.release();
  }
}

const maxRelativeError = (got: Float32Array, want: Float32Array) =>
  Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i]!))) / Math.max(...Array.from(want, Math.abs));

const patchValues = (m: LoadedModel) => SIDE_TOKENS ** 2 * m.config.patchSize ** 2 * 3;

test('grown into self-conditioning, a model predicts what it did, with or without an estimate; training teaches the input', async () => {
  const base = await randomTinyModel(join(scratch, 'base'), 21);
  const grown: ModelConfig = { ...base.config, selfCondition: true };
  const { weights, fresh } = startingWeights(buildTrainingGraph(grown, 1).scope, base, 5);
  assert.deepEqual(fresh.filter((n) => !n.startsWith('layout_head')), ['denoiser.self_cond_embed.weight']);
  for (const name of [...weights.keys()]) if (name.startsWith('layout_head')) weights.delete(name);
  const dir = join(scratch, 'grown');
  saveModel(dir, { config: grown, info: base.info, weights, tokenizer: base.tokenizer }, 'float32');

  const rng = new Rng(4);
  const noisy = rng.fillNormal(new Float32Array(patchValues(base)));
  const estimate = rng.fillNormal(new Float32Array(patchValues(base)));
  const want = await predictWith(base, noisy);
  assert.ok(maxRelativeError(await predictWith(loadModel(dir), noisy), want) < 1e-5, 'no estimate');
  assert.ok(maxRelativeError(await predictWith(loadModel(dir), noisy, estimate), want) < 1e-5, 'an estimate, through a zero embedding');

  // The estimate's embedding learns: its gradient flows through the second pass (the first is held constant).
  const run = mkdtempSync(join(tmpdir(), 'flowpaint-self-cond-run-'));
  try {
    const config = { ...TRAIN_PRESETS.tiny!, model: grown, steps: 3, warmupSteps: 1, checkpointEvery: 3 };
    const result = await train({ config, runDir: run, resume: false, initFrom: dir, maxSteps: 3 });
    assert.ok(Number.isFinite(result.lastLoss));
    const embed = loadCheckpoint(run).state.params.get('denoiser.self_cond_embed.weight')!.f32();
    assert.ok(embed.some((v) => v !== 0), 'the self-conditioning embedding moved off zero');
  } finally {
    rmSync(run, { recursive: true, force: true });
  }
});

test('sampling feeds each branch its own previous estimate, none at the first step', async () => {
  const m = await randomTinyModel(join(scratch, 'selfcond'), 22, { ...(await randomTinyModel(join(scratch, 'plain'), 23)).config, selfCondition: true });
  const rng = new Rng(5);
  const noisy = rng.fillNormal(new Float32Array(patchValues(m)));
  const none = await predictWith(m, noisy);
  const withEstimate = await predictWith(m, noisy, rng.fillNormal(new Float32Array(patchValues(m))));
  assert.ok(maxRelativeError(withEstimate, none) > 1e-3, 'the estimate reaches the prediction');

  const pipeline = await loadPipeline({ modelDir: m.dir, threads: 1, safety: null });
  try {
    const calls: Array<{ t: number; rows: number; estimates: number }> = [];
    const predict = pipeline.runner.predict.bind(pipeline.runner);
    pipeline.runner.predict = (inp: PredictInput) => {
      calls.push({ t: inp.t, rows: inp.noisy.length, estimates: (inp.selfCond ?? []).filter((e) => e !== undefined).length });
      return predict(inp);
    };
    const side = 64;
    const [image] = await pipeline.generate({ prompt: 'a red apple', width: side, height: side, seed: 3, steps: 3, guidance: 2 });
    assert.equal(image!.image.width, side);
    // Three steps, conditional and unconditional batched: no estimate at the first, both branches' after.
    assert.deepEqual(calls.map((c) => [c.rows, c.estimates]), [[2, 0], [2, 2], [2, 2]]);
  } finally {
    await pipeline.release();
  }
});
