// `npm run bench -- upscale [--scenes 8] [--sizes 512,1024] [--weights FILE] [--model DIR] [--threads N] [--e2e]`:
// the measurement behind the learned upscaler (issue 16). On held-out scenes, a 128² base image is
// upscaled to each size by Lanczos-3 (sharp) and by the learned ×2 stages, and both are compared
// with the exact render at that size:
//   PSNR and SSIM (luma, 7×7 windows) against the render;
//   edge sharpness: mean gradient magnitude at the render's edges, as a share of the render's own
//   there (1.00 = as crisp as the truth; blur lowers it);
// for two base images: the exact pair (the render at the size, averaged over 4×4 or 8×8 blocks —
// what an ideal 128² picture of the same scene is) and the scene rendered at 128² directly (boxes
// snapped to that grid, like what the base model learned to draw).
// With --e2e it also times `generate` at 1024×1024 with the model directory (base model + upscaler)
// and reports the process's peak resident memory.
import os from 'node:os';
import { layoutScene, renderScene, specForSeed } from '../src/data/index.ts';
import type { RgbImage } from '../src/data/image.ts';
import { psnrOutside, ssimOutside } from '../src/eval/preservation.ts';
import { type Upscaler, UPSCALER_WEIGHTS, lanczos, loadUpscaler } from '../src/model/upscaler.ts';
import { defaultModelDir, loadPipeline } from '../src/pipeline/index.ts';
import { upscaleTo } from '../src/pipeline/upscale.ts';
import { boxDownsample2 } from '../src/train/upscaler-data.ts';
import { option } from './lib/util.ts';
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const BASE = 128;
const HELDOUT_SEED0 = 5000;

function luma(img: RgbImage): Float32Array {
  const l = new Float32Array(img.width * img.height);
  for (let p = 0; p < l.length; p++) l[p] = 0.299 * img.data[p * 3]! + 0.587 * img.data[p * 3 + 1]! + 0.114 * img.data[p * 3 + 2]!;
  return l;
}

/** Sobel gradient magnitude of luma (0 on the border). */
function gradient(img: RgbImage): Float32Array {
  const { width: w, height: h } = img;
  const l = luma(img);
  const g = new Float32Array(w * h);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const p = y * w + x;
      const gx = l[p - w + 1]! + 2 * l[p + 1]! + l[p + w + 1]! - l[p - w - 1]! - 2 * l[p - 1]! - l[p + w - 1]!;
      const gy = l[p + w - 1]! + 2 * l[p + w]! + l[p + w + 1]! - l[p - w - 1]! - 2 * l[p - w]! - l[p - w + 1]!;
      g[p] = Math.hypot(gx, gy) / 8;
    }
  }
  return g;
}

/** Mean gradient of `img` over the truth's edge pixels (gradient ≥ 16/255 per px), as a share of the truth's mean there. */
function edgeSharpness(img: RgbImage, truthGrad: Float32Array): number {
  const g = gradient(img);
  let a = 0;
  let t = 0;
  for (let p = 0; p < g.length; p++) {
    if (truthGrad[p]! < 16) continue;
    a += g[p]!;
    t += truthGrad[p]!;
  }
  return t > 0 ? a / t : NaN;
}

interface Score {
  psnr: number[];
  ssim: number[];
  edge: number[];
}
const newScore = (): Score => ({ psnr: [], ssim: [], edge: [] });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function score(s: Score, img: RgbImage, truth: RgbImage, truthGrad: Float32Array): void {
  s.psnr.push(psnrOutside(img, truth).psnr);
  s.ssim.push(ssimOutside(img, truth, undefined, 7)!);
  s.edge.push(edgeSharpness(img, truthGrad));
}

function row(label: string, s: Score, ref?: Score): string {
  const gain = ref ? ` (${mean(s.psnr) - mean(ref.psnr) >= 0 ? '+' : ''}${(mean(s.psnr) - mean(ref.psnr)).toFixed(2)} dB)` : '';
  return `| ${label} | ${mean(s.psnr).toFixed(2)} dB${gain} | ${mean(s.ssim).toFixed(4)} | ${mean(s.edge).toFixed(3)} |`;
}

function weightsFrom(args: string[]): { upscaler: Upscaler; source: string } {
  const threads = Number(option(args, '--threads') ?? os.availableParallelism());
  const file = option(args, '--weights');
  const dir = file ? dirname(file) : option(args, '--model') ?? defaultModelDir();
  if (file && !file.endsWith(UPSCALER_WEIGHTS)) throw new Error(`--weights must name an ${UPSCALER_WEIGHTS} file, got ${file}`);
  const up = loadUpscaler(dir, threads);
  if (!up) throw new Error(`no ${UPSCALER_WEIGHTS} in ${dir} (train one with flowpaint train-upscaler, or pass --weights)`);
  return { upscaler: up, source: join(dir, UPSCALER_WEIGHTS) };
}

