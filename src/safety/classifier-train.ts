// Trains the prompt classifier with the project's engine: the MLP and its loss are an engine
// graph, `compileTrainStep` adds the backward pass and AdamW, and one step is one ONNX Runtime
// run. A few hundred steps on the generated set take seconds on two CPU cores.
//   flowpaint redteam --train-classifier      (writes src/safety/weights/prompt-classifier.safetensors)
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_ADAMW, HostTensor, Rng, TrainStep, asFloat32, castForStorage, compileTrainStep, initialTrainState, ops as o, writeSafetensors, type Tensor } from '../engine/index.ts';
import { CATEGORIES, type Category } from './categories.ts';
import { type ClassifierWeights, DEFAULT_WEIGHTS_PATH, FEATURES_VERSION, HIDDEN, NUM_FEATURES, PromptClassifier, type SparseFeatures, denseBatch, featurize } from './classifier.ts';
import { LexicalMatcher } from './matcher.ts';
import type { Token } from './normalize.ts';
import { type LabelledPrompt, buildLabelledSplit } from './training-data.ts';

export interface TrainOptions {
  steps?: number;
  batch?: number;
  lr?: number;
  seed?: number;
  /** Where to write the weights; nothing is written when null. */
  out?: string | null;
  /** Training prompts; a random tenth is held out. Default: the generated set, validated on its held-out phrases. */
  data?: LabelledPrompt[];
  /**
   * After choosing the thresholds, train again on all phrases (generated set only). Off by default:
   * the thresholds were validated on the first model, not on a refit one.
   */
  refit?: boolean;
  log?: (line: string) => void;
}

/** How the thresholds chosen on the validation prompts did there. */
export interface ThresholdChoice {
  /** Per category: the classifier refuses alone at this probability. */
  thresholds: Record<Category, number>;
  /** Sexual probability at which a prompt naming a minor is refused as `minors`. */
  minorSexual: number;
  /** Harmful validation prompts refused by the classifier alone at these thresholds. */
  recall: number;
  /** Harmless validation prompts refused: all of them, and the contrast (near-miss) ones. */
  falsePositiveRate: number;
  hardFalsePositiveRate: number;
}

/** Most false positives one category's threshold may cause on validation (all harmless prompts / near misses). */
export const MAX_CATEGORY_FP = 0.001;
export const MAX_CATEGORY_HARD_FP = 0.001;
/** Most false positives of the minor + sexual rule on harmless validation prompts that name a minor. */
export const MAX_MINOR_SEXUAL_FP = 0.005;

export interface ValidationRow {
  x: SparseFeatures;
  d: LabelledPrompt;
  /** The prompt names a minor (LexicalMatcher.mentionsMinor). */
  minor: boolean;
}

const GRID = Array.from({ length: 10 }, (_, k) => (10 + k) / 20); // 0.5, 0.55, ..., 0.95

/**
 * Per category, the lowest threshold (0.5 to 0.95) at which the classifier alone refuses at most
 * 0.1% of the harmless validation prompts and of the near-miss ones in that category; and
 * the lowest sexual probability at which at most 0.5% of the harmless validation prompts that
 * name a minor would be refused as `minors`.
 */
export function chooseThresholds(classifier: PromptClassifier, rows: readonly ValidationRow[]): ThresholdChoice {
  const probs = rows.map(({ x }) => classifier.predictFeatures(x));
  const benign = rows.flatMap((r, i) => (r.d.labels.length === 0 ? [i] : []));
  const hard = benign.filter((i) => rows[i]!.d.hard);
  const rate = (idx: number[], hit: (i: number) => boolean) => idx.filter(hit).length / Math.max(1, idx.length);
  const thresholds = {} as Record<Category, number>;
  CATEGORIES.forEach((c, ci) => {
    const ok = (t: number) => rate(benign, (i) => probs[i]![ci]! >= t) <= MAX_CATEGORY_FP && rate(hard, (i) => probs[i]![ci]! >= t) <= MAX_CATEGORY_HARD_FP;
    thresholds[c] = GRID.find(ok) ?? 0.95;
  });
  const si = CATEGORIES.indexOf('sexual');
  const minorBenign = benign.filter((i) => rows[i]!.minor);
  const minorSexual = GRID.find((t) => rate(minorBenign, (i) => probs[i]![si]! >= t) <= MAX_MINOR_SEXUAL_FP) ?? 1;
  const refused = (i: number) => CATEGORIES.some((c, ci) => probs[i]![ci]! >= thresholds[c]);
  const harmful = rows.flatMap((r, i) => (r.d.labels.length > 0 ? [i] : []));
  return { thresholds, minorSexual, recall: rate(harmful, refused), falsePositiveRate: rate(benign, refused), hardFalsePositiveRate: rate(hard, refused) };
}

