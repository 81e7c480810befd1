// --init-from across patch sizes: the resampled model draws what the original drew, at the new
// grain (same token grid), so a run that changes its patch size starts from the old model's
// knowledge rather than from random pixels in and out.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Rng } from '../engine/index.ts';
import { gridFor } from '../model/layout.ts';
import { ModelRunner } from '../model/runner.ts';
import { type LoadedModel, loadModel, saveModel } from '../model/store.ts';
import { randomTinyModel, tinyModelDir } from '../testing/tiny-model.ts';
import { resamplePatchTensors } from './patch-resample.ts';

const scratch = mkdtempSync(join(tmpdir(), 'flowpaint-patch-resample-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The tiny model with a pixel head and every weight random (zero-initialised heads would make any comparison vacuous). */
let base: LoadedModel;
before(async () => {
  const tiny = loadModel(await tinyModelDir());
  base = await randomTinyModel(join(scratch, 'p8'), 7, { ...tiny.config, pixelHead: 16 });
});

/** The model directory `base` becomes with its pixel tensors resampled to `patch`. */
function resampled(patch: number): LoadedModel {
  const dir = join(scratch, `p${patch}`);
  const weights = resamplePatchTensors(base.weights, base.config.patchSize, patch, base.config.width);
  saveModel(dir, { config: { ...base.config, patchSize: patch }, info: base.info, weights, tokenizer: base.tokenizer }, 'float32');
  return loadModel(dir);
}

/** Each token's p×p×c values enlarged r× (nearest), token by token. */
function upsample(tokens: Float32Array, p: number, r: number, c: number): Float32Array {
  const P = p * p * c;
  const Q = P * r * r;
  const n = tokens.length / P;
  const out = new Float32Array(n * Q);
  for (let k = 0; k < n; k++) {
    for (let y = 0; y < p * r; y++) {
      for (let x = 0; x < p * r; x++) {
        for (let ch = 0; ch < c; ch++) out[k * Q + (y * p * r + x) * c + ch] = tokens[k * P + (Math.floor(y / r) * p + Math.floor(x / r)) * c + ch]!;
      }
    }
  }
  return out;
}

/** Each token's p×p×c values averaged over r×r blocks. */
function avgpool(tokens: Float32Array, p: number, r: number, c: number): Float32Array {
  const P = p * p * c;
  const q = p / r;
  const Q = q * q * c;
  const n = tokens.length / P;
  const out = new Float32Array(n * Q);
  for (let k = 0; k < n; k++) {
    for (let y = 0; y < p; y++) {
      for (let x = 0; x < p; x++) {
        for (let ch = 0; ch < c; ch++) { const i = k * Q + (Math.floor(y / r) * q + Math.floor(x / r)) * c + ch; out[i] = out[i]! + tokens[k * P + (y * p + x) * c + ch]! / (r * r); }
      }
    }
  }
  return out;
}

function maxRelErr(got: Float32Array, want: Float32Array): number {
  assert.equal(got.length, want.length);
  const scale = Math.max(...Array.from(want, Math.abs));
  assert.ok(scale > 0.1, 'the reference output is not trivial');
  return Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i]!))) / scale;
}

/** One denoiser prediction of `m` on a 4×4-token grid, for given noisy patches and inpainting mask. */
async function predict(m: LoadedModel, noisy: Float32Array, mask: Float32Array): Promise<Float32Array> {
  const runner = await ModelRunner.create(m, { threads: 1 });
  try {
    const side = 4 * m.config.patchSize;
    const cond = await runner.encode(['a red apple on a blue background']);
    const [out] = await runner.predict({ noisy: [noisy], t: 0.6, grid: gridFor(side, side, m.config.patchSize), cond, mask });
    return out!;
  } finally {
    await runner.release();
  }
}

test('smaller patches at the same token grid: the new model predicts the old one\'s prediction, block-averaged', async () => {
  const p = base.config.patchSize; // 8
  const small = resampled(p / 2);
  const rng = new Rng(3);
  const noisy = rng.fillNormal(new Float32Array(16 * (p / 2) ** 2 * 3));
  const mask = Float32Array.from({ length: 16 * (p / 2) ** 2 }, () => (rng.uniform() < 0.5 ? 1 : 0));
  const want = avgpool(await predict(base, upsample(noisy, p / 2, 2, 3), upsample(mask, p / 2, 2, 1)), p, 2, 3);
  const err = maxRelErr(await predict(small, noisy, mask), want);
  assert.ok(err < 1e-4, `max relative error ${err}`);
});

test('larger patches at the same token grid: the new model predicts the old one\'s prediction, enlarged', async () => {
  const p = base.config.patchSize; // 8
  const large = resampled(p * 2);
  const rng = new Rng(4);
  const noisy = rng.fillNormal(new Float32Array(16 * p * p * 3));
  const mask = Float32Array.from({ length: 16 * p * p }, () => (rng.uniform() < 0.5 ? 1 : 0));
  const want = upsample(await predict(base, noisy, mask), p, 2, 3);
  const err = maxRelErr(await predict(large, upsample(noisy, p, 2, 3), upsample(mask, p, 2, 1)), want);
  assert.ok(err < 1e-4, `max relative error ${err}`);
});

test('a patch size that is not a whole multiple is refused with both sizes named', () => {
  assert.throws(() => resamplePatchTensors(base.weights, 8, 6, base.config.width), /patch size 8 → 6 cannot be resampled/);
});
