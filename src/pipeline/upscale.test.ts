// The cascade at tiny scale: sizes above the model's own go through the learned upscaler, and
// large edits run at model scale on a window, upscale back and keep every byte outside the mask.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { composeScene } from '../data/compose.ts';
import { HostTensor, Rng } from '../engine/index.ts';
import { initParams } from '../nn/index.ts';
import { UPSCALER_TINY, UPSCALER_WEIGHTS, loadUpscaler, upscalerDeclarations } from '../model/upscaler.ts';
import { tinyModelDir } from '../testing/tiny-model.ts';
import { writeUpscalerWeights } from '../train/upscaler.ts';
import { dilateMask } from './masks.ts';
import { loadPipeline } from './pipeline.ts';
import { editWindow, maskBounds } from './region.ts';
import { upscaleFactor } from './upscale.ts';

/** The tiny model's directory plus an upscaler with random (non-zero) weights, so it differs from Lanczos. */
async function modelWithUpscaler(): Promise<string> {
  const src = await tinyModelDir();
  const dir = mkdtempSync(join(tmpdir(), 'upscale-model-'));
  for (const f of readdirSync(src)) copyFileSync(join(src, f), join(dir, f));
  const rng = new Rng(5);
  const weights = new Map<string, HostTensor>();
  for (const [k, t] of initParams(upscalerDeclarations(UPSCALER_TINY), 1)) weights.set(k, HostTensor.f32(rng.fillNormal(new Float32Array(t.size), 0.05), t.shape));
  writeUpscalerWeights(join(dir, UPSCALER_WEIGHTS), weights, UPSCALER_TINY, { test: true });
  return dir;
}

test('upscaleFactor: the smallest learned factor that covers the request, at most ×8', () => {
  assert.equal(upscaleFactor({ width: 128, height: 128 }, { width: 128, height: 128 }), undefined);
  assert.equal(upscaleFactor({ width: 128, height: 128 }, { width: 256, height: 256 }), 2);
  assert.equal(upscaleFactor({ width: 128, height: 128 }, { width: 512, height: 512 }), 4);
  assert.equal(upscaleFactor({ width: 128, height: 128 }, { width: 1024, height: 1024 }), 8);
  assert.equal(upscaleFactor({ width: 160, height: 96 }, { width: 1024, height: 576 }), 8); // 6.4×: ×8 then down
  assert.equal(upscaleFactor({ width: 192, height: 80 }, { width: 2048, height: 512 }), 8); // capped
  assert.equal(upscaleFactor({ width: 128, height: 128 }, { width: 192, height: 144 }), 2);
});

test('editWindow: holds the focus, has a bucket aspect, is at least the bucket and lies inside the image', () => {
  const buckets = [{ width: 128, height: 128 }, { width: 160, height: 96 }, { width: 96, height: 160 }];
  const focus = { x: 900, y: 40, width: 60, height: 30 };
  const { box, model } = editWindow(1024, 768, buckets, focus);
  assert.ok(box.x <= focus.x && box.y <= focus.y && box.x + box.width >= focus.x + focus.width && box.y + box.height >= focus.y + focus.height, JSON.stringify(box));
  assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= 1024 && box.y + box.height <= 768);
  assert.ok(box.width >= model.width && box.height >= model.height);
  assert.ok(Math.abs(box.width / box.height - model.width / model.height) < 0.02);
  // No mask: the whole image at the bucket nearest its aspect.
  assert.deepEqual(editWindow(1024, 576, buckets), { box: { x: 0, y: 0, width: 1024, height: 576 }, model: { width: 160, height: 96 } });
  assert.equal(maskBounds({ width: 4, height: 4, data: new Uint8Array(16) }), undefined);
});

