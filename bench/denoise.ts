// `npm run bench -- denoise --model DIR [--scenes 16] [--png FILE]`: can the model draw detail?
// Training scenes (from the model's own training scope when its config records one) are noised to
// t = 0.1 … 0.9 and the model's clean-image estimate is compared with the scene: PSNR per t, and
// "detail", the share of the scene's within-patch variation the estimate reproduces (0: one flat
// colour per patch, 1: every pixel). A model that only learned layouts and colours scores near 0
// on detail at every t; it is the figure that moves first when objects start to appear.
// --png writes, per t, the noisy input and the estimate side by side for the first scene.
import sharp from 'sharp';
import { SceneStream } from '../src/data/stream.ts';
import type { DataScope } from '../src/data/scope.ts';
import { Rng } from '../src/engine/index.ts';
import { patchify, unpatchify } from '../src/model/layout.ts';
import { ModelRunner } from '../src/model/runner.ts';
import { loadModel } from '../src/model/store.ts';
import { option } from './lib/util.ts';

const TIMES = [0.1, 0.3, 0.5, 0.7, 0.9];
const SIDE = 128;

export async function run(args: string[]): Promise<void> {
  const dir = option(args, '--model') ?? 'models/default';
  const scenes = Number(option(args, '--scenes') ?? 16);
  const png = option(args, '--png');
  const model = loadModel(dir);
  const scope = (model.info.training?.data ?? undefined) as DataScope | undefined;
  const runner = await ModelRunner.create(model);
  const p = runner.config.patchSize;
  const grid = { rows: SIDE / p, cols: SIDE / p };
  const stream = new SceneStream({ seed: 424242, editFraction: 0, buckets: [{ width: SIDE, height: SIDE }], scope });
  const psnr = TIMES.map(() => 0);
  const detail = TIMES.map(() => 0);
  const tiles: Uint8Array[] = [];
  try {
    for (let k = 0; k < scenes; k++) {
      const sample = stream.next();
      if (sample.kind !== 't2i') throw new Error('denoise: the stream gave an edit sample');
      const x0 = patchify(sample.image, p);
      const cond = await runner.encode([sample.caption]);
      if (k === 0) tiles.push(sample.image.data);
      for (const [i, t] of TIMES.entries()) {
        const eps = new Rng(1000 + k).fillNormal(new Float32Array(x0.length));
        const xt = x0.map((v, j) => (1 - t) * v + t * eps[j]!);
        const est = (await runner.predict({ noisy: [xt], t, grid, cond }))[0]!;
        psnr[i]! += psnrOf(est, x0) / scenes;
        detail[i]! += detailShare(est, x0, p * p * 3) / scenes;
        if (k === 0) {
          tiles.push(unpatchify(xt.map((v) => Math.max(-1, Math.min(1, v))), SIDE, SIDE, p).data);
          tiles.push(unpatchify(est, SIDE, SIDE, p).data);
        }
      }
    }
  } finally {
    await runner.release();
  }
  console.log(`${dir}: clean-image estimate from training scenes noised to t (${scenes} scenes, ${SIDE}²)`);
  console.log('t      PSNR dB  detail');
  TIMES.forEach((t, i) => console.log(`${t.toFixed(1)}    ${psnr[i]!.toFixed(2).padStart(6)}  ${detail[i]!.toFixed(3)}`));
  if (png) await writeStrip(png, tiles);
  console.log(JSON.stringify({ bench: 'denoise', model: dir, scenes, t: TIMES, psnr: psnr.map((v) => +v.toFixed(2)), detail: detail.map((v) => +v.toFixed(3)) }));
}

function psnrOf(a: Float32Array, b: Float32Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (Math.max(-1, Math.min(1, a[i]!)) - b[i]!) ** 2;
  const mse = se / a.length;
  return 10 * Math.log10(4 / Math.max(mse, 1e-12)); // values span [-1, 1]: peak-to-peak 2
}

/**
 * How much of the target's within-patch variation (per patch and channel, around its mean) the
 * estimate reproduces: 1 − residual/total, floored at 0.
 */
function detailShare(est: Float32Array, x0: Float32Array, P: number): number {
  let total = 0;
  let residual = 0;
  for (let base = 0; base < x0.length; base += P) {
    for (let c = 0; c < 3; c++) {
      let mx = 0;
      let me = 0;
      for (let j = c; j < P; j += 3) {
        mx += x0[base + j]!;
        me += est[base + j]!;
      }
      mx /= P / 3;
      me /= P / 3;
      for (let j = c; j < P; j += 3) {
        const dx = x0[base + j]! - mx;
        total += dx * dx;
        residual += (est[base + j]! - me - dx) ** 2;
      }
    }
  }
  return total > 0 ? Math.max(0, 1 - residual / total) : 0;
}

async function writeStrip(path: string, tiles: Uint8Array[]): Promise<void> {
  const W = SIDE * tiles.length;
  const out = Buffer.alloc(W * SIDE * 3);
  tiles.forEach((t, k) => {
    for (let y = 0; y < SIDE; y++) Buffer.from(t.buffer, t.byteOffset, t.byteLength).copy(out, (y * W + k * SIDE) * 3, y * SIDE * 3, (y + 1) * SIDE * 3);
  });
  await sharp(out, { raw: { width: W, height: SIDE, channels: 3 } }).png().toFile(path);
}
