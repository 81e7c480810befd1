// Training batches: the flow-matching targets and the timestep draw.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SceneStream } from '../data/stream.ts';
import { Rng } from '../engine/index.ts';
import { DEFAULT_T_MIN } from '../flow/index.ts';
import { PRESETS } from '../model/config.ts';
import { patchify } from '../model/layout.ts';
import { HIGH_NOISE_FROM, makeBatch } from './batch.ts';
import { trainRunTokenizer } from './tokenizer.ts';

const model = PRESETS.tiny!;
const tokenizer = trainRunTokenizer(1, model.text.vocabSize, 60, 20);
const samples = new SceneStream({ split: 'train', buckets: [{ width: 64, height: 64 }], batchSize: 16, seed: 3, editFraction: 0 }).nextBatch();
const options = { model, tokenizer, maxTextTokens: 64, timeMean: 0.8, timeStd: 0.8, textDrop: 0, maskFraction: 0, dropImage: false };

test('x-prediction targets: a perfect prediction has zero loss at every t, below the loss clamp (default or lossTMin) too', () => {
  for (const [timeMean, lossTMin] of [[-6, undefined], [0, undefined], [3, undefined], [-1, 0.3]] as const) {
    const feeds = makeBatch(samples, new Rng(1), { ...options, timeMean, timeStd: 0.1, lossTMin });
    const ts = feeds.t!.f32();
    const image = feeds.image!.f32();
    const velocity = feeds.velocity!.f32();
    const n = image.length / samples.length;
    samples.forEach((s, b) => {
      if (s.kind !== 't2i') throw new Error('expected text-to-image samples');
      const x0 = patchify(s.image, model.patchSize);
      const scale = Math.max(ts[b]!, lossTMin ?? DEFAULT_T_MIN);
      // The graph's implied velocity for x̂ = x0 is (x_t − x0)/max(t, clamp); it must equal the target.
      for (let i = 0; i < n; i += 97) assert.ok(Math.abs((image[b * n + i]! - x0[i]!) / scale - velocity[b * n + i]!) < 1e-3, `t=${ts[b]}`);
    });
  }
});

test('the high-noise share draws that share of t from [0.9, 1)', () => {
  const all = makeBatch(samples, new Rng(2), { ...options, highNoiseShare: 1 }).t!.f32();
  assert.ok(all.every((t) => t >= HIGH_NOISE_FROM && t < 1), `t: ${[...all]}`);
  const none = makeBatch(samples, new Rng(2), { ...options, highNoiseShare: 0 }).t!.f32();
  assert.ok(none.filter((t) => t < HIGH_NOISE_FROM).length >= 12, 'logit-normal(0.8, 0.8) puts most t below 0.9');
});