export interface TrainReport {
  classifier: PromptClassifier;
  steps: number;
  examples: number;
  firstLoss: number;
  lastLoss: number;
  /** Exact-match accuracy (all category decisions at 0.5 right) on the validation prompts (held-out phrases). */
  heldOutAccuracy: number;
  validationExamples: number;
  alone: ThresholdChoice;
  seconds: number;
}

/** The classifier's forward pass as an engine graph (also used to check the JS inference). */
export function classifierLogits(x: Tensor): { logits: Tensor; params: Tensor[] } {
  const C = CATEGORIES.length;
  const w1 = o.param('w1', [NUM_FEATURES, HIDDEN]);
  const b1 = o.param('b1', [HIDDEN]);
  const w2 = o.param('w2', [HIDDEN, C]);
  const b2 = o.param('b2', [C]);
  const h = o.relu(o.add(o.matmul(x, w1), b1));
  return { logits: o.add(o.matmul(h, w2), b2), params: [w1, b1, w2, b2] };
}

function initParams(rng: Rng): Map<string, HostTensor> {
  const C = CATEGORIES.length;
  const w1 = new Float32Array(NUM_FEATURES * HIDDEN);
  rng.fillNormal(w1, 0.5);
  const w2 = new Float32Array(HIDDEN * C);
  rng.fillNormal(w2, 1 / Math.sqrt(HIDDEN));
  return new Map([
    ['w1', HostTensor.f32(w1, [NUM_FEATURES, HIDDEN])],
    ['b1', HostTensor.f32(new Float32Array(HIDDEN), [HIDDEN])],
    ['w2', HostTensor.f32(w2, [HIDDEN, C])],
    ['b2', HostTensor.f32(new Float32Array(C).fill(-2), [C])],
  ]);
}

/** Fraction of a training prompt's words dropped, afresh at every step. */
export const WORD_DROPOUT = 0.15;

interface FitResult {
  stored: Map<string, HostTensor>;
  weights: ClassifierWeights;
  losses: number[];
}

/**
 * One engine training run on the prompts at `train`. Every time a prompt is drawn, each of its
 * words is dropped with probability WORD_DROPOUT before it is featurised (word dropout), so the
 * classifier cannot lean on one word or pair and spreads its weight over every cue a prompt has:
 * what lets it score phrasings it never saw.
 */
async function fit(tokens: readonly Token[][], labels: readonly Float32Array[], train: readonly number[], steps: number, B: number, rng: Rng, log: (line: string) => void): Promise<FitResult> {
  const C = CATEGORIES.length;
  const x = o.input('x', [B, NUM_FEATURES]);
  const y = o.input('y', [B, C]);
  const { logits, params } = classifierLogits(x);
  // Binary cross-entropy with logits, in the stable form max(z,0) - z*y + log(1 + e^-|z|).
  const loss = o.mean(o.add(o.sub(o.relu(logits), o.mul(logits, y)), o.log(o.add(o.exp(o.neg(o.abs(logits))), 1))));
  const compiled = compileTrainStep({ loss, params, optimizer: { ...DEFAULT_ADAMW, weightDecay: 1e-4 } });
  const stepper = await TrainStep.create(compiled, initialTrainState(initParams(rng)), { threads: 2 });
  const order = [...train];
  const losses: number[] = [];
  let cursor = 0;
  let state;
  try {
    for (let s = 0; s < steps; s++) {
      const idx: number[] = [];
      for (let b = 0; b < B; b++) {
        if (cursor >= order.length) {
          cursor = 0;
          shuffle(order, rng);
        }
        idx.push(order[cursor++]!);
      }
      const yb = new Float32Array(B * C);
      idx.forEach((k, b) => yb.set(labels[k]!, b * C));
      const rows = idx.map((k) => {
        const kept = tokens[k]!.filter(() => rng.uniform() >= WORD_DROPOUT);
        return featurize(kept.length > 0 ? kept : tokens[k]!);
      });
      const lr = 1e-2 * Math.min(1, (s + 1) / 20) * (s > steps * 0.7 ? 0.3 : 1);
      const r = await stepper.run({ x: denseBatch(rows), y: HostTensor.f32(yb, [B, C]) }, lr);
      losses.push(r.loss);
      if (s % 100 === 0 || s === steps - 1) log(`step ${s} loss ${r.loss.toFixed(4)}`);
    }
  } finally {
    state = stepper.state();
    await stepper.release();
  }
  // Stored as float16: half the size; the classifier is built from the stored values, so what
  // is evaluated is exactly what ships.
  const stored = new Map([...state.params].map(([k, v]) => [k, castForStorage(v, 'float16')]));
  const weights = {
    w1: asFloat32(stored.get('w1')!).f32(),
    b1: asFloat32(stored.get('b1')!).f32(),
    w2: asFloat32(stored.get('w2')!).f32(),
    b2: asFloat32(stored.get('b2')!).f32(),
  };
  return { stored, weights, losses };
}

function shuffle(xs: number[], rng: Rng): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
}

