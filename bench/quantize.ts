// `npm run bench -- quantize [--threads N] [--reps N] [--size S] [--steps N] [--images N] [--model DIR]`:
// quantized linear layers against float32.
// Timings are the best of --reps rounds with the variants interleaved, so a shared machine's
// changing load falls on every variant alike.
// 1. A linear layer [M, K] @ [K, N] (2048³ by default) with the weight baked in: float32 MatMul,
//    int8 DynamicQuantizeMatMul, int4 MatMulNBits with int8 compute (accuracy level 4) and with
//    float32 compute (level 0), as GFLOP/s and as a ratio of the float32 rate.
// 2. The shipped model (models/default): the denoiser's time per sampling step at --size² (one
//    image, no guidance batch) in each mode, and images generated in each mode from the same
//    prompts and seeds compared with the float32 ones (PSNR over RGB, dB).
import os from 'node:os';
import { HostTensor, type Quantization, Rng, Session, ops as o, serializeGraph } from '../src/engine/index.ts';
import { psnrOutside } from '../src/image/index.ts';
import { loadModel } from '../src/model/store.ts';
import { ModelRunner } from '../src/model/runner.ts';
import { defaultModelDir, loadPipeline } from '../src/pipeline/index.ts';
import { option } from './lib/util.ts';

const PROMPTS = [
  'a red apple left of a cat on a blue background',
  'two yellow stars above a green tree on a white background',
  'a purple heart on an orange background',
  'the word SALE in black letters on a yellow background',
];

interface Variant {
  label: string;
  quantize: Quantization;
  accuracyLevel?: number;
}

const VARIANTS: Variant[] = [
  { label: 'float32', quantize: 'none' },
  { label: 'int8', quantize: 'int8' },
  { label: 'int4 (int8 compute)', quantize: 'int4', accuracyLevel: 4 },
  { label: 'int4 (f32 compute)', quantize: 'int4', accuracyLevel: 0 },
];

