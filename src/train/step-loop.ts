// The step loop: one compiled training step per batch, the EMA update, the metrics line every
// logEvery steps, a checkpoint every checkpointEvery steps and when the loop stops (at the end,
// at --max-steps, or when the signal aborts after Ctrl-C), and the sample hook every sampleEvery.
import type { TrainStep } from '../engine/index.ts';
import type { BatchSource } from './batch-source.ts';
import { type TrainConfig, learningRate } from './config.ts';
import type { Ema } from './ema.ts';
import { type MetricsLog, Throughput } from './metrics.ts';

export interface Progress {
  step: number;
  steps: number;
  loss: number;
  lr: number;
  samplesPerSecond: number;
}

export interface StepLoop {
  cfg: TrainConfig;
  stepper: TrainStep;
  ema: Ema;
  batches: BatchSource;
  metrics: MetricsLog;
  /** The step after which this invocation stops (at most cfg.steps). */
  stopAt: number;
  /** Training wall time before this invocation (a resumed run's total so far). */
  trainSeconds: number;
  /** Writes a checkpoint of the run as it stands and returns its path. */
  save: (trainSeconds: number) => string;
  /** Where the checkpoint is if this invocation writes none (a finished run resumed). */
  checkpointPath: string;
  /** Called every cfg.sampleEvery steps (sample grids from the EMA weights). */
  sample?: (step: number) => Promise<void>;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface LoopResult {
  step: number;
  lastLoss: number;
  checkpoint: string;
  trainSeconds: number;
}

export async function runSteps(loop: StepLoop): Promise<LoopResult> {
  const { cfg, stepper, ema, batches } = loop;
  let { trainSeconds, checkpointPath } = loop;
  let step = stepper.step;
  let lastLoss = NaN;
  const throughput = new Throughput();
  while (step < loop.stopAt && !loop.signal?.aborted) {
    const t0 = performance.now();
    const { kind, feeds } = batches.next(step);
    const lr = learningRate(cfg, step);
    const r = await stepper.run(feeds, lr);
    if (!Number.isFinite(r.loss)) throw new Error(`training diverged at step ${step}: loss is ${r.loss} (checkpoint at step ${step - (step % cfg.checkpointEvery)} is intact)`);
    ema.update(stepper.paramViews(), step);
    step = stepper.step;
    trainSeconds += (performance.now() - t0) / 1000;
    lastLoss = r.loss;
    const sps = throughput.add(cfg.batchSize);
    if (step % cfg.logEvery === 0) {
      loop.metrics.write({ step, loss: r.loss, grad_norm: r.gradNorm, lr, kind, samples_per_s: +sps.toFixed(2), train_s: +trainSeconds.toFixed(1) });
      throughput.restart();
    }
    loop.onProgress?.({ step, steps: cfg.steps, loss: r.loss, lr, samplesPerSecond: sps });
    if (step % cfg.checkpointEvery === 0) checkpointPath = loop.save(trainSeconds);
    if (loop.sample && step % cfg.sampleEvery === 0) await loop.sample(step);
  }
  // The loop's last step has no checkpoint yet unless it fell on checkpointEvery; a new run
  // stopped before its first step still writes one, so --resume finds it.
  if (step % cfg.checkpointEvery !== 0 || step === 0) checkpointPath = loop.save(trainSeconds);
  return { step, lastLoss, checkpoint: checkpointPath, trainSeconds };
}
