// The trainer: opens the run directory (run-dir.ts), builds the training graph and its compiled
// step, starts the weights (fresh, --init-from, or a checkpoint) and their EMA, then runs the
// step loop (step-loop.ts) over the run's batches (batch-source.ts). Checkpoints are atomic and a
// resumed run continues exactly (same batches, same weights) from the last one.
import { join } from 'node:path';
import { type HostTensor, TrainStep, compileTrainStep, initialTrainState } from '../engine/index.ts';
import { buildTrainingGraph } from '../model/graphs.ts';
import type { Tokenizer } from '../model/tokenizer/index.ts';
import { initParams } from '../nn/index.ts';
import { BatchSource } from './batch-source.ts';
import { CHECKPOINT_FILE, saveCheckpoint } from './checkpoint.ts';
import type { TrainConfig } from './config.ts';
import { Ema } from './ema.ts';
import { startingWeights, summariseTensorNames } from './init-from.ts';
import { LAYOUT_CLASSES, LAYOUT_COLORS } from './layout-labels.ts';
import { MetricsLog } from './metrics.ts';
import { type RunStart, openRun } from './run-dir.ts';
import { type LoopResult, type Progress, runSteps } from './step-loop.ts';

export type { Progress } from './step-loop.ts';

export interface TrainOptions {
  config: TrainConfig;
  runDir: string;
  resume: boolean;
  /** With resume: follow `config` instead of the run's own recipe (run-dir.ts, RunRequest.changeRecipe). */
  changeRecipe?: boolean;
  /** Start a new run from an exported model directory's weights and tokenizer (fine-tuning). */
  initFrom?: string;
  /** Stop after this many steps in this invocation (the schedule still follows config.steps). */
  maxSteps?: number;
  /**
   * Compute threads for this invocation, overriding the run's config (0 = every core). A run-time
   * setting, not part of the recipe: a resumed run may change it. Float sums may then round
   * differently than in the uninterrupted run.
   */
  threads?: number;
  onProgress?: (p: Progress) => void;
  /** Called every config.sampleEvery steps with the EMA weights (sample grids). */
  onSample?: (step: number, weights: Map<string, HostTensor>, tokenizer: Tokenizer, model: TrainConfig['model']) => Promise<void>;
  signal?: AbortSignal;
  /** Notices for the user (e.g. tensors --init-from could not supply). */
  log?: (line: string) => void;
}

export type TrainResult = LoopResult;

export async function train(opts: TrainOptions): Promise<TrainResult> {
  const { runDir, onSample } = opts;
  const run = openRun(opts);
  const { config: cfg, resumed, tokenizer } = run;
  const batches = new BatchSource(cfg, tokenizer, resumed?.data);
  const { stepper, ema, shapes } = await startWeights(run, opts.threads ?? run.config.threads, opts.log);
  const stopAt = Math.min(cfg.steps, opts.maxSteps !== undefined ? stepper.step + opts.maxSteps : cfg.steps);
  try {
    return await runSteps({
      cfg,
      stepper,
      ema,
      batches,
      metrics: new MetricsLog(join(runDir, 'metrics.jsonl')),
      stopAt,
      trainSeconds: resumed?.trainSeconds ?? 0,
      save: (trainSeconds) =>
        saveCheckpoint(runDir, { config: cfg, state: stepper.state(), ema: ema.tensors(shapes), data: batches.position(), trainSeconds }),
      checkpointPath: join(runDir, CHECKPOINT_FILE),
      sample: onSample && ((step) => onSample(step, ema.tensors(shapes), tokenizer, cfg.model)),
      onProgress: opts.onProgress,
      signal: opts.signal,
    });
  } finally {
    await stepper.release();
  }
}

/**
 * The compiled training step (with the layout head when the run trains one) holding the run's
 * starting weights and optimizer state, and the EMA of the weights: both from the checkpoint when
 * resuming, else from --init-from's model or a fresh initialisation.
 */
async function startWeights(run: RunStart, threads: number, log?: (line: string) => void): Promise<{ stepper: TrainStep; ema: Ema; shapes: Map<string, readonly number[]> }> {
  const { config: cfg, resumed, init } = run;
  const layout = cfg.layoutLossWeight > 0 ? { weight: cfg.layoutLossWeight, classes: LAYOUT_CLASSES, colors: LAYOUT_COLORS } : undefined;
  const graph = buildTrainingGraph(cfg.model, cfg.batchSize, layout, cfg.lossTMin);
  const compiled = compileTrainStep({
    loss: graph.loss,
    params: graph.scope.params(),
    optimizer: { beta1: cfg.beta1, beta2: cfg.beta2, eps: 1e-8, weightDecay: cfg.weightDecay, maxGradNorm: cfg.maxGradNorm },
  });
  let startParams: Map<string, HostTensor> | undefined;
  if (init) {
    const { weights, fresh } = startingWeights(graph.scope, init, cfg.seed, cfg.model.patchSize);
    if (init.config.patchSize !== cfg.model.patchSize) log?.(`--init-from: ${init.dir} has ${init.config.patchSize}-px patches; its pixel-facing tensors are resampled to ${cfg.model.patchSize} px`);
    if (fresh.length) log?.(`--init-from: ${fresh.length} tensor(s) not in ${init.dir} start fresh: ${summariseTensorNames(fresh)}`);
    startParams = weights;
  }
  const initial = resumed?.state ?? initialTrainState(startParams ?? initParams(graph.scope, cfg.seed));
  const stepper = await TrainStep.create(compiled, initial, { threads: threads || undefined });
  const shapes = new Map([...initial.params].map(([k, t]) => [k, t.shape]));
  const ema = resumed ? new Ema(cfg.emaDecay, new Map([...resumed.ema].map(([k, t]) => [k, Float32Array.from(t.f32())]))) : Ema.from(initial.params, cfg.emaDecay);
  return { stepper, ema, shapes };
}
