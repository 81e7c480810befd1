// The training loop: streams scenes and edit pairs, runs one compiled step (forward, backward,
// AdamW) per batch, keeps EMA weights, logs metrics, checkpoints atomically every N steps and on
// Ctrl-C, and resumes exactly (same batches, same weights) from the last checkpoint.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SceneStream } from '../data/stream.ts';
import { type HostTensor, Rng, TrainStep, compileTrainStep, initialTrainState, writeFileAtomic } from '../engine/index.ts';
import { buildTrainingGraph } from '../model/graphs.ts';
import { LAYOUT_CLASSES, LAYOUT_COLORS } from './layout-labels.ts';
import { type LoadedModel, type SamplingDefaults, loadModel, saveModel } from '../model/store.ts';
import { Tokenizer } from '../model/tokenizer/index.ts';
import { type Scope, initParams } from '../nn/index.ts';
import { makeBatch } from './batch.ts';
import { type Checkpoint, hasCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { type PriorTraining, type TrainConfig, learningRate } from './config.ts';
import { Ema } from './ema.ts';
import { MetricsLog } from './metrics.ts';
import { trainRunTokenizer } from './tokenizer.ts';
import { InputError } from '../errors.ts';

export interface TrainOptions {
  config: TrainConfig;
  runDir: string;
  resume: boolean;
  /** Start a new run from an exported model directory's weights and tokenizer (fine-tuning). */
  initFrom?: string;
  /** Stop after this many steps in this invocation (the schedule still follows config.steps). */
  maxSteps?: number;
  onProgress?: (p: Progress) => void;
  /** Called every config.sampleEvery steps with the EMA weights (sample grids). */
  onSample?: (step: number, weights: Map<string, HostTensor>, tokenizer: Tokenizer, model: TrainConfig['model']) => Promise<void>;
  signal?: AbortSignal;
  /** Notices for the user (e.g. tensors --init-from could not supply). */
  log?: (line: string) => void;
}

export interface Progress {
  step: number;
  steps: number;
  loss: number;
  lr: number;
  samplesPerSecond: number;
}

export interface TrainResult {
  step: number;
  lastLoss: number;
  checkpoint: string;
  trainSeconds: number;
}

function mix(seed: number, step: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(step, 0x85ebca6b)) >>> 0;
}

