// Trains the prompt classifier with the project's engine: the MLP and its loss are an engine
// graph, `compileTrainStep` adds the backward pass and AdamW, and one step is one ONNX Runtime
// run. A few hundred steps on the generated set take seconds on two CPU cores.
//   flowpaint redteam --train-classifier      (writes src/safety/weights/prompt-classifier.safetensors)
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_ADAMW, HostTensor, Rng, TrainStep, asFloat32, castForStorage, compileTrainStep, initialTrainState, ops as o, writeSafetensors, type Tensor } from '../engine/index.ts';
import { CATEGORIES } from './categories.ts';
import { DEFAULT_WEIGHTS_PATH, HIDDEN, NUM_FEATURES, PromptClassifier, type SparseFeatures, denseBatch, featurize } from './classifier.ts';
import { LexicalMatcher } from './matcher.ts';
import { type LabelledPrompt, buildTrainingSet } from './training-data.ts';

export interface TrainOptions {
  steps?: number;
  batch?: number;
  lr?: number;
  seed?: number;
  /** Where to write the weights; nothing is written when null. */
  out?: string | null;
  data?: LabelledPrompt[];
  log?: (line: string) => void;
}

export interface TrainReport {
  classifier: PromptClassifier;
  steps: number;
  examples: number;
  firstLoss: number;
  lastLoss: number;
  /** Exact-match accuracy (all category decisions at 0.5 right) on the held-out tenth. */
  heldOutAccuracy: number;
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

export async function trainClassifier(opts: TrainOptions = {}): Promise<TrainReport> {
  const t0 = performance.now();
  const steps = opts.steps ?? 500;
  const B = opts.batch ?? 128;
  const seed = opts.seed ?? 7;
  const log = opts.log ?? (() => {});
  const C = CATEGORIES.length;
  const matcher = new LexicalMatcher();
  // Everyday words for the benign vocabulary, minus any the lexicons react to.
  const data = opts.data ?? buildTrainingSet(1234, (w) => Object.values(matcher.score(matcher.normalize(w).tokens).scores).every((v) => v === 0));
  const rng = new Rng(seed);
  // Shuffle once, hold out a tenth to report generalisation within the generated set.
  const order = data.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const featurized: SparseFeatures[] = data.map((d) => featurize(matcher.normalize(d.text).tokens));
  // Smoothed targets (0.02 / 0.98) keep the logits finite: templated data is easy to fit
  // perfectly, and a classifier that is never less than certain generalises worse.
  const labels = data.map((d) => Float32Array.from(CATEGORIES, (c) => (d.labels.includes(c) ? 0.98 : 0.02)));
  const nHeld = Math.floor(order.length / 10);
  const held = order.slice(0, nHeld);
  const train = order.slice(nHeld);

  const x = o.input('x', [B, NUM_FEATURES]);
  const y = o.input('y', [B, C]);
  const { logits, params } = classifierLogits(x);
  // Binary cross-entropy with logits, in the stable form max(z,0) - z*y + log(1 + e^-|z|).
  const loss = o.mean(o.add(o.sub(o.relu(logits), o.mul(logits, y)), o.log(o.add(o.exp(o.neg(o.abs(logits))), 1))));
  const compiled = compileTrainStep({ loss, params, optimizer: { ...DEFAULT_ADAMW, weightDecay: 1e-4 } });
  const stepper = await TrainStep.create(compiled, initialTrainState(initParams(rng)), { threads: 2 });
  const losses: number[] = [];
  let cursor = 0;
  let state;
  try {
    for (let s = 0; s < steps; s++) {
      const idx: number[] = [];
      for (let b = 0; b < B; b++) {
        if (cursor >= train.length) cursor = 0;
        idx.push(train[cursor++]!);
      }
      const yb = new Float32Array(B * C);
      idx.forEach((k, b) => yb.set(labels[k]!, b * C));
      const lr = 1e-2 * Math.min(1, (s + 1) / 20) * (s > steps * 0.7 ? 0.3 : 1);
      const r = await stepper.run({ x: denseBatch(idx.map((k) => featurized[k]!)), y: HostTensor.f32(yb, [B, C]) }, lr);
      losses.push(r.loss);
      if (s % 100 === 0 || s === steps - 1) log(`step ${s} loss ${r.loss.toFixed(4)}`);
    }
  } finally {
    state = stepper.state();
    await stepper.release();
  }
  const p = state.params;
  // Stored as float16: half the size; the classifier below is built from the stored values,
  // so what is evaluated here is exactly what ships.
  const stored = new Map([...p].map(([k, v]) => [k, castForStorage(v, 'float16')]));
  const metadata = {
    categories: CATEGORIES.join(','),
    features: `hashed words, word pairs, char trigrams; ${NUM_FEATURES} buckets`,
    hidden: String(HIDDEN),
    steps: String(steps),
    training_examples: String(train.length),
    seed: String(seed),
  };
  const classifier = new PromptClassifier({
    w1: asFloat32(stored.get('w1')!).f32(),
    b1: asFloat32(stored.get('b1')!).f32(),
    w2: asFloat32(stored.get('w2')!).f32(),
    b2: asFloat32(stored.get('b2')!).f32(),
  });
  let correct = 0;
  for (const k of held) {
    const pr = classifier.predictFeatures(featurized[k]!);
    if (CATEGORIES.every((_, c) => pr[c]! >= 0.5 === labels[k]![c]! > 0.5)) correct++;
  }
  const heldOutAccuracy = held.length > 0 ? correct / held.length : NaN;
  if (opts.out !== null) {
    const out = opts.out ?? DEFAULT_WEIGHTS_PATH;
    mkdirSync(dirname(out), { recursive: true });
    writeSafetensors(out, stored, { ...metadata, held_out_accuracy: heldOutAccuracy.toFixed(4) });
    log(`wrote ${out}`);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    classifier,
    steps,
    examples: data.length,
    firstLoss: mean(losses.slice(0, 5)),
    lastLoss: mean(losses.slice(-10)),
    heldOutAccuracy,
    seconds: (performance.now() - t0) / 1000,
  };
}
