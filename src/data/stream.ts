// The trainer's data source: an endless, deterministic stream of samples. Sample i depends
// only on (seed, i), so a checkpoint stores position() and a resumed run continues with the
// very samples it would have seen. Samples within a batch share one bucket (size) and one caption
// length (long descriptions, or the shorter phrasings).
import { composeScene, specForSeed } from './compose.ts';
import { placeAsUnplaced } from './default-placement.ts';
import { makeEditPair, type EditKind } from './edits.ts';
import type { Mask, RgbImage } from './image.ts';
import { DataRng, mixSeed } from './rng.ts';
import type { Split } from './sampler.ts';
import type { Scene } from './scene.ts';
import type { Size } from './buckets.ts';
import { validateScope, type DataScope } from './scope.ts';
import { validateSize } from './sizes.ts';

export interface TextToImageSample {
  kind: 't2i';
  image: RgbImage;
  caption: string;
  scene: Scene;
  index: number;
}

export interface EditSample {
  kind: 'edit';
  source: RgbImage;
  target: RgbImage;
  mask: Mask;
  instruction: string;
  editKind: EditKind;
  sourceScene: Scene;
  targetScene: Scene;
  index: number;
}

export type TrainingSample = TextToImageSample | EditSample;

export interface StreamOptions {
  seed: number;
  split?: Split;
  /** Sizes to draw from; default 128×128 only. */
  buckets?: Size[];
  /** Share of edit samples, 0..1. Default 0.3. */
  editFraction?: number;
  /** Samples that share one bucket; the trainer's batch size. Default 1. */
  batchSize?: number;
  /** Edit kinds to draw from; default all. */
  editKinds?: EditKind[];
  /** The part of the world samples are drawn from (classes, art sets, crowding); default all. */
  scope?: DataScope;
}

const STREAM_SALT = 0x57e4;

/**
 * The share of text-to-image batches captioned with the long description: one phrasing in seven,
 * the share it had when every sample picked any of its seven. Long descriptions take up to the
 * text encoder's 192 tokens while the other phrasings fit one 64-token window, and a batch pays
 * for its longest prompt, so mixing them made nearly every batch a 192-token one; whole long
 * batches cut a step's time by about a fifth (BENCHMARKS.md, "Training step").
 */
export const LONG_CAPTION_SHARE = 1 / 7;

export class SceneStream {
  readonly seed: number;
  readonly split: Split;
  readonly buckets: Size[];
  readonly editFraction: number;
  readonly batchSize: number;
  readonly editKinds: EditKind[] | undefined;
  readonly scope: DataScope | undefined;
  private pos = 0;

  constructor(opts: StreamOptions) {
    this.seed = opts.seed;
    this.split = opts.split ?? 'train';
    this.buckets = opts.buckets ?? [{ width: 128, height: 128 }];
    this.editFraction = opts.editFraction ?? 0.3;
    this.batchSize = opts.batchSize ?? 1;
    this.editKinds = opts.editKinds;
    this.scope = opts.scope;
    if (this.scope) validateScope(this.scope);
    if (this.buckets.length === 0) throw new RangeError('SceneStream needs at least one bucket');
    for (const b of this.buckets) validateSize(b.width, b.height);
    if (!(this.editFraction >= 0 && this.editFraction <= 1)) throw new RangeError(`editFraction must be in [0, 1], got ${this.editFraction}`);
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${this.batchSize}`);
  }

  /** Index of the next sample; save it in checkpoints. */
  position(): number {
    return this.pos;
  }

  /** Continue from a saved position. */
  seek(position: number): void {
    if (!Number.isInteger(position) || position < 0) throw new RangeError(`position must be a non-negative integer, got ${position}`);
    this.pos = position;
  }

  /** The bucket of the batch that sample `index` belongs to. */
  bucketAt(index: number): Size {
    const batch = Math.floor(index / this.batchSize);
    return new DataRng(mixSeed(STREAM_SALT, this.seed, batch, 0xb0c)).pick(this.buckets);
  }

  /** Whether the batch that sample `index` belongs to is captioned with long descriptions. */
  longCaptionsAt(index: number): boolean {
    const batch = Math.floor(index / this.batchSize);
    return new DataRng(mixSeed(STREAM_SALT, this.seed, batch, 0x10c)).chance(LONG_CAPTION_SHARE);
  }

  /** Sample `index`, without moving the stream. */
  sampleAt(index: number): TrainingSample {
    const rng = new DataRng(mixSeed(STREAM_SALT, this.seed, index));
    const { width, height } = this.bucketAt(index);
    const sampleSeed = rng.nextU32();
    if (rng.chance(this.editFraction)) {
      const kind = this.editKinds ? rng.pick(this.editKinds) : undefined;
      const e = makeEditPair(sampleSeed, { width, height, split: this.split, kind, scope: this.scope });
      return {
        kind: 'edit', source: e.source, target: e.target, mask: e.mask, instruction: e.instruction,
        editKind: e.kind, sourceScene: e.sourceScene, targetScene: e.targetScene, index,
      };
    }
    const constraints = this.scope ? { scope: this.scope } : undefined;
    const longCaptions = this.longCaptionsAt(index);
    const unplacedShare = longCaptions ? undefined : this.scope?.unplacedShare;
    // With unplacedShare, placeless captions come only with the arrangement they stand for.
    const moved = unplacedShare !== undefined && rng.chance(unplacedShare)
      ? placeAsUnplaced(specForSeed(sampleSeed, this.split, { ...constraints, size: { width, height } }), width, height)
      : null;
    const c = composeScene(moved ?? sampleSeed, { width, height, split: this.split, constraints });
    const { all, long, placed, unplaced } = c.captions;
    const phrasings = longCaptions ? [long] : moved ? unplaced : unplacedShare !== undefined ? placed : all.filter((p) => p !== long);
    return { kind: 't2i', image: c.image, caption: rng.pick(phrasings), scene: c.scene, index };
  }

  next(): TrainingSample {
    return this.sampleAt(this.pos++);
  }

  /** The next batchSize samples, all of one size (starting at a batch boundary keeps them aligned). */
  nextBatch(): TrainingSample[] {
    const out: TrainingSample[] = [];
    const end = (Math.floor(this.pos / this.batchSize) + 1) * this.batchSize;
    while (this.pos < end) out.push(this.next());
    return out;
  }
}
