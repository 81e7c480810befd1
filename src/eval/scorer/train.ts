// Trains the scorer with flowpaint's own engine (one-run training steps, AdamW) on rendered
// scenes, measures it on ground-truth renders it never saw, and writes models/scorer/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_ADAMW, HostTensor, TrainStep, castForStorage, compileTrainStep, initialTrainState, writeSafetensors,
} from '../../engine/index.ts';
import { initParams } from '../../nn/index.ts';
import { DataRng, composeScene, mixSeed } from '../../data/index.ts';
import { FEATURES, cellFeatures } from './features.ts';
import { CELL_KINDS, KIND_OTHER, cellLabels, isObjectKind, type CellLabel } from './labels.ts';
import { HEADS, HEAD_NAMES, scorerTrainGraph } from './model.ts';
import { SCORER_CARD, SCORER_VERSION, SCORER_WEIGHTS, Scorer, type ScorerCard } from './scorer.ts';
import { mosaicSample, scorerSample, type LabelledImage } from './data.ts';

export interface ScorerTrainOptions {
  steps: number;
  /** Images per step (each gives nine cell rows). */
  batch: number;
  seed: number;
  lr: number;
  threads: number;
  onProgress?: (step: number, loss: number, metrics: Record<string, number>) => void;
}

export const DEFAULT_SCORER_TRAIN: ScorerTrainOptions = { steps: 2500, batch: 32, seed: 1, lr: 2e-3, threads: 1 };

function batchFeeds(samples: LabelledImage[]): Record<string, HostTensor> {
  const rows = samples.length * 9;
  const x = new Float32Array(rows * FEATURES);
  const objectWeight = new Float32Array(rows);
  const targets: Record<string, Float32Array> = {};
  for (const h of HEAD_NAMES) targets[h] = new Float32Array(rows * HEADS[h]);
  samples.forEach((s, i) => {
    cellFeatures(s.image, x, i * 9);
    s.labels.forEach((l, c) => {
      const r = i * 9 + c;
      if (isObjectKind(l.kind)) objectWeight[r] = 1;
      for (const h of HEAD_NAMES) targets[h]![r * HEADS[h] + l[h]] = 1;
    });
  });
  const feeds: Record<string, HostTensor> = {
    x: HostTensor.f32(x, [rows, FEATURES]),
    object_weight: HostTensor.f32(objectWeight, [rows]),
    all_weight: HostTensor.f32(new Float32Array(rows).fill(1), [rows]),
  };
  for (const h of HEAD_NAMES) feeds[`y_${h}`] = HostTensor.f32(targets[h]!, [rows, HEADS[h]]);
  return feeds;
}

export async function trainScorer(opts: ScorerTrainOptions): Promise<{ params: Map<string, HostTensor>; images: number; seconds: number }> {
  const t0 = performance.now();
  const g = scorerTrainGraph(opts.batch * 9);
  const compiled = compileTrainStep({ loss: g.loss, params: g.params, optimizer: { ...DEFAULT_ADAMW, weightDecay: 1e-4 }, metrics: g.metrics });
  const stepper = await TrainStep.create(compiled, initialTrainState(initParams(g.scope, opts.seed)), { threads: opts.threads });
  const warmup = Math.min(100, Math.floor(opts.steps / 10));
  let index = 0;
  try {
    for (let step = 0; step < opts.steps; step++) {
      const samples: LabelledImage[] = [];
      for (let i = 0; i < opts.batch; i++) samples.push(scorerSample(opts.seed, index++, { augment: true, mosaics: true }));
      // Linear warmup, then cosine decay to 5% of the peak rate.
      const lr = step < warmup
        ? (opts.lr * (step + 1)) / warmup
        : opts.lr * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * (step - warmup)) / Math.max(1, opts.steps - warmup))));
      const r = await stepper.run(batchFeeds(samples), lr);
      if (!Number.isFinite(r.loss)) throw new Error(`scorer training diverged at step ${step} (loss ${r.loss})`);
      opts.onProgress?.(step + 1, r.loss, r.metrics);
    }
    return { params: stepper.state().params, images: index, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await stepper.release();
  }
}

