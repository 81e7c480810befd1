// The batches of a run, step by step: two endless scene streams (text-to-image and edit pairs)
// and, for each step, one RNG seeded from (seed, step) that picks the stream, the image dropout
// and everything random inside the batch. A checkpoint stores the streams' positions, so a
// resumed run draws exactly the batches the uninterrupted run would have.
import { SceneStream } from '../data/stream.ts';
import { type HostTensor, Rng } from '../engine/index.ts';
import type { Tokenizer } from '../model/tokenizer/index.ts';
import { makeBatch } from './batch.ts';
import type { Checkpoint } from './checkpoint.ts';
import type { TrainConfig } from './config.ts';

export type BatchKind = 't2i' | 'edit' | 'edit-noimage';

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
    if (resumeAt) {
      this.t2i.seek(resumeAt.t2i);
      this.edits.seek(resumeAt.edit);
    }
  }

  /** The batch of `step`. Call once per step, in order: each call advances one stream. */
  next(step: number): StepBatch {
    const { cfg } = this;
    const rng = new Rng(mix(cfg.seed, step));
    const isEdit = rng.uniform() < cfg.editFraction;
    const dropImage = isEdit && rng.uniform() < cfg.imageDrop;
    const samples = (isEdit ? this.edits : this.t2i).nextBatch();
    return {
      kind: isEdit ? (dropImage ? 'edit-noimage' : 'edit') : 't2i',
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
    return { t2i: this.t2i.position(), edit: this.edits.position() };
  }
}
