import assert from 'node:assert/strict';
import { test } from 'node:test';
import { composeScene } from '../data/compose.ts';
import { DEFAULT_ADAMW, HostTensor, Rng, TrainStep, compileTrainStep, evaluate, initialTrainState } from '../engine/index.ts';
import { initParams } from '../nn/index.ts';
import { FACTORS, UPSCALER_SMALL, UPSCALER_TINY, Upscaler, buildUpscalerTrainingGraph, fromPlanar, lanczos, toPlanar, upscalerParams } from './upscaler.ts';

/** Random weights everywhere, the last layer included (initParams zeroes it, which would hide a layout bug). */
function randomWeights(scopeParams: Map<string, HostTensor>, seed: number): Map<string, HostTensor> {
  const rng = new Rng(seed);
  const out = new Map<string, HostTensor>();
  for (const [k, t] of scopeParams) out.set(k, HostTensor.f32(rng.fillNormal(new Float32Array(t.size), 0.2), t.shape));
  return out;
}

/** HWC floats in [−1, 1] for the training graph's NHWC inputs. */
function hwc(img: { data: Uint8Array }): Float32Array {
  return Float32Array.from(img.data, (v) => v / 127.5 - 1);
}

test('the training graph (channels-last crops, every head) and the inference graph (one factor) compute the same upscale', async () => {
  const w = 12;
  const h = 8;
  const g = buildUpscalerTrainingGraph(UPSCALER_TINY, 1, h, w);
  const weights = randomWeights(initParams(g.scope, 1), 7);
  const low = composeScene(5, { width: 64, height: 64 }).image;
  const crop = { width: w, height: h, data: new Uint8Array(w * h * 3) };
  for (let y = 0; y < h; y++) crop.data.set(low.data.subarray((y + 20) * 64 * 3 + 10 * 3, (y + 20) * 64 * 3 + (10 + w) * 3), y * w * 3);
  const feeds: Record<string, HostTensor> = { low: HostTensor.f32(hwc(crop), [1, h, w, 3]) };
  const bases = new Map<number, { data: Uint8Array }>();
  for (const f of FACTORS) {
    const base = await lanczos(crop, f * w, f * h);
    bases.set(f, base);
    feeds[`base${f}`] = HostTensor.f32(hwc(base), [1, f * h, f * w, 3]);
    feeds[`high${f}`] = HostTensor.zeros([1, f * h, f * w, 3]);
  }
  for (const [k, t] of weights) feeds[k] = t;
  const trained = await evaluate({ o2: g.outputs[2], o4: g.outputs[4], o8: g.outputs[8] }, feeds);
  const up = new Upscaler(UPSCALER_TINY, weights, 1);
  for (const f of FACTORS) {
    const inferred = await up.upscale(crop, f);
    assert.equal(inferred.width, f * w);
    assert.equal(inferred.height, f * h);
    // The inference output is clamped and rounded to bytes; compare against the training graph's floats the same way.
    const expected = Uint8Array.from(trained[`o${f}`]!.data as Float32Array, (v) => Math.max(0, Math.min(255, Math.round((Math.max(-1, Math.min(1, v)) + 1) * 127.5))));
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i]! - inferred.data[i]!));
    assert.ok(worst <= 1, `×${f}: graphs differ by up to ${worst}/255`);
    // The random weights really change the picture (so the comparison above is not Lanczos against Lanczos).
    const base = bases.get(f)!;
    let changed = 0;
    for (let i = 0; i < base.data.length; i++) if (Math.abs(base.data[i]! - inferred.data[i]!) > 2) changed++;
    assert.ok(changed > base.data.length / 4, `×${f}: only ${changed} values differ from Lanczos`);
  }
  await up.release();
  await assert.rejects(up.upscale(crop, 3 as 2), /factor must be one of 2, 4, 8/);
});

test('freshly initialised, the upscaler is exactly Lanczos (its last layer starts at zero)', async () => {
  const g = buildUpscalerTrainingGraph(UPSCALER_TINY, 1, 8, 8);
  const up = new Upscaler(UPSCALER_TINY, initParams(g.scope, 3), 1);
  const img = composeScene(9, { width: 64, height: 64 }).image;
  for (const f of FACTORS) assert.deepEqual((await up.upscale(img, f)).data, (await lanczos(img, 64 * f, 64 * f)).data);
  await up.release();
});