export async function run(args: string[]): Promise<void> {
  const scenes = Number(option(args, '--scenes') ?? 8);
  const sizes = (option(args, '--sizes') ?? '512,1024').split(',').map(Number);
  const threads = Number(option(args, '--threads') ?? os.availableParallelism());
  const { upscaler, source } = weightsFrom(args);
  console.log(`upscaler benchmark — ${source}: ${upscaler.config.layers} convs × ${upscaler.config.channels} channels; ${scenes} held-out scenes from a ${BASE}² base; ${threads} threads, ${os.cpus()[0]?.model ?? 'cpu'}`);
  const json: Record<string, number> = {};
  for (const size of sizes) {
    if (!Number.isInteger(Math.log2(size / BASE))) throw new Error(`--sizes: ${size} is not ${BASE} times a power of two`);
    const results = { exact: { lanczos: newScore(), learned: newScore() }, native: { lanczos: newScore(), learned: newScore() } };
    let upscaleMs = 0;
    for (let k = 0; k < scenes; k++) {
      // One spec for every size: lettering chosen to fit the smallest.
      const spec = specForSeed(HELDOUT_SEED0 + k, 'heldout', { size: { width: BASE, height: BASE } });
      const truth = renderScene(layoutScene(spec, size, size)).image;
      const truthGrad = gradient(truth);
      let exact: RgbImage = truth;
      while (exact.width > BASE) exact = boxDownsample2(exact);
      const native = renderScene(layoutScene(spec, BASE, BASE)).image;
      for (const [name, base] of [['exact', exact], ['native', native]] as const) {
        score(results[name].lanczos, await lanczos(base, size, size), truth, truthGrad);
        const t0 = performance.now();
        const up = await upscaleTo(base, size, size, upscaler);
        upscaleMs += performance.now() - t0;
        score(results[name].learned, up, truth, truthGrad);
      }
    }
    console.log(`\n${size}×${size} (×${size / BASE}), mean over ${scenes} scenes; learned upscale ${(upscaleMs / (2 * scenes) / 1000).toFixed(2)} s per image`);
    console.log('| base image → method | PSNR | SSIM | edge sharpness (truth = 1) |');
    console.log('| --- | --- | --- | --- |');
    for (const name of ['exact', 'native'] as const) {
      const r = results[name];
      console.log(row(`${name === 'exact' ? 'exact pair' : `${BASE}² render`} → Lanczos-3`, r.lanczos));
      console.log(row(`${name === 'exact' ? 'exact pair' : `${BASE}² render`} → learned`, r.learned, r.lanczos));
      json[`${name}_${size}_lanczos_psnr`] = mean(r.lanczos.psnr);
      json[`${name}_${size}_learned_psnr`] = mean(r.learned.psnr);
      json[`${name}_${size}_lanczos_ssim`] = mean(r.lanczos.ssim);
      json[`${name}_${size}_learned_ssim`] = mean(r.learned.ssim);
      json[`${name}_${size}_lanczos_edge`] = mean(r.lanczos.edge);
      json[`${name}_${size}_learned_edge`] = mean(r.learned.edge);
    }
    json[`upscale_${size}_s`] = upscaleMs / (2 * scenes) / 1000;
  }
  await upscaler.release();
  if (args.includes('--e2e')) Object.assign(json, await endToEnd(args, source, threads));
  console.log(JSON.stringify(json));
}

/** generate at 1024² through loadPipeline (base model + the upscaler under test), timed; peak RSS of the process. */
async function endToEnd(args: string[], upscalerFile: string, threads: number): Promise<Record<string, number>> {
  const modelDir = option(args, '--model') ?? defaultModelDir();
  // The model directory with the upscaler under test beside its weights (a temporary copy when they differ).
  let dir = modelDir;
  if (dirname(upscalerFile) !== modelDir) {
    dir = mkdtempSync(join(os.tmpdir(), 'bench-upscale-'));
    for (const f of readdirSync(modelDir)) copyFileSync(join(modelDir, f), join(dir, f));
    copyFileSync(upscalerFile, join(dir, UPSCALER_WEIGHTS));
  }
  const steps = Number(option(args, '--steps') ?? 20);
  const t0 = performance.now();
  const pipe = await loadPipeline({ modelDir: dir, threads });
  const loadS = (performance.now() - t0) / 1000;
  const times: number[] = [];
  let baseS = 0;
  for (let rep = 0; rep < 2; rep++) {
    const t1 = performance.now();
    let sampled = 0;
    await pipe.generate({
      prompt: 'a red apple left of a cat on a blue background', width: 1024, height: 1024, steps, seed: rep,
      onStep: (e) => {
        if (e.step === e.steps) sampled = performance.now();
      },
    });
    times.push((performance.now() - t1) / 1000);
    baseS = (sampled - t1) / 1000;
  }
  await pipe.release();
  const peakMb = process.resourceUsage().maxRSS / 1024;
  const plan = pipe.plan(1024, 1024);
  console.log(`\nend to end, generate 1024×1024 (${steps} steps at ${plan.base.width}×${plan.base.height}, then ${plan.upscale ? `learned ×${plan.upscale}` : 'Lanczos'}), ${threads} threads:`);
  console.log(`  load ${loadS.toFixed(2)} s; first call ${times[0]!.toFixed(2)} s, second ${times[1]!.toFixed(2)} s (of it sampling ${baseS.toFixed(2)} s, upscale + filter ${(times[1]! - baseS).toFixed(2)} s); peak RSS ${peakMb.toFixed(0)} MB`);
  return { e2e_load_s: loadS, e2e_first_s: times[0]!, e2e_s: times[1]!, e2e_sampling_s: baseS, peak_rss_mb: peakMb };
}
