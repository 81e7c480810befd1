// Trains the ×2/×4/×8 upscaler (src/model/upscaler.ts) on aligned crops of rendered scenes
// (upscaler-data.ts) for a wall-clock budget, with checkpoints that resume exactly where they
// stopped: weights, AdamW moments, step, the scene stream's position and the crop RNG's state.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ADAMW, HostTensor, Rng, TrainStep, compileTrainStep, initialTrainState, readSafetensors, type TrainState, writeSafetensors } from '../engine/index.ts';
import { initParams } from '../nn/index.ts';
import { FACTORS, UPSCALER_META_KEY, UPSCALER_SMALL, UPSCALER_WEIGHTS, type UpscalerConfig, type UpscalerLoss, buildUpscalerTrainingGraph, checkUpscalerConfig } from '../model/upscaler.ts';
import { DEFAULT_POOL, PairPool } from './upscaler-data.ts';

export const UPSCALER_CHECKPOINT = 'upscaler-checkpoint.safetensors';

export interface UpscalerTrainOptions {
  runDir: string;
  /** Total training budget in minutes, counting time spent before a resume. */
  minutes: number;
  config?: UpscalerConfig;
  batch?: number;
  /** Side of the low-resolution crops (the high crops are twice as large). */
  crop?: number;
  lr?: number;
  /** Per-pixel loss (default l2+l1; checkpoints from before the option resume with l1). */
  loss?: UpscalerLoss;
  /** Input pixels on each crop side left out of the loss (default 0). */
  margin?: number;
  /** Standard deviation of the heads' initial weights (default 0: start as exactly Lanczos). */
  headInit?: number;
  /** Share of inputs rendered at the low size instead of downsampled (default 0; data/upscaler-data.ts). */
  snappedShare?: number;
  /** Stop after this many steps, and run the learning-rate schedule over steps rather than minutes. */
  maxSteps?: number;
  seed?: number;
  threads?: number;
  /** Continue from runDir's checkpoint (its config, data position and optimizer state). */
  resume?: boolean;
  /** Checkpoint every this many seconds. */
  checkpointEveryS?: number;
  /** Aborting stops after the current step and writes a checkpoint and the weights. */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

interface Meta {
  config: UpscalerConfig;
  step: number;
  position: number;
  rng: number[];
  trainSeconds: number;
  batch: number;
  crop: number;
  lr: number;
  loss: UpscalerLoss;
  margin: number;
  headInit: number;
  snappedShare: number;
  maxSteps?: number;
  seed: number;
  minutes: number;
}

export interface UpscalerTrainResult {
  weights: Map<string, HostTensor>;
  config: UpscalerConfig;
  steps: number;
  trainSeconds: number;
  /** Mean loss over the last 50 steps, in [−1, 1] units. */
  finalL1: number;
  weightsPath: string;
}

const WARMUP_STEPS = 100;

function saveCheckpoint(dir: string, state: TrainState, meta: Meta): void {
  const tensors = new Map<string, HostTensor>();
  for (const [k, t] of state.params) tensors.set(`param/${k}`, t);
  for (const [k, t] of state.m) tensors.set(`m/${k}`, t);
  for (const [k, t] of state.v) tensors.set(`v/${k}`, t);
  writeSafetensors(join(dir, UPSCALER_CHECKPOINT), tensors, { flowpaint_upscaler_checkpoint: JSON.stringify(meta) });
}

function loadCheckpoint(dir: string): { state: TrainState; meta: Meta } {
  const path = join(dir, UPSCALER_CHECKPOINT);
  if (!existsSync(path)) throw new Error(`${path} does not exist: nothing to resume (run without --resume to start)`);
  const { tensors, metadata } = readSafetensors(path);
  const raw = metadata.flowpaint_upscaler_checkpoint;
  if (!raw) throw new Error(`${path}: not an upscaler checkpoint (no flowpaint_upscaler_checkpoint metadata)`);
  // Checkpoints from before the loss options trained with L1, whole crops and zero heads.
  const meta: Meta = { loss: 'l1', margin: 0, headInit: 0, snappedShare: 0, ...(JSON.parse(raw) as Omit<Meta, 'loss' | 'margin' | 'headInit' | 'snappedShare'>) };
  const groups: Record<string, Map<string, HostTensor>> = { param: new Map(), m: new Map(), v: new Map() };
  for (const [k, t] of tensors) {
    const slash = k.indexOf('/');
    const g = groups[k.slice(0, slash)];
    if (!g) throw new Error(`${path}: unexpected tensor '${k}'`);
    g.set(k.slice(slash + 1), t);
  }
  return { state: { step: meta.step, params: groups.param!, m: groups.m!, v: groups.v! }, meta };
}

/** Writes weights (and the config they need) as the file a model directory ships. */
export function writeUpscalerWeights(path: string, weights: Map<string, HostTensor>, config: UpscalerConfig, record: Record<string, unknown>): void {
  writeSafetensors(path, weights, { [UPSCALER_META_KEY]: JSON.stringify({ config, ...record }) });
}

export async function trainUpscaler(opts: UpscalerTrainOptions): Promise<UpscalerTrainResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  mkdirSync(opts.runDir, { recursive: true });
  const resumed = opts.resume ? loadCheckpoint(opts.runDir) : undefined;
  const meta: Meta = resumed
    ? { ...resumed.meta, minutes: opts.minutes, maxSteps: opts.maxSteps ?? resumed.meta.maxSteps }
    : {
        config: opts.config ?? UPSCALER_SMALL,
        step: 0,
        position: 0,
        rng: [],
        trainSeconds: 0,
        batch: opts.batch ?? 12,
        crop: opts.crop ?? 24,
        lr: opts.lr ?? 1e-3,
        loss: opts.loss ?? 'l2+l1',
        margin: opts.margin ?? 0,
        headInit: opts.headInit ?? 0,
        snappedShare: opts.snappedShare ?? 0,
        maxSteps: opts.maxSteps,
        seed: opts.seed ?? 1,
        minutes: opts.minutes,
      };
  checkUpscalerConfig(meta.config);
  const { batch, crop, lr: peakLr } = meta;
  const g = buildUpscalerTrainingGraph(meta.config, batch, crop, crop, { loss: meta.loss, margin: meta.margin, headInit: meta.headInit });
  const metrics: Record<string, typeof g.loss> = {};
  for (const f of FACTORS) (metrics[`mse${f}`] = g.mse[f]), (metrics[`lanczos${f}`] = g.lanczosMse[f]);
  const compiled = compileTrainStep({ loss: g.loss, params: g.scope.params(), optimizer: DEFAULT_ADAMW, metrics });
  const state = resumed?.state ?? initialTrainState(initParams(g.scope, meta.seed));
  const stepper = await TrainStep.create(compiled, state, { threads: opts.threads });
  const pool = await PairPool.create({ ...DEFAULT_POOL, seed: meta.seed, snappedShare: meta.snappedShare }, meta.position);
  const rng = resumed && meta.rng.length ? Rng.fromState(meta.rng) : new Rng(meta.seed ^ 0x5eed);
  log(
    `train-upscaler: ${g.scope.count().toLocaleString('en-US')} parameters (${meta.config.layers} convs × ${meta.config.channels} channels); ` +
      `batch ${batch} crops of ${crop}² → ×2, ×4, ×8; ${meta.loss} loss${meta.margin ? ` (margin ${meta.margin})` : ''}; heads from ${meta.headInit ? `N(0, ${meta.headInit}²)` : 'zero'};${meta.snappedShare ? ` ${meta.snappedShare} snapped inputs;` : ''} lr ${peakLr}; ${resumed ? `resuming at step ${meta.step}, ` : ''}budget ${opts.minutes} min (${(meta.trainSeconds / 60).toFixed(1)} done)`,
  );
  const budgetS = opts.minutes * 60;
  const shapeAt = (f: number) => [batch, f * crop, f * crop, 3];
  const recentL1: number[] = [];
  const recentMse: number[][] = [];
  const recentLanczos: number[][] = [];
  let sinceStart = performance.now();
  let lastSave = performance.now();
  let lastLog = performance.now();
  const checkpointEvery = (opts.checkpointEveryS ?? 120) * 1000;
  const save = () => {
    meta.step = stepper.step;
    meta.position = pool.position;
    meta.rng = rng.state();
    saveCheckpoint(opts.runDir, stepper.state(), meta);
  };
  try {
    const done = () => meta.trainSeconds >= budgetS || (meta.maxSteps !== undefined && stepper.step >= meta.maxSteps);
    while (!done() && !opts.signal?.aborted) {
      const b = await pool.batch(batch, crop, crop, rng);
      // A step budget makes runs comparable on a machine whose free CPU varies; otherwise the
      // schedule follows the clock, so a run always ends at the low learning rate.
      const progress = meta.maxSteps ? stepper.step / meta.maxSteps : meta.trainSeconds / budgetS;
      const warm = Math.min(1, (stepper.step + 1) / WARMUP_STEPS);
      const lr = peakLr * warm * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * progress)));
      const feeds: Record<string, HostTensor> = { low: HostTensor.f32(b.low, shapeAt(1)) };
      for (const f of FACTORS) {
        feeds[`base${f}`] = HostTensor.f32(b.base[f], shapeAt(f));
        feeds[`high${f}`] = HostTensor.f32(b.high[f], shapeAt(f));
      }
      const r = await stepper.run(feeds, lr);
      if (!Number.isFinite(r.loss)) throw new Error(`train-upscaler: the loss is ${r.loss} at step ${stepper.step}; lower --lr`);
      recentL1.push(r.loss);
      recentMse.push(FACTORS.map((f) => r.metrics[`mse${f}`]!));
      recentLanczos.push(FACTORS.map((f) => r.metrics[`lanczos${f}`]!));
      if (recentL1.length > 50) recentL1.shift(), recentMse.shift(), recentLanczos.shift();
      const now = performance.now();
      meta.trainSeconds += (now - sinceStart) / 1000;
      sinceStart = now;
      if (now - lastLog > 30_000) {
        lastLog = now;
        // The same crops through Lanczos alone are the reference: the gain is what the network adds.
        const psnrOf = (xs: number[][], k: number) => 10 * Math.log10(4 / mean(xs.map((m) => m[k]!)));
        const psnr = FACTORS.map((f, k) => {
          const gain = psnrOf(recentMse, k) - psnrOf(recentLanczos, k);
          return `×${f} ${psnrOf(recentMse, k).toFixed(2)} (${gain >= 0 ? '+' : ''}${gain.toFixed(2)})`;
        }).join(' ');
        log(`  step ${String(stepper.step).padStart(5)}  ${(meta.trainSeconds / 60).toFixed(1).padStart(5)} min  loss ${mean(recentL1).toFixed(5)}  crop PSNR (gain over Lanczos) ${psnr} dB  lr ${lr.toExponential(2)}`);
      }
      if (now - lastSave > checkpointEvery) {
        save();
        lastSave = performance.now();
        sinceStart = lastSave; // the time writing took is not training time
      }
    }
    save();
    const weights = stepper.state().params;
    const weightsPath = join(opts.runDir, UPSCALER_WEIGHTS);
    writeUpscalerWeights(weightsPath, weights, meta.config, {
      steps: stepper.step,
      trainSeconds: Math.round(meta.trainSeconds),
      samples: stepper.step * batch,
      batch,
      crop,
      lr: peakLr,
      loss: meta.loss,
      margin: meta.margin,
      headInit: meta.headInit,
      snappedShare: meta.snappedShare,
      seed: meta.seed,
      command:
        `flowpaint train-upscaler --run-dir ${opts.runDir} --minutes ${opts.minutes}${meta.maxSteps ? ` --max-steps ${meta.maxSteps}` : ''}` +
        ` --batch ${batch} --crop ${crop} --lr ${peakLr} --loss ${meta.loss} --margin ${meta.margin} --head-init ${meta.headInit} --snapped-share ${meta.snappedShare} --seed ${meta.seed}`,
    });
    return { weights, config: meta.config, steps: stepper.step, trainSeconds: meta.trainSeconds, finalL1: mean(recentL1), weightsPath };
  } finally {
    await stepper.release();
  }
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}
