import assert from 'node:assert/strict';
import { test } from 'node:test';
import { composeScene } from '../data/compose.ts';
import { DEFAULT_ADAMW, HostTensor, TrainStep, compileTrainStep, evaluate, initialTrainState, ops as o } from '../engine/index.ts';
import { initParams } from '../nn/index.ts';
import { AutoencoderRunner, buildAutoencoderGraphs, buildAutoencoderTrainingGraph, fromWindows, latentGrid, patchValues, toWindows, type AutoencoderConfig } from './autoencoder.ts';
import { patchify } from '../model/layout.ts';

const TINY: AutoencoderConfig = { patch: 8, channels: 4, width: 16, heads: 2, encoderDepth: 2, decoderDepth: 2, mlpRatio: 2, window: 2 };

test('windows: each window holds a w×w block of the grid, and fromWindows undoes toWindows', async () => {
  const grid = { rows: 4, cols: 6 };
  const n = grid.rows * grid.cols;
  const x = o.input('x', [2, n, 1]);
  const values = Float32Array.from({ length: 2 * n }, (_, i) => i);
  const out = await evaluate({ win: toWindows(x, 2, grid, 2), back: fromWindows(toWindows(x, 2, grid, 2), 2, grid, 2) }, { x: HostTensor.f32(values, [2, n, 1]) });
  assert.deepEqual(out.win!.shape, [2 * 6, 4, 1]);
  assert.deepEqual([...out.win!.data.slice(0, 4)], [0, 1, 6, 7]); // image 0, window (0, 0)
  assert.deepEqual([...out.win!.data.slice(4, 8)], [2, 3, 8, 9]); // image 0, window (0, 1)
  assert.deepEqual([...out.win!.data.slice(6 * 4, 6 * 4 + 4)], [24, 25, 30, 31]); // image 1, window (0, 0)
  assert.deepEqual([...out.back!.data], [...values]);
});

test('a non-square image encodes to an (H/8)×(W/8)×channels latent and decodes to its size', async () => {
  const w = 64;
  const h = 128;
  const g = buildAutoencoderGraphs(TINY, w, h);
  const runner = await AutoencoderRunner.create(TINY, initParams(g.scope, 1), w, h, 1);
  const img = composeScene(3, { width: w, height: h }).image;
  const latent = await runner.encode(img);
  assert.equal(latent.length, (w / 8) * (h / 8) * TINY.channels);
  assert.ok(latent.every(Number.isFinite));
  const back = await runner.decode(latent);
  assert.equal(back.width, w);
  assert.equal(back.height, h);
  assert.equal(back.data.length, w * h * 3);
  await runner.release();
  assert.deepEqual(latentGrid(TINY, w, h), { rows: 16, cols: 8 });
  assert.throws(() => latentGrid(TINY, 72, 64), /multiple of 16 px/);
});

test('shifted windows do not join tokens from opposite edges of the image', async () => {
  // 32×32 px = 4×4 tokens, window 2: the shifted block's rolled window holds tokens (0,0) and (3,3).
  const g = buildAutoencoderGraphs(TINY, 32, 32);
  const runner = await AutoencoderRunner.create(TINY, initParams(g.scope, 2), 32, 32, 1);
  const base = composeScene(4, { width: 32 * 2, height: 32 * 2 }).image;
  const img = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 3) };
  for (let y = 0; y < 32; y++) img.data.set(base.data.subarray(y * 64 * 3, y * 64 * 3 + 32 * 3), y * 32 * 3);
  const changed = (px: number, py: number) => {
    const copy = { ...img, data: img.data.slice() };
    for (let y = py; y < py + 8; y++) for (let x = px; x < px + 8; x++) copy.data.fill(255 - copy.data[(y * 32 + x) * 3]!, (y * 32 + x) * 3, (y * 32 + x) * 3 + 3);
    return copy;
  };
  const token0 = (l: Float32Array) => l.slice(0, TINY.channels);
  const ref = token0(await runner.encode(img));
  const farCorner = token0(await runner.encode(changed(24, 24))); // token (3, 3)
  const neighbour = token0(await runner.encode(changed(8, 8))); // token (1, 1), same window
  await runner.release();
  for (let i = 0; i < TINY.channels; i++) assert.ok(Math.abs(farCorner[i]! - ref[i]!) < 1e-5, `token (0,0) moved by ${farCorner[i]! - ref[i]!} when (3,3) changed`);
  assert.ok(neighbour.some((v, i) => Math.abs(v - ref[i]!) > 1e-4), 'token (0,0) should see its window neighbour');
});

test('a few training steps lower the reconstruction loss on a fixed batch', async () => {
  const batch = 4;
  const g = buildAutoencoderTrainingGraph(TINY, batch, 64, 32);
  const compiled = compileTrainStep({ loss: g.loss, params: g.scope.params(), optimizer: DEFAULT_ADAMW, metrics: { mse: g.mse } });
  const stepper = await TrainStep.create(compiled, initialTrainState(initParams(g.scope, 7)), { threads: 1 });
  const n = (64 / 8) * (32 / 8);
  const pixels = new Float32Array(batch * n * patchValues(TINY));
  for (let b = 0; b < batch; b++) {
    const scene = composeScene(10 + b, { width: 64, height: 64 }).image; // scenes come in sides ≥ 64: keep the top half
    pixels.set(patchify({ width: 64, height: 32, data: scene.data.subarray(0, 64 * 32 * 3) }, 8), b * n * patchValues(TINY));
  }
  const feeds = { pixels: HostTensor.f32(pixels, [batch, n, patchValues(TINY)]) };
  const losses: number[] = [];
  for (let s = 0; s < 40; s++) losses.push((await stepper.run(feeds, 3e-3)).loss);
  await stepper.release();
  assert.ok(losses.every(Number.isFinite));
  const first = losses[0]!;
  const last = Math.min(...losses.slice(-5));
  assert.ok(last < 0.5 * first, `loss went from ${first.toFixed(4)} to ${last.toFixed(4)}`);
});
