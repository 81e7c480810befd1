// Training configuration: which model, how long, how fast, on what data. Presets by name, or a
// JSON file that overrides any field of a preset ({"extends": "small", "batchSize": 16, ...}).
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ModelConfig, PRESETS } from '../model/config.ts';
import { ART_SET_IDS } from '../data/artsets.ts';
import { SIZES } from '../data/scene.ts';
import { validateScope } from '../data/scope.ts';
import { InputError } from '../errors.ts';
import { DEFAULT_T_MIN } from '../flow/index.ts';

/** The part of the composer's world a run trains on (src/data/scope.ts); {} is all of it. */
export const DataScopeConfig = z
  .object({
    classes: z.array(z.string()).min(2).optional(),
    artSets: z.array(z.enum(ART_SET_IDS)).min(1).optional(),
    maxObjects: z.number().int().min(1).max(4).optional(),
    maxCount: z.number().int().min(1).max(4).optional(),
    textChance: z.number().min(0).max(1).optional(),
    solidChance: z.number().min(0).max(1).optional(),
    sizes: z.array(z.enum(SIZES)).min(1).optional(),
    unplacedShare: z.number().min(0).max(1).optional(),
    snap: z.number().int().min(1).max(64).optional(),
  })
  .strict();

/** Training that came before this run (carried over by --init-from), so totals accumulate. */
export const PriorTraining = z.object({
  steps: z.number().int().nonnegative(),
  samples: z.number().int().nonnegative(),
  cpuHours: z.number().nonnegative(),
});
export type PriorTraining = z.infer<typeof PriorTraining>;

export const TrainConfig = z.object({
  name: z.string(),
  model: ModelConfig,
  seed: z.number().int().nonnegative(),
  batchSize: z.number().int().positive(),
  /** Training image sizes; each batch takes one. */
  buckets: z.array(z.object({ width: z.number().int(), height: z.number().int() })).min(1),
  /** Share of batches that are edit pairs rather than text-to-image. */
  editFraction: z.number().min(0).max(1),
  /** Share of edit samples that get their mask as input (inpainting) rather than only the instruction. */
  maskFraction: z.number().min(0).max(1),
  /** Classifier-free guidance dropout: the prompt becomes empty / the source image is left out. */
  textDrop: z.number().min(0).max(1),
  imageDrop: z.number().min(0).max(1),
  steps: z.number().int().positive(),
  lr: z.number().positive(),
  warmupSteps: z.number().int().nonnegative(),
  /** Cosine decay ends at lr·minLrRatio. */
  minLrRatio: z.number().min(0).max(1),
  weightDecay: z.number().min(0),
  maxGradNorm: z.number().min(0),
  beta1: z.number().min(0).max(1),
  beta2: z.number().min(0).max(1),
  emaDecay: z.number().min(0).max(1),
  /** Logit-normal timestep sampling. */
  timeMean: z.number(),
  timeStd: z.number().positive(),
  /**
   * Share of samples whose t is drawn uniformly from [0.9, 1) instead: there the noisy image
   * carries almost nothing and the prompt must decide the picture, the band that teaches prompt
   * following (ARCHITECTURE.md). Runs started before it existed default to 0.
   */
  highNoiseShare: z.number().min(0).max(1).default(0),
  /**
   * Loss weight of the tokens an object or lettering plate covers in text-to-image samples (the
   * rest weigh 1; the loss is the weighted mean). Objects fill ~5–15% of a scene, so unweighted the
   * background colour earns nearly all of the gradient and a model learns it long before any
   * object (ARCHITECTURE.md, object weighting). 1 = unweighted (runs before it existed).
   */
  objectLossWeight: z.number().min(1).max(100).default(1),
  /**
   * Weight of the layout loss: a linear head on the middle block's image tokens is trained to name
   * each token's object class and colour, labels the composer knows exactly (train/layout-labels.ts).
   * At high noise only the prompt and the token's place can answer, so it teaches words → where;
   * the head is training-only. 0 = off (runs before it existed).
   */
  layoutLossWeight: z.number().min(0).max(10).default(0),
  /**
   * With x-prediction the velocity loss weighs a sample's error in x by 1/max(t, lossTMin)²: 400×
   * at t = 0.05, where the error is mostly the noise no model can predict, against ~1 at the high
   * noise where shapes and layout are decided. A larger clamp caps the low-noise weight (0.3 caps
   * it at 11, about min-SNR-5's cap; Hang et al., arXiv 2303.09556). Runs before it existed: 0.05.
   */
  lossTMin: z.number().min(0.01).max(0.6).default(DEFAULT_T_MIN),
  checkpointEvery: z.number().int().positive(),
  sampleEvery: z.number().int().positive(),
  logEvery: z.number().int().positive(),
  /** Longest caption in tokens during training (captions are cut, never the 32k inference limit). */
  maxTextTokens: z.number().int().positive(),
  /** How many generated scenes and edit instructions the run's tokenizer is trained on. */
  tokenizerCorpus: z.object({ scenes: z.number().int().positive(), edits: z.number().int().positive() }),
  /** Compute threads for ONNX Runtime (0 = all cores). */
  threads: z.number().int().nonnegative(),
  /** The model directory a fine-tuning run started from (set by --init-from; recorded, not read on resume). */
  initFrom: z.string().optional(),
  /** What the data is drawn from: a curriculum narrows it (few large objects, a small vocabulary). */
  data: DataScopeConfig.default({}),
  /**
   * A share of the text-to-image batches drawn from a narrower scope, with the rest of the run on
   * `data`. Shapes are learned per sample of a class in a simple picture (BENCHMARKS.md, session 15:
   * two classes alone and centred drew an apple in 800 steps that 25 classes in full scenes had not
   * in 40,000), so a focus on one large object keeps that signal coming without giving up the
   * scenes that teach places, counts, lettering and edits. Unset: every batch from `data`.
   */
  focus: z.object({ share: z.number().min(0).max(1), data: DataScopeConfig }).strict().optional(),
  /** Training already in the starting model's weights (set by --init-from from its config.json). */
  prior: PriorTraining.optional(),
});
export type TrainConfig = z.infer<typeof TrainConfig>;