/** Accuracy counters per question, over cells of ground-truth renders. */
export class CellAccuracy {
  private readonly hits = new Map<string, [number, number]>();

  add(question: string, correct: boolean): void {
    const h = this.hits.get(question) ?? [0, 0];
    h[0] += correct ? 1 : 0;
    h[1] += 1;
    this.hits.set(question, h);
  }

  result(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [q, [hit, n]] of this.hits) out[q] = round4(hit / n);
    return out;
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [q, [, n]] of this.hits) out[q] = n;
    return out;
  }
}

function round4(v: number): number {
  return Math.round(v * 10000) / 10000;
}

/**
 * The scorer's accuracy on ground-truth renders, per question: what a cell holds (empty /
 * plate / object), which class (objects of the vocabulary; "other" for the rest), and the
 * object's colour, count and size, and the background colour.
 */
export async function measureScorer(scorer: Scorer, samples: { image: LabelledImage['image']; labels: CellLabel[] }[]): Promise<Record<string, number>> {
  const acc = new CellAccuracy();
  const preds = await scorer.predict(samples.map((s) => s.image));
  samples.forEach((s, i) => {
    s.labels.forEach((l, c) => {
      const p = preds[i]![c]!;
      const truthKind = isObjectKind(l.kind) ? 'object' : CELL_KINDS[l.kind]!;
      const predKind = p.isObject ? 'object' : p.kind;
      acc.add('presence', truthKind === predKind);
      acc.add('background', p.probs.background.indexOf(Math.max(...p.probs.background)) === l.background);
      if (!isObjectKind(l.kind)) return;
      if (l.kind > KIND_OTHER) acc.add('class_named', p.kind === CELL_KINDS[l.kind]);
      else acc.add('class_other', p.kind === 'other');
      acc.add('color', p.probs.color.indexOf(Math.max(...p.probs.color)) === l.color);
      acc.add('count', p.count === l.count + 1);
      acc.add('size', p.probs.size.indexOf(Math.max(...p.probs.size)) === l.size);
    });
  });
  const r = acc.result();
  const n = acc.counts();
  return { ...r, cells: n.presence ?? 0, object_cells: n.color ?? 0 };
}

/** Fixed validation sets, disjoint from training by seed: the scorer's own sampler, and the held-out split as the composer draws it. */
export function validationSets(images: number): Record<string, { image: LabelledImage['image']; labels: CellLabel[] }[]> {
  const vocab: LabelledImage[] = [];
  const natural: { image: LabelledImage['image']; labels: CellLabel[] }[] = [];
  for (let i = 0; i < images; i++) {
    vocab.push(scorerSample(0x7a11d, i, { augment: false, size: { width: 128, height: 128 } }));
    const c = composeScene(900_000 + i, { width: 128, height: 128, split: 'heldout' });
    natural.push({ image: c.image, labels: cellLabels(c.scene) });
  }
  return { vocabulary_128: vocab, heldout_split_128: natural };
}

/** Object-free mosaics: the share of their cells the scorer wrongly calls an object. */
export async function measureFalseObjects(scorer: Scorer, images: number): Promise<number> {
  const pics = Array.from({ length: images }, (_, i) => mosaicSample(new DataRng(mixSeed(0xfa15e, i)), { width: 128, height: 128 }).image);
  const preds = await scorer.predict(pics);
  const cells = preds.flat();
  return round4(cells.filter((c) => c.isObject).length / cells.length);
}

export function saveScorer(dir: string, params: Map<string, HostTensor>, card: ScorerCard): void {
  mkdirSync(dir, { recursive: true });
  // float16 storage halves the file; the scorer computes in float32 after loading.
  const stored = new Map([...params].map(([k, v]) => [k, castForStorage(v, 'float16')]));
  writeSafetensors(join(dir, SCORER_WEIGHTS), stored, { version: SCORER_VERSION, classes: CELL_KINDS.join(',') });
  writeFileSync(join(dir, SCORER_CARD), `${JSON.stringify(card, null, 2)}\n`);
}
