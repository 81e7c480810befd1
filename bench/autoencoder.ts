// `npm run bench -- autoencoder [--minutes 10] [--channels 16] [--batch 8] [--lr 2e-3] [--threads N] [--seed 1] [--save ae.safetensors]`:
// the measurement behind "pixels in patches or an autoencoder's latent" (ARCHITECTURE.md). Trains
// the small ViT autoencoder (src/experiments/autoencoder.ts) on training-split scenes for a wall-clock
// budget, then reports
//   (a) reconstruction PSNR / SSIM on held-out scenes at 128² and 256²;
//   (b) encode and decode time at 1024² next to the small denoiser's time per step there, in
//       pixel patches (16 px, 4,096 tokens) and on a latent-shaped grid (2×2 latent patches,
//       4,096 tokens), and what 20 steps cost each way;
//   (c) edit preservation: PSNR / SSIM outside a 25% mask after 1 and 10 chained encode→decode
//       round trips, and after a latent edit inside the mask, against pixel space.
import os from 'node:os';
import { composeScene } from '../src/data/compose.ts';
import { SceneStream } from '../src/data/stream.ts';
import { DEFAULT_ADAMW, HostTensor, TrainStep, compileTrainStep, initialTrainState, writeSafetensors } from '../src/engine/index.ts';
import { AE_SMALL, AutoencoderRunner, buildAutoencoderTrainingGraph, patchValues, type AutoencoderConfig } from '../src/experiments/autoencoder.ts';
import { type Mask, PSNR_IDENTICAL, type RgbImage, psnrOutside, ssimOutside } from '../src/image/index.ts';
import { PRESETS } from '../src/model/config.ts';
import { patchify, unpatchify } from '../src/model/layout.ts';
import { initParams } from '../src/nn/index.ts';
import { denoiserStepTimer } from './model.ts';
import { cpuSeconds, option, timeRuns } from './lib/util.ts';

const TRAIN_SIDE = 128;
const WARMUP_STEPS = 100;
const SAMPLING_STEPS = 20;
const HELDOUT_SEED = 9000;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const db = (v: number) => (v >= PSNR_IDENTICAL ? '∞ (identical)' : `${v.toFixed(2)} dB`);

interface TrainResult {
  weights: Map<string, HostTensor>;
  steps: number;
  samples: number;
  wallS: number;
  cpuS: number;
  finalMse: number;
}

/** Trains for `budgetS` seconds of wall-clock time: linear warm-up, then cosine decay over the budget. */
async function train(c: AutoencoderConfig, batch: number, budgetS: number, peakLr: number, seed: number, threads: number): Promise<TrainResult> {
  const g = buildAutoencoderTrainingGraph(c, batch, TRAIN_SIDE, TRAIN_SIDE);
  const compiled = compileTrainStep({ loss: g.loss, params: g.scope.params(), optimizer: DEFAULT_ADAMW, metrics: { mse: g.mse } });
  const stepper = await TrainStep.create(compiled, initialTrainState(initParams(g.scope, seed)), { threads });
  console.log(`autoencoder: ${(g.scope.count() / 1e6).toFixed(2)} M parameters; training ${TRAIN_SIDE}² batch ${batch} for ${(budgetS / 60).toFixed(1)} min`);
  const stream = new SceneStream({ seed, split: 'train', editFraction: 0, batchSize: batch, buckets: [{ width: TRAIN_SIDE, height: TRAIN_SIDE }] });
  const n = (TRAIN_SIDE / c.patch) ** 2;
  const pixels = new Float32Array(batch * n * patchValues(c));
  const feeds = { pixels: HostTensor.f32(pixels, [batch, n, patchValues(c)]) };
  const t0 = performance.now();
  const cpu0 = cpuSeconds();
  let lastLog = t0;
  const recent: number[] = [];
  for (;;) {
    const elapsedS = (performance.now() - t0) / 1000;
    if (elapsedS >= budgetS) break;
    stream.nextBatch().forEach((s, i) => {
      if (s.kind !== 't2i') throw new Error('autoencoder bench: the stream should hold scenes only');
      patchify(s.image, c.patch, pixels.subarray(i * n * patchValues(c), (i + 1) * n * patchValues(c)));
    });
    const warm = Math.min(1, (stepper.step + 1) / WARMUP_STEPS);
    const lr = peakLr * warm * (0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * elapsedS) / budgetS)));
    const r = await stepper.run(feeds, lr);
    if (!Number.isFinite(r.loss)) throw new Error(`autoencoder training diverged at step ${stepper.step}`);
    recent.push(r.metrics.mse!);
    if (recent.length > 20) recent.shift();
    if (performance.now() - lastLog > 30_000) {
      lastLog = performance.now();
      console.log(`  step ${String(stepper.step).padStart(5)}  ${elapsedS.toFixed(0).padStart(5)} s  mse ${mean(recent).toFixed(5)} (${(10 * Math.log10(4 / mean(recent))).toFixed(2)} dB)  lr ${lr.toExponential(2)}`);
    }
  }
  const result: TrainResult = {
    weights: stepper.state().params,
    steps: stepper.step,
    samples: stepper.step * batch,
    wallS: (performance.now() - t0) / 1000,
    cpuS: cpuSeconds() - cpu0,
    finalMse: mean(recent),
  };
  await stepper.release();
  return result;
}

