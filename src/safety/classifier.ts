// The prompt classifier: hashed word, word-pair and character-trigram features of the
// normalised prompt, a hidden layer of 32 ReLU units and one sigmoid output per category.
// It catches what a lexicon cannot list: paraphrases and words near the listed ones. It is
// trained by the project's engine (see classifier-train.ts); inference is a sparse dot product
// in plain TypeScript, so a check is synchronous and costs microseconds per window, and a test
// holds the two implementations to the same numbers.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HostTensor, asFloat32, readSafetensors } from '../engine/index.ts';
import { CATEGORIES, type Category, zeroScores } from './categories.ts';
import type { Token } from './normalize.ts';

export const FEATURE_BITS = 14;
export const NUM_FEATURES = 1 << FEATURE_BITS;
export const HIDDEN = 32;
/** Windows of this many tokens, overlapping by half, so a long prompt is read in full. */
export const WINDOW_TOKENS = 32;

export const DEFAULT_WEIGHTS_PATH = join(dirname(fileURLToPath(import.meta.url)), 'weights', 'prompt-classifier.safetensors');

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Sparse feature vector: sorted unique bucket indices and their (L2-normalised) values. */
export interface SparseFeatures {
  index: Int32Array;
  value: Float32Array;
}

const bucket = (f: string) => fnv1a(f) & (NUM_FEATURES - 1);

/** A word's own buckets (the word and its character trigrams), cached: prompts repeat words. */
const wordBucketCache = new Map<string, number[]>();
function wordBuckets(key: string): number[] {
  let b = wordBucketCache.get(key);
  if (!b) {
    b = [bucket(`w:${key}`)];
    if (key.length >= 3) {
      const padded = `<${key}>`;
      for (let j = 0; j + 3 <= padded.length; j++) b.push(bucket(`c:${padded.slice(j, j + 3)}`));
    }
    if (wordBucketCache.size > 50_000) wordBucketCache.clear();
    wordBucketCache.set(key, b);
  }
  return b;
}

function toSparse(buckets: Set<number>): SparseFeatures {
  const index = Int32Array.from([...buckets].sort((a, b) => a - b));
  const value = new Float32Array(index.length).fill(index.length > 0 ? 1 / Math.sqrt(index.length) : 0);
  return { index, value };
}

/** Features of a token span: each word, its character trigrams, and each adjacent word pair. */
export function featurize(tokens: readonly Token[]): SparseFeatures {
  const buckets = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    for (const b of wordBuckets(tokens[i]!.key)) buckets.add(b);
    if (i + 1 < tokens.length) buckets.add(bucket(`b:${tokens[i]!.key} ${tokens[i + 1]!.key}`));
  }
  return toSparse(buckets);
}

/** Windows over a token list: the whole list when short, else overlapping 32-token spans. */
export function windows(tokens: readonly Token[]): Token[][] {
  if (tokens.length <= WINDOW_TOKENS) return [tokens as Token[]];
  const out: Token[][] = [];
  const stride = WINDOW_TOKENS / 2;
  for (let s = 0; s < tokens.length; s += stride) {
    out.push(tokens.slice(s, s + WINDOW_TOKENS));
    if (s + WINDOW_TOKENS >= tokens.length) break;
  }
  return out;
}

export interface ClassifierWeights {
  w1: Float32Array; // [NUM_FEATURES, HIDDEN]
  b1: Float32Array; // [HIDDEN]
  w2: Float32Array; // [HIDDEN, C]
  b2: Float32Array; // [C]
}

export class PromptClassifier {
  constructor(readonly weights: ClassifierWeights) {
    const C = CATEGORIES.length;
    if (weights.w1.length !== NUM_FEATURES * HIDDEN || weights.b1.length !== HIDDEN || weights.w2.length !== HIDDEN * C || weights.b2.length !== C) {
      throw new Error('prompt classifier: weight shapes do not match this version of the features');
    }
  }