export async function train(opts: TrainOptions): Promise<TrainResult> {
  const { runDir } = opts;
  mkdirSync(runDir, { recursive: true });
  let cfg = opts.config;
  let resumed: Checkpoint | undefined;
  if (opts.resume && opts.initFrom) {
    throw new InputError('--init-from starts a new run and --resume continues one: pass only one of them');
  }
  if (opts.resume) {
    if (!hasCheckpoint(runDir)) throw new InputError(`--resume: no checkpoint in ${runDir}`);
    resumed = loadCheckpoint(runDir);
    cfg = resumed.config; // a run keeps the config it started with
  } else if (hasCheckpoint(runDir)) {
    throw new InputError(`${runDir} already holds a checkpoint: pass --resume to continue it, or choose another --run-dir`);
  }
  const init = opts.initFrom ? loadModel(opts.initFrom) : undefined;
  if (init) cfg = { ...cfg, initFrom: init.dir, prior: trainingIn(init) };
  writeFileSync(join(runDir, 'config.json'), `${JSON.stringify(cfg, null, 2)}\n`);

  const tokPath = join(runDir, 'tokenizer.json');
  let tokenizer: Tokenizer;
  if (init) {
    // The embedding rows belong to the starting model's token ids: its tokenizer comes along.
    tokenizer = init.tokenizer;
    tokenizer.save(tokPath);
  } else if (existsSync(tokPath)) tokenizer = Tokenizer.fromFile(tokPath);
  else {
    tokenizer = trainRunTokenizer(cfg.seed, cfg.model.text.vocabSize, cfg.tokenizerCorpus.scenes, cfg.tokenizerCorpus.edits);
    tokenizer.save(tokPath);
  }

  const layout = cfg.layoutLossWeight > 0 ? { weight: cfg.layoutLossWeight, classes: LAYOUT_CLASSES, colors: LAYOUT_COLORS } : undefined;
  const graph = buildTrainingGraph(cfg.model, cfg.batchSize, layout);
  const compiled = compileTrainStep({
    loss: graph.loss,
    params: graph.scope.params(),
    optimizer: { beta1: cfg.beta1, beta2: cfg.beta2, eps: 1e-8, weightDecay: cfg.weightDecay, maxGradNorm: cfg.maxGradNorm },
  });
  let startParams: Map<string, HostTensor> | undefined;
  if (init) {
    const { weights, fresh } = startingWeights(graph.scope, init, cfg.seed);
    if (fresh.length) opts.log?.(`--init-from: ${fresh.length} tensor(s) not in ${init.dir} start fresh: ${fresh.join(', ')}`);
    startParams = weights;
  }
  const initial = resumed?.state ?? initialTrainState(startParams ?? initParams(graph.scope, cfg.seed));
  const stepper = await TrainStep.create(compiled, initial, { threads: cfg.threads || undefined });
  const shapes = new Map([...initial.params].map(([k, t]) => [k, t.shape]));
  const ema = resumed ? new Ema(cfg.emaDecay, new Map([...resumed.ema].map(([k, t]) => [k, Float32Array.from(t.f32())]))) : Ema.from(initial.params, cfg.emaDecay);

  const streamOpts = { split: 'train' as const, buckets: cfg.buckets, batchSize: cfg.batchSize, scope: cfg.data };
  // A run continuing earlier training (--init-from) draws fresh scenes rather than replaying the
  // ones its starting weights already saw from the same seed.
  const dataSeed = (cfg.seed + (cfg.prior?.steps ?? 0)) >>> 0;
  const t2i = new SceneStream({ ...streamOpts, seed: dataSeed, editFraction: 0 });
  const edits = new SceneStream({ ...streamOpts, seed: dataSeed + 7919, editFraction: 1 });
  if (resumed) {
    t2i.seek(resumed.data.t2i);
    edits.seek(resumed.data.edit);
  }
  const log = new MetricsLog(join(runDir, 'metrics.jsonl'));
  let trainSeconds = resumed?.trainSeconds ?? 0;
  let lastLoss = NaN;
  let checkpointPath = join(runDir, 'checkpoint.safetensors');

  const nextBatch = (step: number) => {
    // Everything random about a step derives from (seed, step): resuming replays it exactly.
    const rng = new Rng(mix(cfg.seed, step));
    const isEdit = rng.uniform() < cfg.editFraction;
    const dropImage = isEdit && rng.uniform() < cfg.imageDrop;
    const samples = (isEdit ? edits : t2i).nextBatch();
    return {
      kind: isEdit ? (dropImage ? 'edit-noimage' : 'edit') : 't2i',
      feeds: makeBatch(samples, rng, {
        model: cfg.model,
        tokenizer,
        maxTextTokens: cfg.maxTextTokens,
        timeMean: cfg.timeMean,
        timeStd: cfg.timeStd,
        highNoiseShare: cfg.highNoiseShare,
        objectLossWeight: cfg.objectLossWeight,
        layoutLabels: layout !== undefined,
        textDrop: cfg.textDrop,
        maskFraction: cfg.maskFraction,
        dropImage,
      }),
    };
  };

  const checkpoint = () => {
    checkpointPath = saveCheckpoint(runDir, {
      config: cfg,
      state: stepper.state(),
      ema: ema.tensors(shapes),
      data: { t2i: t2i.position(), edit: edits.position() },
      trainSeconds,
    });
  };

  let step = stepper.step;
  const stopAt = Math.min(cfg.steps, opts.maxSteps !== undefined ? step + opts.maxSteps : cfg.steps);
  let windowStart = performance.now();
  let windowSamples = 0;
  try {
    while (step < stopAt && !opts.signal?.aborted) {
      const t0 = performance.now();
      const { kind, feeds } = nextBatch(step);
      const lr = learningRate(cfg, step);
      const r = await stepper.run(feeds, lr);
      if (!Number.isFinite(r.loss)) throw new Error(`training diverged at step ${step}: loss is ${r.loss} (checkpoint at step ${step - (step % cfg.checkpointEvery)} is intact)`);
      ema.update(stepper.paramViews(), step);
      step = stepper.step;
      trainSeconds += (performance.now() - t0) / 1000;
      lastLoss = r.loss;
      windowSamples += cfg.batchSize;
      const elapsed = (performance.now() - windowStart) / 1000;
      const sps = windowSamples / Math.max(elapsed, 1e-9);
      if (step % cfg.logEvery === 0) {
        log.write({ step, loss: r.loss, grad_norm: r.gradNorm, lr, kind, samples_per_s: +sps.toFixed(2), train_s: +trainSeconds.toFixed(1) });
        windowStart = performance.now();
        windowSamples = 0;
      }
      opts.onProgress?.({ step, steps: cfg.steps, loss: r.loss, lr, samplesPerSecond: sps });
      if (step % cfg.checkpointEvery === 0) checkpoint();
      if (opts.onSample && step % cfg.sampleEvery === 0) await opts.onSample(step, ema.tensors(shapes), tokenizer, cfg.model);
    }
    if (step % cfg.checkpointEvery !== 0 || step === 0) checkpoint();
  } finally {
    await stepper.release();
  }
  return { step, lastLoss, checkpoint: checkpointPath, trainSeconds };
}