/** The centred rectangle of half the width and half the height: 25% of the image. */
function centreMask(width: number, height: number): Mask {
  const data = new Uint8Array(width * height);
  for (let y = height / 4; y < (3 * height) / 4; y++) data.fill(255, y * width + width / 4, y * width + (3 * width) / 4);
  return { width, height, data };
}

/** Latent of `a` with the tokens whose patch touches the mask taken from `b`: a latent-space edit. */
function editLatent(c: AutoencoderConfig, a: Float32Array, b: Float32Array, mask: Mask): Float32Array {
  const out = a.slice();
  const cols = mask.width / c.patch;
  for (let t = 0; t < a.length / c.channels; t++) {
    const r = Math.floor(t / cols);
    const col = t % cols;
    let touched = false;
    for (let y = r * c.patch; y < (r + 1) * c.patch && !touched; y++) {
      for (let x = col * c.patch; x < (col + 1) * c.patch; x++) if (mask.data[y * mask.width + x]) touched = true;
    }
    if (touched) out.set(b.subarray(t * c.channels, (t + 1) * c.channels), t * c.channels);
  }
  return out;
}

export async function run(args: string[]): Promise<void> {
  const minutes = Number(option(args, '--minutes') ?? 10);
  const c: AutoencoderConfig = { ...AE_SMALL, channels: Number(option(args, '--channels') ?? AE_SMALL.channels) };
  const batch = Number(option(args, '--batch') ?? 8);
  const threads = Number(option(args, '--threads') ?? os.availableParallelism());
  const seed = Number(option(args, '--seed') ?? 1);
  const lr = Number(option(args, '--lr') ?? 2e-3);
  const savePath = option(args, '--save');
  const out: Record<string, number | string> = {};
  console.log(`autoencoder benchmark — patch ${c.patch}, ${c.channels} latent channels, width ${c.width}, depth ${c.encoderDepth}+${c.decoderDepth}, window ${c.window}; ${threads} threads, ${os.cpus()[0]?.model ?? 'cpu'}`);

  // Training.
  const tr = await train(c, batch, minutes * 60, lr, seed, threads);
  if (savePath) writeSafetensors(savePath, tr.weights, { config: JSON.stringify(c), steps: String(tr.steps) });
  Object.assign(out, { channels: c.channels, train_steps: tr.steps, train_samples: tr.samples, train_wall_s: +tr.wallS.toFixed(0), train_cpu_s: +tr.cpuS.toFixed(0) });
  console.log(`trained ${tr.steps} steps (${tr.samples} scenes) in ${tr.wallS.toFixed(0)} s wall, ${tr.cpuS.toFixed(0)} CPU s; last-20-step training MSE ${tr.finalMse.toFixed(5)}`);

  // (a) Reconstruction on held-out scenes.
  const rows: string[][] = [];
  for (const [side, count] of [[128, 32], [256, 16]] as const) {
    const runner = await AutoencoderRunner.create(c, tr.weights, side, side, threads);
    const psnrs: number[] = [];
    const ssims: number[] = [];
    for (let i = 0; i < count; i++) {
      const img = composeScene(HELDOUT_SEED + i, { width: side, height: side, split: 'heldout' }).image;
      const back = await runner.decode(await runner.encode(img));
      psnrs.push(psnrOutside(img, back).psnr);
      ssims.push(ssimOutside(img, back, undefined, 7)!);
    }
    await runner.release();
    out[`psnr_${side}`] = +mean(psnrs).toFixed(2);
    out[`psnr_min_${side}`] = +Math.min(...psnrs).toFixed(2);
    out[`ssim_${side}`] = +mean(ssims).toFixed(4);
    rows.push([`reconstruction ${side}² (${count} held-out scenes)`, `PSNR ${mean(psnrs).toFixed(2)} dB (min ${Math.min(...psnrs).toFixed(2)})`, `SSIM ${mean(ssims).toFixed(4)}`]);
  }

  // (b) Speed at 1 MP. The four timings are interleaved and each is the best of three rounds, so
  // that the background load moving between them does not decide the comparison.
  const big = await AutoencoderRunner.create(c, tr.weights, 1024, 1024, threads);
  const bigImg = composeScene(HELDOUT_SEED, { width: 1024, height: 1024, split: 'heldout' }).image;
  const latent = await big.encode(bigImg);
  const small = PRESETS.small!;
  const pixels = await denoiserStepTimer(small, threads);
  // A 128² latent in 2×2 patches is the same 4,096-token grid: measured as the small denoiser
  // with 2-pixel patches on a 128² input (its in/out projections are 12 values wide instead of a
  // 16-channel latent's 64, a negligible difference next to the 4,096-token transformer).
  const latentGrid = await denoiserStepTimer({ ...small, patchSize: 2 }, threads);
  let [encMs, decMs, pixelStep, latentStep] = [Infinity, Infinity, Infinity, Infinity];
  for (let round = 0; round < 3; round++) {
    encMs = Math.min(encMs, await timeRuns(() => big.encode(bigImg), 1));
    decMs = Math.min(decMs, await timeRuns(() => big.decode(latent), 1));
    pixelStep = Math.min(pixelStep, await pixels.stepMs(1024, 1));
    latentStep = Math.min(latentStep, await latentGrid.stepMs(128, 1));
  }
  await Promise.all([big.release(), pixels.release(), latentGrid.release()]);
  const pixelGen = SAMPLING_STEPS * pixelStep;
  const latentGen = SAMPLING_STEPS * latentStep + decMs;
  Object.assign(out, {
    encode_ms_1024: +encMs.toFixed(1), decode_ms_1024: +decMs.toFixed(1),
    denoiser_step_ms_1024_pixels: +pixelStep.toFixed(1), denoiser_step_ms_latent_grid: +latentStep.toFixed(1),
    gen20_ms_pixels: +pixelGen.toFixed(0), gen20_ms_latent: +latentGen.toFixed(0), edit20_ms_latent: +(latentGen + encMs).toFixed(0),
  });
  rows.push(['AE encode / decode 1024²', `${encMs.toFixed(0)} ms / ${decMs.toFixed(0)} ms`, `${(encMs + decMs).toFixed(0)} ms round trip`]);
  rows.push(['denoiser step 1024² (pixels, 16 px patches)', `${pixelStep.toFixed(0)} ms`, '4,096 tokens']);
  rows.push(['denoiser step, latent grid (128², 2×2)', `${latentStep.toFixed(0)} ms`, '4,096 tokens']);
  rows.push([`${SAMPLING_STEPS} steps at 1 MP: pixels`, `${(pixelGen / 1000).toFixed(2)} s`, '']);
  rows.push([`${SAMPLING_STEPS} steps at 1 MP: latent + decode`, `${(latentGen / 1000).toFixed(2)} s`, `edit (+ encode source): ${((latentGen + encMs) / 1000).toFixed(2)} s`]);

  // (c) Edit preservation at 256²: what the latent does to pixels outside a 25% mask.
  const side = 256;
  const mask = centreMask(side, side);
  const runner = await AutoencoderRunner.create(c, tr.weights, side, side, threads);
  const one: number[] = [];
  const ten: number[] = [];
  const oneSsim: number[] = [];
  const tenSsim: number[] = [];
  const edited: number[] = [];
  const pixelTen: number[] = [];
  const scenes = 8;
  for (let i = 0; i < scenes; i++) {
    const img: RgbImage = composeScene(HELDOUT_SEED + 100 + i, { width: side, height: side, split: 'heldout' }).image;
    let cur: RgbImage = img;
    for (let round = 1; round <= 10; round++) {
      cur = await runner.decode(await runner.encode(cur));
      if (round === 1) {
        one.push(psnrOutside(img, cur, mask).psnr);
        oneSsim.push(ssimOutside(img, cur, mask, 7)!);
      }
    }
    ten.push(psnrOutside(img, cur, mask).psnr);
    tenSsim.push(ssimOutside(img, cur, mask, 7)!);
    // A latent edit: the masked tokens come from another scene; everything else is the source's latent.
    const other = composeScene(HELDOUT_SEED + 200 + i, { width: side, height: side, split: 'heldout' }).image;
    const z = editLatent(c, await runner.encode(img), await runner.encode(other), mask);
    edited.push(psnrOutside(img, await runner.decode(z), mask).psnr);
    // Pixel space: the denoiser's input and output are the pixels themselves (16 px patches).
    let px: RgbImage = img;
    for (let round = 0; round < 10; round++) px = unpatchify(patchify(px, 16), side, side, 16);
    pixelTen.push(psnrOutside(img, px, mask).psnr);
  }
  await runner.release();
  Object.assign(out, {
    keep_psnr_1: +mean(one).toFixed(2), keep_psnr_10: +mean(ten).toFixed(2), keep_ssim_1: +mean(oneSsim).toFixed(4), keep_ssim_10: +mean(tenSsim).toFixed(4),
    keep_psnr_latent_edit: +mean(edited).toFixed(2), keep_pixels_10: mean(pixelTen) >= PSNR_IDENTICAL ? 'identical' : +mean(pixelTen).toFixed(2),
  });
  rows.push([`outside a 25% mask, 1 round trip (${scenes} scenes, 256²)`, `PSNR ${mean(one).toFixed(2)} dB`, `SSIM ${mean(oneSsim).toFixed(4)}`]);
  rows.push(['outside the mask, 10 chained round trips', `PSNR ${mean(ten).toFixed(2)} dB`, `SSIM ${mean(tenSsim).toFixed(4)}`]);
  rows.push(['outside the mask, latent edit inside it', `PSNR ${mean(edited).toFixed(2)} dB`, '']);
  rows.push(['outside the mask, pixel space, 10 rounds', `PSNR ${db(mean(pixelTen))}`, '']);

  const w0 = Math.max(...rows.map((r) => r[0]!.length));
  const w1 = Math.max(...rows.map((r) => r[1]!.length));
  console.log();
  for (const r of rows) console.log(`${r[0]!.padEnd(w0)}  ${r[1]!.padEnd(w1)}  ${r[2]}`);
  console.log(JSON.stringify(out));
}