  static load(path = DEFAULT_WEIGHTS_PATH): PromptClassifier {
    if (!existsSync(path)) {
      throw new Error(`prompt classifier: no weights at ${path}; train them with \`flowpaint redteam --train-classifier\``);
    }
    const file = readSafetensors(path);
    const C = CATEGORIES.length;
    const order = file.metadata.categories?.split(',') ?? [];
    if (order.join(',') !== CATEGORIES.join(',')) {
      throw new Error(`prompt classifier: ${path} was trained for categories [${order.join(', ')}], this build has [${CATEGORIES.join(', ')}]; retrain it`);
    }
    const get = (name: string, shape: number[]) => {
      const t = file.tensors.get(name);
      if (!t || t.shape.join(',') !== shape.join(',')) throw new Error(`prompt classifier: ${path} lacks ${name} of shape [${shape}]`);
      return asFloat32(t).f32();
    };
    return new PromptClassifier({ w1: get('w1', [NUM_FEATURES, HIDDEN]), b1: get('b1', [HIDDEN]), w2: get('w2', [HIDDEN, C]), b2: get('b2', [C]) });
  }

  /** Per-category probabilities for one feature vector. */
  predictFeatures(x: SparseFeatures): Float32Array {
    const { w1, b1, w2, b2 } = this.weights;
    const C = CATEGORIES.length;
    const h = Float32Array.from(b1);
    for (let n = 0; n < x.index.length; n++) {
      const row = x.index[n]! * HIDDEN;
      const v = x.value[n]!;
      for (let j = 0; j < HIDDEN; j++) h[j]! += v * w1[row + j]!;
    }
    const out = Float32Array.from(b2);
    for (let j = 0; j < HIDDEN; j++) {
      const a = h[j]! > 0 ? h[j]! : 0;
      if (a === 0) continue;
      for (let c = 0; c < C; c++) out[c]! += a * w2[j * C + c]!;
    }
    for (let c = 0; c < C; c++) out[c] = 1 / (1 + Math.exp(-out[c]!));
    return out;
  }

  /** Highest probability per category over all windows of the prompt. */
  predict(tokens: readonly Token[]): Record<Category, number> {
    const scores = zeroScores();
    // Pair buckets once for the whole prompt; a window uses those of its own adjacent pairs.
    const pairs = tokens.length > WINDOW_TOKENS ? tokens.slice(0, -1).map((t, i) => bucket(`b:${t.key} ${tokens[i + 1]!.key}`)) : null;
    let start = 0;
    for (const win of windows(tokens)) {
      let x: SparseFeatures;
      if (pairs) {
        const buckets = new Set<number>();
        for (let i = 0; i < win.length; i++) {
          for (const b of wordBuckets(win[i]!.key)) buckets.add(b);
          if (i + 1 < win.length) buckets.add(pairs[start + i]!);
        }
        x = toSparse(buckets);
        start += WINDOW_TOKENS / 2;
      } else {
        x = featurize(win);
      }
      const p = this.predictFeatures(x);
      CATEGORIES.forEach((c, i) => {
        scores[c] = Math.max(scores[c], p[i]!);
      });
    }
    return scores;
  }

  /** Weights as engine tensors (for the graph-equivalence test and for saving). */
  tensors(): Map<string, HostTensor> {
    const C = CATEGORIES.length;
    const { w1, b1, w2, b2 } = this.weights;
    return new Map([
      ['w1', HostTensor.f32(w1, [NUM_FEATURES, HIDDEN])],
      ['b1', HostTensor.f32(b1, [HIDDEN])],
      ['w2', HostTensor.f32(w2, [HIDDEN, C])],
      ['b2', HostTensor.f32(b2, [C])],
    ]);
  }
}

/** Dense batch of feature vectors, as the training graph takes them. */
export function denseBatch(rows: readonly SparseFeatures[]): HostTensor<Float32Array> {
  const data = new Float32Array(rows.length * NUM_FEATURES);
  rows.forEach((r, b) => {
    for (let n = 0; n < r.index.length; n++) data[b * NUM_FEATURES + r.index[n]!] = r.value[n]!;
  });
  return HostTensor.f32(data, [rows.length, NUM_FEATURES]);
}