/**
 * The starting model's weights for every parameter of the graph. A parameter the model lacks (an
 * architecture that grew a tensor) starts fresh and is named in `fresh`; one whose shape differs
 * is an error naming it.
 */
function startingWeights(scope: Scope, init: LoadedModel, seed: number): { weights: Map<string, HostTensor>; fresh: string[] } {
  const freshValues = initParams(scope, seed);
  const weights = new Map<string, HostTensor>();
  const fresh: string[] = [];
  for (const [name, { tensor }] of scope.declarations()) {
    const w = init.weights.get(name);
    const want = tensor.shape.join('×');
    if (!w) {
      fresh.push(name);
      weights.set(name, freshValues.get(name)!);
    } else if (w.shape.join('×') !== want) {
      throw new InputError(`--init-from ${init.dir}: tensor '${name}' is ${w.shape.join('×')}, the training config needs ${want}`);
    } else weights.set(name, w);
  }
  if (fresh.length === scope.declarations().size) {
    throw new InputError(`--init-from ${init.dir}: none of the model's tensors belong to the training config's architecture`);
  }
  return { weights, fresh };
}

/**
 * The training already in a model's weights: its recorded totals, or (models exported before totals
 * were recorded) the one run it came from.
 */
function trainingIn(m: LoadedModel): PriorTraining {
  const t = (m.info.training ?? {}) as Record<string, unknown>;
  const total = (t.total ?? t) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return { steps: num(total.steps), samples: num(total.samples), cpuHours: num(total.cpu_hours) };
}

/** Writes the EMA weights of a run's checkpoint as a model directory (what `generate --model` loads). */
export function exportRun(runDir: string, outDir: string, info: { id: string; version: string; command?: string; sampling?: SamplingDefaults }): void {
  const ck = loadCheckpoint(runDir);
  const tokenizer = Tokenizer.fromFile(join(runDir, 'tokenizer.json'));
  const metrics = join(runDir, 'metrics.jsonl');
  const lines = existsSync(metrics) ? readFileSync(metrics, 'utf8').trim().split('\n') : [];
  const last = lines.length ? JSON.parse(lines[lines.length - 1]!) : {};
  const run = { steps: ck.state.step, samples: ck.state.step * ck.config.batchSize, cpuHours: ck.trainSeconds / 3600 };
  const prior = ck.config.prior ?? { steps: 0, samples: 0, cpuHours: 0 };
  const [native] = [...ck.config.buckets].sort((a, b) => Math.abs(Math.log(a.width / a.height)) - Math.abs(Math.log(b.width / b.height)));
  saveModel(outDir, {
    config: { ...ck.config.model, sizes: { native: native!, buckets: ck.config.buckets } },
    info: {
      id: info.id,
      version: info.version,
      training: {
        command: info.command ?? `flowpaint train --config ${join(runDir, 'config.json')} --run-dir ${runDir}`,
        preset: ck.config.name,
        ...(ck.config.initFrom ? { init_from: ck.config.initFrom } : {}),
        steps: run.steps,
        samples: run.samples,
        cpu_hours: +run.cpuHours.toFixed(2),
        final_loss: last.loss,
        // Everything these weights have been trained on, across --init-from generations.
        total: {
          steps: prior.steps + run.steps,
          samples: prior.samples + run.samples,
          cpu_hours: +(prior.cpuHours + run.cpuHours).toFixed(2),
        },
        data: ck.config.data,
      },
    },
    weights: ck.ema,
    tokenizer,
    ...(info.sampling ? { sampling: info.sampling } : {}),
  });
  // The recipe beside the weights: `train --config DIR/train.json --init-from DIR` continues it.
  const { prior: _prior, initFrom: _initFrom, ...recipe } = ck.config;
  writeFileAtomic(join(outDir, 'train.json'), new TextEncoder().encode(`${JSON.stringify(recipe, null, 2)}\n`));
}
