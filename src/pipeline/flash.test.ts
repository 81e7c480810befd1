// The fast path with Flash: fast requests use the student (one pass per step, its steps by
// default, recorded in the parameters), the normal path is unchanged, inpainting keeps the input's
// bytes outside the mask, and a stale Flash is reported and not used. A Flash distilled over a
// range of guidance scales draws at the request's scale and refuses one outside the range.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
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
  let rangeDir: string;
  let plain: Pipeline;
  let flash: Pipeline;
  let ranged: Pipeline;
  /** A copy of the tiny model with a Flash distilled (2 steps) under `config`'s overrides of the tiny preset. */
  const distilledCopy = async (config: Partial<typeof DISTILL_PRESETS.tiny>, exportOpts: Parameters<typeof exportFlash>[2] = {}) => {
    const dir = join(mkdtempSync(join(tmpdir(), 'flash-model-')), 'model');
    cpSync(plainDir, dir, { recursive: true });
    const run = mkdtempSync(join(tmpdir(), 'flash-run-'));
    await distill({ modelDir: dir, runDir: run, config: { ...DISTILL_PRESETS.tiny!, steps: 2, threads: 1, ...config }, resume: false });
    exportFlash(run, undefined, exportOpts);
    return dir;
  };
  before(async () => {
    plainDir = await tinyModelDir();
    flashDir = await distilledCopy({});
    rangeDir = await distilledCopy({ guidance: 3, guidanceRange: [1, 8] });
    plain = await loadPipeline({ modelDir: plainDir, threads: 1, safety: null });
    flash = await loadPipeline({ modelDir: flashDir, threads: 1, safety: null });
    ranged = await loadPipeline({ modelDir: rangeDir, threads: 1, safety: null });
  });
  after(async () => {
    await plain?.release();
    await flash?.release();
    await ranged?.release();
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
    // Its guidance is baked in: a request's scale changes nothing, and the image records the baked one.
    assert.equal(p.guidance, 4);
    const [asked] = await flash.generate({ ...req, fast: true, guidance: 2 });
    assert.deepEqual(asked!.image.data, fast!.image.data);
    assert.equal(params(asked!).guidance, 4);
  });

  test("a Flash exported with int8 runs its linear layers in int8 unless the request's --quantize says otherwise; the base model stays float32", async () => {
    const dir = await distilledCopy({}, { quantize: 'int8' });
    const req = { prompt: 'a red apple', width: 64, height: 64, seed: 5 };
    const byDefault = await loadPipeline({ modelDir: dir, threads: 1, safety: null });
    const asked = await loadPipeline({ modelDir: dir, threads: 1, safety: null, quantize: 'none' });
    try {
      assert.equal(byDefault.flash?.entry.quantize, 'int8');
      const [fast] = await byDefault.generate({ ...req, fast: true });
      assert.equal(params(fast!).quantize, 'int8');
      const [normal] = await byDefault.generate({ ...req, steps: 2 });
      assert.equal(params(normal!).quantize, undefined, 'the base model is not quantized by the Flash entry');
      const [f32] = await asked.generate({ ...req, fast: true });
      assert.equal(params(f32!).quantize, undefined);
    } finally {
      await byDefault.release();
      await asked.release();
    }
  });

  test('a Flash distilled over a guidance range draws at the requested scale (default: its recorded one) and records it', async () => {
    assert.deepEqual(ranged.flash?.entry.guidanceRange, [1, 8]);
    // What the server tells the playground: the base model's scale, and the range fast requests keep to.
    assert.deepEqual(ranged.info.guidance, { default: 4, fastRange: [1, 8] });
    assert.deepEqual(flash.info.guidance, { default: 4, fastRange: null }, 'a baked-in Flash takes no scale');
    const req = { prompt: 'a red apple', width: 64, height: 64, seed: 5, fast: true };
    const [byDefault] = await ranged.generate(req);
    assert.equal(params(byDefault!).guidance, 3);
    assert.deepEqual(params(byDefault!).flash, { steps: 2, teacher_steps: 8, teacher: 'tiny 0', guidance_range: [1, 8] });
    const [three] = await ranged.generate({ ...req, guidance: 3 });
    assert.deepEqual(three!.image.data, byDefault!.image.data);
    const [low] = await ranged.generate({ ...req, guidance: 1 });
    const [high] = await ranged.generate({ ...req, guidance: 8 });
    assert.equal(params(high!).guidance, 8);
    assert.notDeepEqual(low!.image.data, high!.image.data, 'the scale reaches the student');
    // Edits and inpainting give it the scale too, and keep the input outside the mask.
    const w = 64;
    const image = { width: w, height: w, data: new Uint8Array(w * w * 3).map((_, i) => (i * 37) % 251) };
    const mask = { width: w, height: w, data: new Uint8Array(w * w) };
    for (let y = 16; y < 40; y++) for (let x = 20; x < 44; x++) mask.data[y * w + x] = 255;
    const edit = { image, instruction: 'a blue ball', mask, seed: 2, fast: true };
    const [e1] = await ranged.edit({ ...edit, guidance: 1 });
    const [e8] = await ranged.edit({ ...edit, guidance: 8 });
    assert.deepEqual([params(e8!).guidance, params(e8!).mode], [8, 'inpaint']);
    assert.notDeepEqual(e1!.image.data, e8!.image.data);
    for (let y = 0; y < w; y++) {
      for (let x = 0; x < w; x++) {
        if (y >= 14 && y < 42 && x >= 18 && x < 46) continue;
        const i = (y * w + x) * 3;
        assert.deepEqual([...e8!.image.data.subarray(i, i + 3)], [...image.data.subarray(i, i + 3)], `pixel ${x},${y} outside the mask changed`);
      }
    }
  });

  test('a guidance outside the distilled range is bad input naming the range: InputError, and exit code 2 from the CLI', async () => {
    const message = /guidance 9 is outside the range this model's Flash was distilled for, \[1, 8\]/;
    await assert.rejects(ranged.generate({ prompt: 'a red apple', width: 64, height: 64, seed: 5, fast: true, guidance: 9 }), { name: 'InputError', message });
    await assert.rejects(ranged.edit({ image: { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3) }, instruction: 'a blue ball', fast: true, guidance: 0.5 }), { name: 'InputError' });
    const bin = new URL('../../bin/flowpaint.js', import.meta.url).pathname;
    const out = join(mkdtempSync(join(tmpdir(), 'flash-cli-')), 'x.png');
    const failed = await promisify(execFile)(process.execPath, [bin, 'generate', 'a red apple', '--model', rangeDir, '--fast', '--guidance', '9', '--threads', '1', '-o', out]).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    assert.equal(failed.code, 2);
    assert.match(failed.stderr, message);
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
