// The prompt classifier: hashed word, word-stem, word-pair, skip-pair and character-trigram
// features of the normalised prompt, a hidden layer of 32 ReLU units and one sigmoid output per category.
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
/** Version of the feature set: weights trained for another version are refused at load. */
export const FEATURES_VERSION = 2;
/** Stand-alone threshold used when the weights file names none. */
export const DEFAULT_ALONE_THRESHOLD = 0.8;

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

/** Letters kept as a word's stem: "bleeding", "bleeds" and "bleed" share one feature. */
const STEM = 5;

/** A word's own buckets (the word, its stem and its character trigrams), cached: prompts repeat words. */
const wordBucketCache = new Map<string, number[]>();
function wordBuckets(key: string): number[] {
  let b = wordBucketCache.get(key);
  if (!b) {
    b = [bucket(`w:${key}`)];
    if (key.length > STEM) b.push(bucket(`s:${key.slice(0, STEM)}`));
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

// Words too common to carry meaning in a pair; skipping them lets a skip-pair join the words
// around them ("hanging from the beam" gives "hanging beam").
const FILLER = new Set(['a', 'an', 'the', 'of', 'and', 'to', 'in', 'on', 'at', 'with', 'her', 'his', 'their', 'is', 'it', 'by', 'for', 'from', 'as']);

/** Pair buckets starting at token i: the adjacent pair, and the pair of the next two content words. */
function pairBuckets(tokens: readonly Token[], i: number, end: number): number[] {
  const out: number[] = [];
  if (i + 1 < end) out.push(bucket(`b:${tokens[i]!.key} ${tokens[i + 1]!.key}`));
  if (!FILLER.has(tokens[i]!.key)) {
    // The next content word within three tokens: "pills ... nightstand", "throat ... ear".
    for (let j = i + 1; j < Math.min(end, i + 4); j++) {
      if (FILLER.has(tokens[j]!.key)) continue;
      if (j > i + 1) out.push(bucket(`k:${tokens[i]!.key} ${tokens[j]!.key}`));
      break;
    }
  }
  return out;
}

/** Features of a token span: each word, its stem and character trigrams, adjacent word pairs and content-word skip pairs. */
export function featurize(tokens: readonly Token[]): SparseFeatures {
  const buckets = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    for (const b of wordBuckets(tokens[i]!.key)) buckets.add(b);
    for (const b of pairBuckets(tokens, i, tokens.length)) buckets.add(b);
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
  /**
   * Probability at which the classifier refuses without a lexical signal. Chosen when training,
   * on prompts whose harmful or harmless phrases were held out of training (never on the
   * red-team suite), and stored with the weights.
   */
  readonly aloneThresholds: Record<Category, number>;
  /**
   * Sexual probability at which a prompt that names a minor is refused as `minors` (zero
   * tolerance), also chosen on validation prompts; 1 disables the rule.
   */
  readonly minorSexualThreshold: number;

  constructor(readonly weights: ClassifierWeights, thresholds: { alone?: number | Partial<Record<Category, number>>; minorSexual?: number } = {}) {
    const alone = thresholds.alone ?? DEFAULT_ALONE_THRESHOLD;
    this.aloneThresholds = Object.fromEntries(CATEGORIES.map((c) => [c, typeof alone === 'number' ? alone : (alone[c] ?? DEFAULT_ALONE_THRESHOLD)])) as Record<Category, number>;
    this.minorSexualThreshold = thresholds.minorSexual ?? 1;
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
    const version = Number(file.metadata.features_version ?? 1);
    if (version !== FEATURES_VERSION) {
      throw new Error(`prompt classifier: ${path} was trained on features version ${version}, this build computes version ${FEATURES_VERSION}; retrain it with \`flowpaint redteam --train-classifier\``);
    }
    let alone: Partial<Record<Category, number>> = {};
    try {
      alone = JSON.parse(file.metadata.alone_thresholds ?? '{}') as Partial<Record<Category, number>>;
    } catch {
      throw new Error(`prompt classifier: ${path} has unreadable alone_thresholds metadata`);
    }
    const minorSexual = Number(file.metadata.minor_sexual_threshold ?? 1);
    const get = (name: string, shape: number[]) => {
      const t = file.tensors.get(name);
      if (!t || t.shape.join(',') !== shape.join(',')) throw new Error(`prompt classifier: ${path} lacks ${name} of shape [${shape}]`);
      return asFloat32(t).f32();
    };
    return new PromptClassifier({ w1: get('w1', [NUM_FEATURES, HIDDEN]), b1: get('b1', [HIDDEN]), w2: get('w2', [HIDDEN, C]), b2: get('b2', [C]) }, { alone, minorSexual: Number.isFinite(minorSexual) ? minorSexual : 1 });
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
    for (const win of windows(tokens)) {
      const x = featurize(win);
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
