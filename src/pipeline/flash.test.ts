// The fast path with Flash: fast requests use the student (one pass per step, its steps by
// default, recorded in the parameters), the normal path is unchanged, inpainting keeps the input's
// bytes outside the mask, and a stale Flash is reported and not used.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HostTensor, asFloat32, readSafetensors, writeSafetensors } from '../engine/index.ts';
import { isStudentTensor } from '../model/flash.ts';
import { tinyModelDir } from '../testing/tiny-model.ts';
import { DISTILL_PRESETS } from '../train/distill-config.ts';
import { distill, exportFlash } from '../train/distill.ts';
import { type Pipeline, loadPipeline } from './pipeline.ts';

const params = (img: { metadata: Record<string, string> }) => JSON.parse(img.metadata['flowpaint:parameters']!) as Record<string, unknown>;

describe('pipeline with Flash', () => {
  let plainDir: string;
  let flashDir: string;
  let plain: Pipeline;
  let flash: Pipeline;
  before(async () => {
    plainDir = await tinyModelDir();
    flashDir = join(mkdtempSync(join(tmpdir(), 'flash-model-')), 'model');
    cpSync(plainDir, flashDir, { recursive: true });
    const run = mkdtempSync(join(tmpdir(), 'flash-run-'));
    await distill({ modelDir: flashDir, runDir: run, config: { ...DISTILL_PRESETS.tiny!, steps: 2, threads: 1 }, resume: false });
    exportFlash(run);
    plain = await loadPipeline({ modelDir: plainDir, threads: 1, safety: null });
    flash = await loadPipeline({ modelDir: flashDir, threads: 1, safety: null });
  });
  after(async () => {
    await plain?.release();
    await flash?.release();
  });

  test('fast requests use the student at its own steps; the normal path is the base model', async () => {
    assert.ok(flash.flash);
    assert.equal(plain.flash, undefined);
    const req = { prompt: 'a red apple', width: 64, height: 64, seed: 5 };
    const [fast] = await flash.generate({ ...req, fast: true });
    const p = params(fast!);
    assert.equal(p.steps, DISTILL_PRESETS.tiny!.studentSteps);
    assert.equal(p.fast, true);
    assert.deepEqual(p.flash, { steps: 2, teacher_steps: 8, teacher: 'tiny 0' });
    const [base] = await plain.generate({ ...req, fast: true, steps: 2 });
    assert.notDeepEqual(fast!.image.data, base!.image.data, 'the student draws, not the base model');
    // Without fast, a model with Flash draws exactly what it drew before.
    const [a] = await flash.generate({ ...req, steps: 3 });
    const [b] = await plain.generate({ ...req, steps: 3 });
    assert.deepEqual(a!.image.data, b!.image.data);
    assert.equal(params(a!).flash, undefined);
    // Same request, same bytes.
    const [again] = await flash.generate({ ...req, fast: true });
    assert.deepEqual(again!.image.data, fast!.image.data);
  });

  test('fast inpainting keeps every byte outside the mask (and its seam)', async () => {
    const w = 64;
    const image = { width: w, height: w, data: new Uint8Array(w * w * 3).map((_, i) => (i * 37) % 251) };
    const mask = { width: w, height: w, data: new Uint8Array(w * w) };
    for (let y = 16; y < 40; y++) for (let x = 20; x < 44; x++) mask.data[y * w + x] = 255;
    const [out] = await flash.edit({ image, instruction: 'a blue ball', mask, seed: 2, fast: true });
    assert.equal(params(out!).mode, 'inpaint');
    assert.equal(params(out!).fast, true);
    let changedInside = 0;
    for (let y = 0; y < w; y++) {
      for (let x = 0; x < w; x++) {
        const near = y >= 14 && y < 42 && x >= 18 && x < 46; // mask grown by the 2-pixel seam
        for (let c = 0; c < 3; c++) {
          const i = (y * w + x) * 3 + c;
          if (!near) assert.equal(out!.image.data[i], image.data[i], `pixel ${x},${y} outside the mask changed`);
          else if (out!.image.data[i] !== image.data[i]) changedInside++;
        }
      }
    }
    assert.ok(changedInside > 0, 'the masked region was repainted');
  });

  test('a Flash distilled from other base weights is reported and not used', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'flash-stale-')), 'model');
    cpSync(flashDir, dir, { recursive: true });
    const weights = readSafetensors(join(dir, 'weights.safetensors')).tensors;
    const name = [...weights.keys()].find((k) => !isStudentTensor(k))!;
    const t = weights.get(name)!;
    weights.set(name, HostTensor.f32(Float32Array.from(asFloat32(t).f32(), (v) => v * 1.01), t.shape));
    writeSafetensors(join(dir, 'weights.safetensors'), weights);
    const warnings: string[] = [];
    const pipe = await loadPipeline({ modelDir: dir, threads: 1, safety: null, warn: (l) => warnings.push(l) });
    try {
      assert.equal(pipe.flash, undefined);
      assert.match(warnings.join('\n'), /Flash not used: .*distilled from other base weights/);
      const [img] = await pipe.generate({ prompt: 'a red apple', width: 64, height: 64, seed: 1, fast: true });
      assert.equal(params(img!).flash, undefined);
      assert.equal(params(img!).steps, 4);
    } finally {
      await pipe.release();
    }
  });
});