const common = {
  seed: 1,
  editFraction: 0.3,
  maskFraction: 0.5,
  textDrop: 0.1,
  imageDrop: 0.1,
  warmupSteps: 200,
  minLrRatio: 0.1,
  weightDecay: 0.01,
  maxGradNorm: 1,
  beta1: 0.9,
  beta2: 0.99,
  emaDecay: 0.999,
  // Logit-normal centred toward noise (t = 1): with x-prediction the loss weights low noise by
  // 1/t², and the caption matters most at high noise; measured in ARCHITECTURE.md (timestep sampling).
  timeMean: 0.8,
  timeStd: 0.8,
  highNoiseShare: 0.5,
  logEvery: 10,
  threads: 0,
};

export const TRAIN_PRESETS: Record<string, TrainConfig> = {
  tiny: TrainConfig.parse({
    ...common,
    name: 'tiny',
    model: PRESETS.tiny,
    batchSize: 4,
    buckets: [{ width: 64, height: 64 }],
    steps: 200,
    lr: 3e-3,
    warmupSteps: 10,
    emaDecay: 0.9,
    checkpointEvery: 50,
    sampleEvery: 100,
    maxTextTokens: 64,
    tokenizerCorpus: { scenes: 150, edits: 100 },
  }),
  small: TrainConfig.parse({
    ...common,
    name: 'small',
    model: PRESETS.small,
    batchSize: 24,
    buckets: [
      { width: 128, height: 128 },
      { width: 160, height: 96 },
      { width: 96, height: 160 },
      { width: 192, height: 80 },
      { width: 80, height: 192 },
    ],
    steps: 30000,
    lr: 8e-4,
    layoutLossWeight: 0.5,
    checkpointEvery: 100,
    sampleEvery: 500,
    maxTextTokens: 192,
    tokenizerCorpus: { scenes: 4000, edits: 3000 },
  }),
};

/** A preset name, or a JSON file with {"extends": preset, ...overrides}. */
export function loadTrainConfig(nameOrPath: string): TrainConfig {
  if (TRAIN_PRESETS[nameOrPath]) return TRAIN_PRESETS[nameOrPath]!;
  if (!existsSync(nameOrPath)) {
    throw new InputError(`--config: '${nameOrPath}' is neither a preset (${Object.keys(TRAIN_PRESETS).join(', ')}) nor a file`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(nameOrPath, 'utf8'));
  } catch (err) {
    throw new InputError(`${nameOrPath}: not valid JSON (${(err as Error).message})`);
  }
  const base = TRAIN_PRESETS[String(raw.extends ?? 'small')];
  if (!base) throw new InputError(`${nameOrPath}: "extends" names no preset (${Object.keys(TRAIN_PRESETS).join(', ')})`);
  const { extends: _, ...overrides } = raw;
  const merged = { ...base, ...overrides, model: { ...base.model, ...((overrides.model as object) ?? {}) } };
  const parsed = TrainConfig.safeParse(merged);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new InputError(`${nameOrPath}: ${issues}`);
  }
  for (const [field, scope] of [['data', parsed.data.data], ['focus.data', parsed.data.focus?.data]] as const) {
    try {
      if (scope) validateScope(scope);
    } catch (err) {
      throw new InputError(`${nameOrPath}: ${field}: ${(err as Error).message}`);
    }
  }
  return parsed.data;
}

/** Learning rate at a step: linear warmup, then cosine decay to lr·minLrRatio. */
export function learningRate(c: TrainConfig, step: number): number {
  if (step < c.warmupSteps) return (c.lr * (step + 1)) / c.warmupSteps;
  const progress = Math.min(1, (step - c.warmupSteps) / Math.max(1, c.steps - c.warmupSteps));
  const min = c.lr * c.minLrRatio;
  return min + (c.lr - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/**
 * The recipe that continues a run stopped at `step` as a new run (`train --init-from`, which starts
 * a fresh optimizer and schedule): the rate where it stopped, the steps left and the same floor.
 * Restarting at the recipe's peak rate instead set the model back (BENCHMARKS.md, "Recipe A/B,
 * session 18"). A new cosine over the steps left is not the old cosine's tail, but it starts and
 * ends at the same rates. A run still in its warmup continues the recipe as it is, less the steps
 * done; a finished schedule continues at its floor for another run of its length.
 */
export function continuationRecipe(c: TrainConfig, step: number): TrainConfig {
  const floor = c.lr * c.minLrRatio;
  if (step >= c.steps) return { ...c, lr: floor, minLrRatio: 1 };
  const steps = c.steps - step;
  if (step < c.warmupSteps) return { ...c, steps };
  const lr = learningRate(c, step);
  return { ...c, lr: +lr.toPrecision(4), steps, minLrRatio: Math.min(1, +(floor / lr).toPrecision(4)), warmupSteps: Math.min(c.warmupSteps, Math.floor(steps / 2)) };
}