/**
 * Trains the classifier. On the generated set: a first run on the training phrases, validated
 * on the prompts made of held-out phrases, which sets the stand-alone thresholds; that model is
 * what ships (with `refit`, a second run on all phrases replaces it, keeping those thresholds).
 */
export async function trainClassifier(opts: TrainOptions = {}): Promise<TrainReport> {
  const t0 = performance.now();
  const steps = opts.steps ?? 900;
  const B = opts.batch ?? 128;
  const seed = opts.seed ?? 7;
  const log = opts.log ?? (() => {});
  const matcher = new LexicalMatcher();
  const rng = new Rng(seed);
  // Generated set: train on the training phrases, validate on prompts made of held-out phrases
  // only. Given data: hold out a random tenth.
  let data: LabelledPrompt[];
  let train: number[];
  let held: number[];
  if (opts.data) {
    data = opts.data;
    const order = data.map((_, i) => i);
    shuffle(order, rng);
    const nHeld = Math.floor(order.length / 10);
    held = order.slice(0, nHeld);
    train = order.slice(nHeld);
  } else {
    // Everyday words for the benign vocabulary, minus any the lexicons react to.
    const split = buildLabelledSplit(1234, (w) => Object.values(matcher.score(matcher.normalize(w).tokens).scores).every((v) => v === 0));
    data = [...split.train, ...split.validation];
    train = split.train.map((_, i) => i);
    held = split.validation.map((_, i) => split.train.length + i);
  }
  shuffle(train, rng);
  const tokens = data.map((d) => matcher.normalize(d.text).tokens);
  const featurized: SparseFeatures[] = tokens.map((t) => featurize(t));
  // Smoothed targets (0.02 / 0.98) keep the logits finite: templated data is easy to fit
  // perfectly, and a classifier that is never less than certain generalises worse.
  const labels = data.map((d) => Float32Array.from(CATEGORIES, (c) => (d.labels.includes(c) ? 0.98 : 0.02)));

  log(`training on ${train.length} prompts, validating on ${held.length}`);
  let run = await fit(tokens, labels, train, steps, B, rng, log);
  const validated = new PromptClassifier(run.weights);
  let correct = 0;
  for (const k of held) {
    const pr = validated.predictFeatures(featurized[k]!);
    if (CATEGORIES.every((_, c) => pr[c]! >= 0.5 === labels[k]![c]! > 0.5)) correct++;
  }
  const heldOutAccuracy = held.length > 0 ? correct / held.length : NaN;
  const alone = chooseThresholds(validated, held.map((k) => ({ x: featurized[k]!, d: data[k]!, minor: matcher.mentionsMinor(tokens[k]!) })));
  log(`validation: exact match ${heldOutAccuracy.toFixed(4)}; stand-alone thresholds ${JSON.stringify(alone.thresholds)}, minor+sexual ${alone.minorSexual} (recall ${alone.recall.toFixed(3)}, false positives ${alone.falsePositiveRate.toFixed(4)}, near misses ${alone.hardFalsePositiveRate.toFixed(4)})`);
  const firstLosses = run.losses;
  const refit = (opts.refit ?? false) && !opts.data;
  if (refit) {
    log(`refit on all ${data.length} prompts`);
    const all = data.map((_, i) => i);
    shuffle(all, rng);
    run = await fit(tokens, labels, all, steps, B, rng, log);
  }
  const classifier = new PromptClassifier(run.weights, { alone: alone.thresholds, minorSexual: alone.minorSexual });
  const metadata = {
    categories: CATEGORIES.join(','),
    features: `hashed words, word stems, word pairs, content-word skip pairs, char trigrams; ${NUM_FEATURES} buckets`,
    features_version: String(FEATURES_VERSION),
    hidden: String(HIDDEN),
    steps: String(steps),
    word_dropout: String(WORD_DROPOUT),
    training_examples: String(refit ? data.length : train.length),
    validation_examples: String(held.length),
    refit_on_validation_phrases: String(refit),
    seed: String(seed),
    held_out_accuracy: heldOutAccuracy.toFixed(4),
    alone_thresholds: JSON.stringify(alone.thresholds),
    minor_sexual_threshold: String(alone.minorSexual),
    alone_validation_recall: alone.recall.toFixed(4),
    alone_validation_fp: alone.falsePositiveRate.toFixed(4),
    alone_validation_hard_fp: alone.hardFalsePositiveRate.toFixed(4),
  };
  if (opts.out !== null) {
    const out = opts.out ?? DEFAULT_WEIGHTS_PATH;
    mkdirSync(dirname(out), { recursive: true });
    writeSafetensors(out, run.stored, metadata);
    log(`wrote ${out}`);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    classifier,
    steps,
    examples: data.length,
    firstLoss: mean(firstLosses.slice(0, 5)),
    lastLoss: mean(run.losses.slice(-10)),
    heldOutAccuracy,
    validationExamples: held.length,
    alone,
    seconds: (performance.now() - t0) / 1000,
  };
}