async function fixedPair(): Promise<Record<string, HostTensor>> {
  const hi = composeScene(11, { width: 128, height: 128 }).image;
  const lowImg = await lanczos(hi, 16, 16);
  const batch: Record<string, HostTensor> = { low: HostTensor.f32(hwc(lowImg), [1, 16, 16, 3]) };
  for (const f of FACTORS) {
    batch[`base${f}`] = HostTensor.f32(hwc(await lanczos(lowImg, 16 * f, 16 * f)), [1, 16 * f, 16 * f, 3]);
    batch[`high${f}`] = HostTensor.f32(hwc(await lanczos(hi, 16 * f, 16 * f)), [1, 16 * f, 16 * f, 3]);
  }
  return batch;
}

for (const opts of [{ loss: 'l1' }, { loss: 'l2', margin: 2 }, { loss: 'l2+l1' }, { loss: 'charbonnier', headInit: 1e-3 }] as const) {
  test(`training steps lower the loss on a fixed pair (${JSON.stringify(opts)})`, async () => {
    const batch = await fixedPair();
    const g = buildUpscalerTrainingGraph(UPSCALER_TINY, 1, 16, 16, opts);
    const step = await TrainStep.create(compileTrainStep({ loss: g.loss, params: g.scope.params(), optimizer: DEFAULT_ADAMW }), initialTrainState(initParams(g.scope, 1)), { threads: 1 });
    const first = (await step.run(batch, 3e-3)).loss;
    let last = first;
    for (let i = 0; i < 160; i++) last = (await step.run(batch, 3e-3)).loss;
    await step.release();
    assert.ok(last < first * 0.9, `loss ${first} → ${last}`);
  });
}

test('the loss leaves the margin out, and the Lanczos reference is scored on the same region', async () => {
  const batch = await fixedPair();
  const full = buildUpscalerTrainingGraph(UPSCALER_TINY, 1, 16, 16, { loss: 'l2' });
  const inner = buildUpscalerTrainingGraph(UPSCALER_TINY, 1, 16, 16, { loss: 'l2', margin: 3 });
  const feeds = { ...batch, ...Object.fromEntries(initParams(full.scope, 1)) };
  const a = await evaluate({ loss: full.loss, m8: full.mse[8], l8: full.lanczosMse[8] }, feeds);
  const b = await evaluate({ loss: inner.loss, m8: inner.mse[8], l8: inner.lanczosMse[8] }, feeds);
  // Zero heads: the output is the Lanczos base, so the network's MSE equals the reference's.
  assert.equal(a.m8!.data[0], a.l8!.data[0]);
  // By hand, over the inner 10×10 input pixels (80×80 at ×8).
  const base = batch.base8!.data as Float32Array;
  const high = batch.high8!.data as Float32Array;
  let sum = 0;
  for (let y = 24; y < 104; y++) for (let x = 24; x < 104; x++) for (let c = 0; c < 3; c++) sum += (base[(y * 128 + x) * 3 + c]! - high[(y * 128 + x) * 3 + c]!) ** 2;
  assert.ok(Math.abs((b.l8!.data[0] as number) - sum / (80 * 80 * 3)) < 1e-6);
  assert.notEqual(b.l8!.data[0], a.l8!.data[0]);
  assert.throws(() => buildUpscalerTrainingGraph(UPSCALER_TINY, 1, 16, 16, { margin: 8 }), /margin must be an integer from 0 to under half the crop/);
  assert.throws(() => buildUpscalerTrainingGraph(UPSCALER_TINY, 1, 16, 16, { loss: 'huber' as 'l1' }), /loss must be one of l1, l2, l2\+l1, charbonnier, got 'huber'/);
});

test('small random heads start close to Lanczos but not on it', async () => {
  const g = buildUpscalerTrainingGraph(UPSCALER_TINY, 1, 8, 8, { headInit: 1e-3 });
  const weights = initParams(g.scope, 3);
  const head = weights.get('head8.weight')!.data as Float32Array;
  assert.ok(head.some((v) => v !== 0) && head.every((v) => Math.abs(v) < 0.01));
});

test('planar conversion round-trips bytes, and the shipped size stays small', () => {
  const img = composeScene(2, { width: 64, height: 64 }).image;
  assert.deepEqual(fromPlanar(toPlanar(img), 64, 64).data, img.data);
  // 4 bytes per float32 weight: well under the 5 MB budget for the model folder.
  assert.ok(upscalerParams(UPSCALER_SMALL) * 4 < 1_000_000);
  assert.throws(() => new Upscaler(UPSCALER_TINY, new Map(), 1), /no tensor 'conv0.weight'/);
});