test('the shipped upscaler file loads, and a damaged one is refused with its path', async () => {
  const dir = await modelWithUpscaler();
  assert.ok(loadUpscaler(dir));
  assert.equal(loadUpscaler(tmpdir()), undefined);
  const bad = mkdtempSync(join(tmpdir(), 'upscale-bad-'));
  writeUpscalerWeights(join(bad, UPSCALER_WEIGHTS), new Map([['conv0.weight', HostTensor.zeros([1, 1, 3, 3])]]), UPSCALER_TINY, {});
  assert.throws(() => loadUpscaler(bad), /upscaler\.safetensors: upscaler: '?conv0\.weight'? is \[1,1,3,3\]/);
});

test('generate above the native size draws at the model size and runs the learned stages, with progress', async () => {
  const pipe = await loadPipeline({ modelDir: await modelWithUpscaler(), threads: 1, safety: null });
  try {
    assert.deepEqual(pipe.plan(256, 128), { base: { width: 64, height: 64 }, upscale: 4 });
    const stages: string[] = [];
    let steps = 0;
    const [img] = await pipe.generate({
      prompt: 'a red apple on a blue background', width: 256, height: 256, steps: 2, seed: 1,
      onStep: () => void steps++,
      onUpscale: (e) => void stages.push(`x${e.factor} ${e.width}x${e.height}`),
    });
    assert.equal(steps, 2);
    assert.deepEqual(stages, ['x4 256x256']);
    assert.equal(img!.image.width, 256);
    assert.equal(img!.image.data.length, 256 * 256 * 3);
    const params = JSON.parse(img!.metadata['flowpaint:parameters']!);
    assert.equal(params.base_size, '64x64');
    assert.match(params.upscale, /^learned x4/);
    // At the native size nothing is upscaled.
    const [small] = await pipe.generate({ prompt: 'a red apple', width: 64, height: 64, steps: 1, seed: 1, onUpscale: () => assert.fail('no upscale at native size') });
    assert.equal(JSON.parse(small!.metadata['flowpaint:parameters']!).upscale, undefined);
  } finally {
    await pipe.release();
  }
});

test('inpainting an image larger than the model edits a window and keeps every byte outside the mask', async () => {
  const pipe = await loadPipeline({ modelDir: await modelWithUpscaler(), threads: 1, safety: null });
  try {
    const image = composeScene(21, { width: 320, height: 240 }).image;
    const mask = { width: 320, height: 240, data: new Uint8Array(320 * 240) };
    for (let y = 150; y < 190; y++) mask.data.fill(255, y * 320 + 200, y * 320 + 260);
    let upscales = 0;
    const [out] = await pipe.edit({ image, instruction: 'a green pear', mask, steps: 2, seed: 4, onUpscale: () => void upscales++ });
    const params = JSON.parse(out!.metadata['flowpaint:parameters']!);
    assert.match(params.edit_window, /^\d+x\d+\+\d+\+\d+$/);
    assert.equal(params.base_size, '64x64');
    const seam = dilateMask(mask, 2);
    let changedInside = 0;
    for (let p = 0; p < 320 * 240; p++) {
      for (let c = 0; c < 3; c++) {
        const a = image.data[p * 3 + c]!;
        const b = out!.image.data[p * 3 + c]!;
        if (!seam.data[p]) assert.equal(b, a, `pixel ${p % 320},${Math.floor(p / 320)} outside the mask changed`);
        else if (a !== b) changedInside++;
      }
    }
    assert.ok(changedInside > 0, 'the edit changed nothing inside the mask');
    assert.ok(upscales >= 1);
  } finally {
    await pipe.release();
  }
});

test('an instruction edit of a large image runs on the whole image at model scale and returns it at full size', async () => {
  const pipe = await loadPipeline({ modelDir: await modelWithUpscaler(), threads: 1, safety: null });
  try {
    const image = composeScene(22, { width: 256, height: 192 }).image;
    const [out] = await pipe.edit({ image, instruction: 'make it blue', steps: 2, seed: 2 });
    assert.equal(out!.image.width, 256);
    assert.equal(out!.image.height, 192);
    assert.equal(JSON.parse(out!.metadata['flowpaint:parameters']!).edit_window, '256x192+0+0');
  } finally {
    await pipe.release();
  }
});
