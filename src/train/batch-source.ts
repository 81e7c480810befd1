// The batches of a run, step by step: endless scene streams (text-to-image, edit pairs and, with
// TrainConfig.focus, text-to-image from a narrower scope) and, for each step, one RNG seeded from
// (seed, step) that picks the stream, the image dropout and everything random inside the batch.
// A checkpoint stores the streams' positions, so a resumed run draws exactly the batches the
// uninterrupted run would have.
import { SceneStream } from '../data/stream.ts';
import { type HostTensor, Rng } from '../engine/index.ts';
import type { Tokenizer } from '../model/tokenizer/index.ts';
import { makeBatch } from './batch.ts';
import type { Checkpoint } from './checkpoint.ts';
import type { TrainConfig } from './config.ts';

/** What a step trained on; 't2i-focus' is a text-to-image batch from TrainConfig.focus (metrics.jsonl logs it). */
export type BatchKind = 't2i' | 't2i-focus' | 'edit' | 'edit-noimage';

export interface StepBatch {
  kind: BatchKind;
  feeds: Record<string, HostTensor>;
}

/** The step's RNG seed. Never change it: runs resume on it. */
function mix(seed: number, step: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(step, 0x85ebca6b)) >>> 0;
}

export class BatchSource {
  private readonly t2i: SceneStream;
  private readonly edits: SceneStream;
  private readonly focus?: { stream: SceneStream; share: number };

  constructor(
    private readonly cfg: TrainConfig,
    private readonly tokenizer: Tokenizer,
    resumeAt?: Checkpoint['data'],
  ) {
    const streamOpts = { split: 'train' as const, buckets: cfg.buckets, batchSize: cfg.batchSize, scope: cfg.data };
    // A run continuing earlier training (--init-from) draws fresh scenes rather than replaying the
    // ones its starting weights already saw from the same seed.
    const dataSeed = (cfg.seed + (cfg.prior?.steps ?? 0)) >>> 0;
    this.t2i = new SceneStream({ ...streamOpts, seed: dataSeed, editFraction: 0 });
    this.edits = new SceneStream({ ...streamOpts, seed: dataSeed + 7919, editFraction: 1 });
    if (cfg.focus) {
      const stream = new SceneStream({ ...streamOpts, scope: cfg.focus.data, seed: dataSeed + 104729, editFraction: 0 });
      this.focus = { stream, share: cfg.focus.share };
    }
    if (resumeAt) {
      this.t2i.seek(resumeAt.t2i);
      this.edits.seek(resumeAt.edit);
      // A checkpoint from before the run had a focus starts that stream at its beginning.
      this.focus?.stream.seek(resumeAt.focus ?? 0);
    }
  }

  /** The batch of `step`. Call once per step, in order: each call advances one stream. */
  next(step: number): StepBatch {
    const { cfg } = this;
    const rng = new Rng(mix(cfg.seed, step));
    const isEdit = rng.uniform() < cfg.editFraction;
    const dropImage = isEdit && rng.uniform() < cfg.imageDrop;
    // Drawn only when there is a focus, so runs without one keep their batches exactly.
    const focus = !isEdit && this.focus && rng.uniform() < this.focus.share ? this.focus.stream : undefined;
    const samples = (isEdit ? this.edits : (focus ?? this.t2i)).nextBatch();
    return {
      kind: isEdit ? (dropImage ? 'edit-noimage' : 'edit') : focus ? 't2i-focus' : 't2i',
      feeds: makeBatch(samples, rng, {
        model: cfg.model,
        tokenizer: this.tokenizer,
        maxTextTokens: cfg.maxTextTokens,
        timeMean: cfg.timeMean,
        timeStd: cfg.timeStd,
        highNoiseShare: cfg.highNoiseShare,
        objectLossWeight: cfg.objectLossWeight,
        lossTMin: cfg.lossTMin,
        layoutLabels: cfg.layoutLossWeight > 0,
        textDrop: cfg.textDrop,
        maskFraction: cfg.maskFraction,
        dropImage,
      }),
    };
  }

  /** Where the streams stand, for the checkpoint. */
  position(): Checkpoint['data'] {
    return { t2i: this.t2i.position(), edit: this.edits.position(), ...(this.focus ? { focus: this.focus.stream.position() } : {}) };
  }
}
