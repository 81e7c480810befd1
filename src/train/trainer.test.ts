// The trainer end to end on the tiny config: checkpoints, exact resume, refusal to clobber a run,
// and export to a model directory that loads.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadModel, saveModel } from '../model/store.ts';
import { loadCheckpoint } from './checkpoint.ts';
import { TRAIN_PRESETS, continuationRecipe, learningRate, loadTrainConfig } from './config.ts';
import { exportRun } from './export.ts';
import { train } from './trainer.ts';

const config = { ...TRAIN_PRESETS.tiny!, steps: 12, checkpointEvery: 3, warmupSteps: 2, editFraction: 0.5 };

describe('trainer', () => {
  test('N steps in one run equal N/2 + resume + N/2, bit for bit', async () => {
    const a = mkdtempSync(join(tmpdir(), 'run-a-'));
    const b = mkdtempSync(join(tmpdir(), 'run-b-'));
    await train({ config, runDir: a, resume: false, maxSteps: 8 });
    await train({ config, runDir: b, resume: false, maxSteps: 4 });
    await train({ config, runDir: b, resume: true, maxSteps: 4 });
    const ca = loadCheckpoint(a);
    const cb = loadCheckpoint(b);
    assert.equal(ca.state.step, 8);
    assert.equal(cb.state.step, 8);
    assert.deepEqual(cb.data, ca.data);
    for (const [name, t] of ca.state.params) {
      assert.deepEqual(Buffer.from(cb.state.params.get(name)!.f32().buffer), Buffer.from(t.f32().buffer), name);
      assert.deepEqual(Buffer.from(cb.ema.get(name)!.f32().buffer), Buffer.from(ca.ema.get(name)!.f32().buffer), `ema ${name}`);
    }
    // No temp files are left beside the checkpoint.
    assert.deepEqual(readdirSync(a).filter((f) => f.includes('.tmp')), []);

    await assert.rejects(train({ config, runDir: a, resume: false }), /already holds a checkpoint: pass --resume/);
    const empty = mkdtempSync(join(tmpdir(), 'run-c-'));
    await assert.rejects(train({ config, runDir: empty, resume: true }), /--resume: no checkpoint/);

    const out = join(a, 'exported');
    exportRun(a, out, { id: 'test-tiny', version: '0.0.1' });
    const m = loadModel(out);
    assert.equal(m.info.id, 'test-tiny');
    assert.equal(m.info.training?.steps, 8);
    assert.equal(m.weights.size, ca.ema.size);
    assert.ok(existsSync(join(out, 'tokenizer.json')));
    // --raw: the weights the optimiser holds, not the EMA (stored as f16, so compared loosely).
    const raw = join(a, 'exported-raw');
    exportRun(a, raw, { id: 'test-tiny', version: '0.0.1', weights: 'raw' });
    const rawModel = loadModel(raw);
    const [name0, p0] = [...ca.state.params][0]!;
    const got = rawModel.weights.get(name0)!.f32();
    const maxErr = (want: Float32Array) => Math.max(...Array.from(want, (v, i) => Math.abs(v - got[i]!) / (Math.abs(v) + 1e-2)));
    assert.ok(maxErr(p0.f32()) < 1e-2, `raw export of ${name0} differs from the raw weights`);
    assert.ok(maxErr(ca.ema.get(name0)!.f32()) > maxErr(p0.f32()), 'raw export equals the EMA');

    // --init-from: a new run starts from the exported weights (stored as f16) and tokenizer.
    const tuned = mkdtempSync(join(tmpdir(), 'run-d-'));
    await train({ config, runDir: tuned, resume: false, initFrom: out, maxSteps: 0 });
    const start = loadCheckpoint(tuned);
    assert.equal(start.state.step, 0);
    assert.equal(start.config.initFrom, out);
    for (const [name, t] of m.weights) assert.deepEqual(start.state.params.get(name)!.f32(), t.f32(), name);
    assert.equal(readFileSync(join(tuned, 'tokenizer.json'), 'utf8'), readFileSync(join(out, 'tokenizer.json'), 'utf8'));
    // Training accumulates across generations: the continued run's export counts both runs, and
    // the recipe travels beside the weights.
    await train({ config, runDir: tuned, resume: true, maxSteps: 3 });
    const second = join(tuned, 'exported');
    exportRun(tuned, second, { id: 'test-tiny', version: '0.0.2' });
    const total = loadModel(second).info.training?.total as { steps: number; samples: number };
    assert.deepEqual([total.steps, total.samples], [8 + 3, (8 + 3) * config.batchSize]);
    assert.deepEqual(loadModel(second).config.sizes?.native, config.buckets[0]);
    // ... at the schedule's remainder: the rate where the run stopped, the steps left, the same floor.
    const next = loadTrainConfig(join(second, 'train.json'));
    assert.equal(next.steps, config.steps - 3);
    assert.ok(Math.abs(next.lr / learningRate(config, 3) - 1) < 1e-3, `continued at ${next.lr}`);
    assert.ok(Math.abs((next.lr * next.minLrRatio) / (config.lr * config.minLrRatio) - 1) < 1e-3, 'the floor moved');
    await assert.rejects(train({ config, runDir: mkdtempSync(join(tmpdir(), 'run-e-')), resume: true, initFrom: out }), /pass only one of them/);
    // A tensor the model lacks (an architecture that grew one) starts fresh and is reported.
    const partial = join(a, 'partial');
    const weights = new Map(m.weights);
    weights.delete('text.ln_out.weight');
    saveModel(partial, { config: m.config, info: m.info, weights, tokenizer: m.tokenizer });
    const notices: string[] = [];
    const grown = mkdtempSync(join(tmpdir(), 'run-g-'));
    await train({ config, runDir: grown, resume: false, initFrom: partial, maxSteps: 0, log: (l) => notices.push(l) });
    assert.match(notices.join('\n'), /1 tensor\(s\) not in .* start fresh: text\.ln_out\.weight/);
    assert.ok(loadCheckpoint(grown).state.params.get('text.ln_out.weight')!.f32().every((v) => v === 1));
    const wider = { ...config, model: { ...config.model, width: 64, heads: 4 } };
    await assert.rejects(train({ config: wider, runDir: mkdtempSync(join(tmpdir(), 'run-f-')), resume: false, initFrom: out }), /--init-from .*: tensor '[^']+' is 32×32, the training config needs 32×64/);
    // Another patch size: the pixel-facing tensors are resampled (patch-resample.ts), the rest kept.
    const finer = { ...config, model: { ...config.model, patchSize: config.model.patchSize / 2 } };
    const resampledRun = mkdtempSync(join(tmpdir(), 'run-p-'));
    const lines: string[] = [];
    await train({ config: finer, runDir: resampledRun, resume: false, initFrom: out, maxSteps: 0, log: (l) => lines.push(l) });
    assert.match(lines.join('\n'), new RegExp(`has ${config.model.patchSize}-px patches; its pixel-facing tensors are resampled to ${finer.model.patchSize} px`));
    const fine = loadCheckpoint(resampledRun).state.params;
    assert.deepEqual(fine.get('denoiser.patch_embed.weight')!.shape, [finer.model.patchSize ** 2 * 3, config.model.width]);
    const block = [...fine.keys()].find((k) => k.startsWith('denoiser.blocks.0'))!;
    assert.deepEqual(fine.get(block)!.f32(), m.weights.get(block)!.f32(), `${block} is taken as it is`);
  });

  test('--change-recipe continues a checkpoint under a new recipe, and only the same model', async () => {
    const run = mkdtempSync(join(tmpdir(), 'run-r-'));
    await train({ config, runDir: run, resume: false, maxSteps: 3 });
    const before = loadCheckpoint(run);
    const next = { ...config, highNoiseShare: 0.9, data: { ...config.data, unplacedShare: 0.5 } };
    await train({ config: next, runDir: run, resume: true, changeRecipe: true, maxSteps: 2 });
    const after = loadCheckpoint(run);
    assert.equal(after.state.step, 5, 'the step count carries on');
    assert.equal(after.config.highNoiseShare, 0.9);
    assert.equal(after.config.data.unplacedShare, 0.5);
    assert.equal(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).highNoiseShare, 0.9, 'config.json shows the recipe now followed');
    const [name] = [...before.state.params.keys()];
    assert.notDeepEqual(after.state.params.get(name!)!.f32(), before.state.params.get(name!)!.f32(), 'training went on from the checkpoint');
    // Without the flag a resumed run keeps its own recipe, whatever config is passed.
    await train({ config, runDir: run, resume: true, maxSteps: 1 });
    assert.equal(loadCheckpoint(run).config.highNoiseShare, 0.9);
    const wider = { ...config, model: { ...config.model, depth: config.model.depth + 1 } };
    await assert.rejects(train({ config: wider, runDir: run, resume: true, changeRecipe: true }), /--change-recipe: the new config's model differs .*\(model\.depth\)/);
    await assert.rejects(train({ config, runDir: mkdtempSync(join(tmpdir(), 'run-s-')), resume: false, changeRecipe: true }), /needs --resume/);
  });

  test('configs: presets, file overrides with clear errors, warmup then cosine', () => {
    assert.equal(loadTrainConfig('tiny').name, 'tiny');
    assert.throws(() => loadTrainConfig('nope'), /neither a preset \(tiny, small\) nor a file/);
    const c = { ...config, lr: 1, warmupSteps: 4, steps: 104, minLrRatio: 0.1 };
    assert.equal(learningRate(c, 0), 0.25);
    assert.equal(learningRate(c, 3), 1);
    assert.ok(Math.abs(learningRate(c, 54) - 0.55) < 1e-9);
    assert.ok(Math.abs(learningRate(c, 104) - 0.1) < 1e-9);
    // Continuing as a new run: a fresh cosine from where it stopped to the same floor.
    const rest = continuationRecipe(c, 54);
    assert.deepEqual([rest.steps, rest.lr, rest.warmupSteps], [50, 0.55, 4]);
    assert.ok(Math.abs(rest.lr * rest.minLrRatio - 0.1) < 1e-4);
    assert.ok(Math.abs(learningRate(rest, 50) - 0.1) < 1e-4, 'it ends at the old floor');
    assert.deepEqual([continuationRecipe(c, 2).steps, continuationRecipe(c, 2).lr], [102, 1], 'in warmup: the recipe less the steps done');
    const done = continuationRecipe(c, 104);
    assert.deepEqual([done.lr, done.minLrRatio, done.steps], [0.1, 1, 104], 'finished: its floor, constant');
    assert.equal(continuationRecipe(c, 100).warmupSteps, 2, 'warmup fits in the steps left');
  });
});