export async function run(args: string[]): Promise<void> {
  const threads = Number(option(args, '--threads') ?? os.availableParallelism());
  const reps = Number(option(args, '--reps') ?? 3);
  const dim = Number(option(args, '--dim') ?? 2048);
  const side = Number(option(args, '--size') ?? 512);
  const steps = Number(option(args, '--steps') ?? 20);
  const images = Math.min(PROMPTS.length * 2, Number(option(args, '--images') ?? 4));
  const modelDir = option(args, '--model') ?? defaultModelDir();
  const rng = new Rng(0);
  const result: Record<string, number> = {};
  console.log(`quantize benchmark — ${threads} threads, ${os.cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString().slice(0, 10)}`);

  // 1. One linear layer.
  const [M, K, N] = [dim, dim, dim];
  const w = rng.fillNormal(new Float32Array(K * N), 1 / Math.sqrt(K));
  const x = HostTensor.f32(rng.fillNormal(new Float32Array(M * K)), [M, K]);
  const y = o.matmul(o.input('x', [M, K]), o.param('w', [K, N]));
  console.log(`\nlinear [${M}, ${K}] @ [${K}, ${N}], weight baked in; best of ${reps}, variants interleaved`);
  const sessions: Session[] = [];
  for (const v of VARIANTS) {
    const g = serializeGraph({ outputs: { y }, paramMode: 'initializers', weights: () => w, quantize: { mode: v.quantize, accuracyLevel: v.accuracyLevel } });
    sessions.push(await Session.create(g, { threads }));
  }
  const mmMs = await bestOfInterleaved(sessions.map((s) => () => s.run({ x })), reps);
  for (const s of sessions) await s.release();
  const flop = 2 * M * K * N;
  VARIANTS.forEach((v, i) => {
    const t = mmMs[i]!;
    const gflops = flop / (t.wall / 1000) / 1e9;
    const perCpu = flop / (t.cpu / 1000) / 1e9;
    console.log(
      `  ${v.label.padEnd(22)} wall ${t.wall.toFixed(1).padStart(7)} ms ${gflops.toFixed(1).padStart(6)} GFLOP/s ${(mmMs[0]!.wall / t.wall).toFixed(2)}×` +
        `   CPU ${t.cpu.toFixed(1).padStart(7)} ms ${perCpu.toFixed(1).padStart(6)} GFLOP/CPU-s ${(mmMs[0]!.cpu / t.cpu).toFixed(2)}× float32`,
    );
    result[`matmul_${key(v)}_gflops`] = round(gflops);
    result[`matmul_${key(v)}_gflop_per_cpu_s`] = round(perCpu);
  });

  // 2. The shipped model.
  const model = loadModel(modelDir);
  const c = model.config;
  console.log(`\n${modelDir} (${c.name ?? 'model'}): denoiser step at ${side}², ${reps} reps; ${images} images at the native size, ${steps} steps, vs float32`);
  const modes = VARIANTS.slice(0, 3);
  // Step time: every mode's runner built first, then their steps interleaved (the machine's load varies).
  const grid = { rows: side / c.patchSize, cols: side / c.patchSize };
  const noisy = [rng.fillNormal(new Float32Array(grid.rows * grid.cols * c.patchSize * c.patchSize * 3))];
  const runners: ModelRunner[] = [];
  for (const v of modes) runners.push(await ModelRunner.create(model, { threads, quantize: v.quantize }));
  const cond = await runners[0]!.encode([PROMPTS[0]!]);
  const stepMs = await bestOfInterleaved(runners.map((r) => () => r.predict({ noisy, t: 0.5, grid, cond })), reps);
  for (const r of runners) await r.release();

  const reference: Array<{ data: Uint8Array; width: number; height: number }> = [];
  for (const [i, v] of modes.entries()) {
    result[`step_${key(v)}_${side}_ms`] = round(stepMs[i]!.wall);
    result[`step_${key(v)}_${side}_cpu_ms`] = round(stepMs[i]!.cpu);
    const pipe = await loadPipeline({ modelDir, threads, quantize: v.quantize, safety: null });
    const psnrs: number[] = [];
    for (let k = 0; k < images; k++) {
      const [img] = await pipe.generate({ prompt: PROMPTS[k % PROMPTS.length]!, ...pipe.info.sizes.native, n: 1, seed: 1 + k, steps });
      if (v.quantize === 'none') reference.push(img!.image);
      else psnrs.push(psnrOutside(reference[k]!, img!.image).psnr);
    }
    await pipe.release();
    const mean = psnrs.length ? psnrs.reduce((a, b) => a + b, 0) / psnrs.length : NaN;
    const text = psnrs.length ? `PSNR vs float32 mean ${mean.toFixed(1)} dB, worst ${Math.min(...psnrs).toFixed(1)} dB` : 'reference';
    const t = stepMs[i]!;
    console.log(
      `  ${v.label.padEnd(22)} step wall ${t.wall.toFixed(0).padStart(6)} ms ${(stepMs[0]!.wall / t.wall).toFixed(2)}×, CPU ${t.cpu.toFixed(0).padStart(6)} ms ${(stepMs[0]!.cpu / t.cpu).toFixed(2)}× float32   ${text}`,
    );
    if (psnrs.length) {
      result[`psnr_${key(v)}_mean_db`] = round(mean);
      result[`psnr_${key(v)}_worst_db`] = round(Math.min(...psnrs));
    }
  }
  console.log(JSON.stringify({ bench: 'quantize', threads, dim, side, steps, images, ...result }));
}

interface Timing {
  /** Best wall-clock milliseconds per call. */
  wall: number;
  /** Best CPU milliseconds per call (user + system, every thread of this process). */
  cpu: number;
}

/**
 * Each function's best wall time and best CPU time over `reps` rounds, each round calling every
 * function once (after a warm-up round). On cores shared with other work the CPU time is the
 * steadier measure of cost: time-slicing stretches wall time but not the CPU time used.
 */
async function bestOfInterleaved(fns: Array<() => Promise<unknown>>, reps: number): Promise<Timing[]> {
  const best = fns.map(() => ({ wall: Infinity, cpu: Infinity }));
  for (const fn of fns) await fn();
  for (let r = 0; r < reps; r++) {
    for (const [i, fn] of fns.entries()) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await fn();
      const c = process.cpuUsage(c0);
      best[i]!.wall = Math.min(best[i]!.wall, performance.now() - t0);
      best[i]!.cpu = Math.min(best[i]!.cpu, (c.user + c.system) / 1000);
    }
  }
  return best;
}

const key = (v: Variant) => (v.quantize === 'none' ? 'f32' : v.quantize === 'int8' ? 'int8' : `int4_acc${v.accuracyLevel}`);
const round = (v: number) => Math.round(v * 100) / 100;
