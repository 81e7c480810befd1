// Model configurations, from `tiny` (tests) to the model card's 2×10^10 non-embedding parameters,
// and the closed-form parameter count of each (checked against the built graph in config.test.ts).
import { z } from 'zod';
import { resolutionShift } from '../flow/timesteps.ts';

export const TextEncoderConfig = z.object({
  vocabSize: z.number().int().positive(),
  width: z.number().int().positive(),
  depth: z.number().int().nonnegative(),
  heads: z.number().int().positive(),
  mlpRatio: z.number().positive(),
  /** Self-attention runs within windows of this many tokens, so cost is linear in prompt length. */
  window: z.number().int().positive(),
  /**
   * How any prompt length becomes this many conditioning tokens for the denoiser:
   * - 'grouped': the encoder's token states averaged over K equal consecutive spans of the padded
   *   prompt (K must divide the window). Every word reaches the denoiser from the first step.
   * - 'resampler': K learned queries cross-attend to the tokens (the 0.1 models' choice, kept so
   *   they still load). Its queries start out attending evenly, and in 4,300 steps of training it
   *   learned to pass on the background colour only: the conditioning tokens of "a white castle
   *   in the top left" and "a red apple in the bottom right" differed by 1.5% (ARCHITECTURE.md).
   */
  conditioning: z.enum(['grouped', 'resampler']).default('resampler'),
  /** K, the number of conditioning tokens. */
  resamplerTokens: z.number().int().positive(),
  /** Cross-attention layers of the resampler (unused by 'grouped'). */
  resamplerDepth: z.number().int().positive(),
  /**
   * The pooled prompt vector added to the timestep in every block's adaLN modulation:
   * - 'none' (new models): no pooled vector; the prompt reaches the image only through the joint
   *   attention. Measured: with a pooled vector the model takes that global shortcut and never
   *   learns layout from words — trained 1,500 steps at t ≈ 1 on 70% left-to-right gradient
   *   backgrounds, "fades from red at the left to blue at the right" gave a flat picture (gradient
   *   layout 0.000, `bench conditioning`); without it, 0.354, and the background colour is still
   *   learned (91%) through the tokens (ARCHITECTURE.md, pooled shortcut).
   * - 'tokens': the mean of the encoder's token states (the session-3 candidate).
   * - 'resampler': the mean of the resampler outputs (the 0.1 models).
   */
  pooling: z.enum(['none', 'tokens', 'resampler']).default('tokens'),
});

const Size = z.object({ width: z.number().int().positive(), height: z.number().int().positive() });
export type Size = z.infer<typeof Size>;

/**
 * The sizes a model was trained at (written by `flowpaint export` from the run's buckets). It draws
 * best at these: every entry point defaults to `native`, and a larger request is drawn at the
 * bucket nearest its aspect ratio and then resized.
 */
export const ModelSizes = z.object({ native: Size, buckets: z.array(Size).min(1) });
export type ModelSizes = z.infer<typeof ModelSizes>;

export const ModelConfig = z.object({
  name: z.string(),
  /** Pixels per patch side; a token is one patch of patchSize² RGB pixels. */
  patchSize: z.number().int().positive(),
  width: z.number().int().positive(),
  depth: z.number().int().positive(),
  heads: z.number().int().positive(),
  mlpRatio: z.number().positive(),
  /** Head dims given to each rotary axis: [segment, row, column]. */
  ropeAxes: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
  /** What the network outputs: clean data ('x') or velocity ('v'). */
  prediction: z.enum(['x', 'v']),
  /** Width of the sinusoidal timestep features. */
  timeFeatures: z.number().int().positive(),
  text: TextEncoderConfig,
  /**
   * Hidden width of the per-patch pixel head (0 = none): an MLP over the final token state and the
   * token's own noisy pixels, added to the linear head. The linear head alone can only output a
   * rank-`width` subspace of each patch (192 of 768 values in `small`), so fine detail could not be
   * drawn; the pixel head sees the full patch (ARCHITECTURE.md, pixel head).
   */
  pixelHead: z.number().int().nonnegative().default(0),
  /**
   * A per-patch convolutional detail head (absent = none): 3×3 convolutions over each patch's
   * pixels — its noisy pixels, the heads' prediction and `channels` features projected from the
   * token — adding a residual to the prediction. The MLP pixel head maps a token to its patch in
   * one step; convolutions give neighbouring pixels of a patch a shared, local say (edges, flat
   * grounds around an object), as DiP's "Patch Detailer Head" does for 16-px-patch pixel DiTs
   * (Chen et al., arXiv 2511.18822). Its last convolution starts at zero, so a model that grows
   * the head (`train --init-from`) starts out predicting exactly as before.
   */
  detailHead: z.object({ channels: z.number().int().min(1).max(64), layers: z.number().int().min(2).max(8) }).optional(),
  /**
   * Add an absolute position embedding to every image token: a learned (zero-initialised)
   * projection of the token's rotary cos/sin features, so it uses the same resolution-normalised
   * positions. With rotary positions alone an image token knows where it is only relative to
   * other tokens, and from pure noise (t = 1) a model has nothing to anchor "top left" to: the
   * small model's prediction for an object named in each of the nine places was the same in every
   * place after 4,300 steps (ARCHITECTURE.md, position embedding).
   */
  positionEmbedding: z.boolean().default(false),
  /**
   * What the position embedding projects. 'rope': the token's rotary cos/sin rows, zero-initialised
   * (models before 'fourier'). Their frequencies (θ = 10000) are made for long sequences: across
   * an 8-token side most of them hardly turn, and the projection starts at zero, so at t = 1 —
   * where the input gate leaves a token nothing but its position — every token started identical
   * and stayed so: "top left" and "bottom right" gave the same picture (BENCHMARKS.md, words
   * probe). 'fourier': sin/cos of the token's place in the image at periods from twice the image
   * down to a quarter of it, with a normally initialised projection, so tokens differ from the
   * first step (input `pos_features`, layout.ts).
   */
  positionFeatures: z.enum(['rope', 'fourier']).default('rope'),
  /**
   * Noise-to-signal multiplier on top of the resolution shift, the same in training and sampling
   * (`noiseShift`). In pixel space a 16-px patch averages away most of the noise: at t = 0.9 an
   * object is still plainly visible in the noisy image, so a model trained unshifted could read
   * every layout off its input and never needed the prompt, and the sampler spent one step of 20
   * where the layout is decided. 1 = unshifted (models before 0.2).
   */
  timeShift: z.number().positive().default(1),
  /**
   * Multiply the patch embedding of the noisy image by (1 − t). A 768-value pixel patch embeds
   * into all 192 channels of the small model, so near t = 1 every image token is a random vector
   * and its attention to the prompt's tokens is random too. Measured (tiny, 1,500 steps at t ≈ 1,
   * 70% gradient backgrounds, `bench conditioning` gradient layout; 3.1 = exact): gate and no
   * pooled vector 0.354; gate with the pooled vector −0.002; neither 0.000; no pooled vector
   * without the gate 0.004 (ARCHITECTURE.md, the pooled shortcut). False for models before 0.2.
   */
  inputGate: z.boolean().default(false),
  /**
   * Take the classifier-free guidance scale as an input (`guidance` [B]): sinusoidal features of
   * the scale and a two-layer MLP, added to the timestep vector that drives every modulation, as
   * FLUX.1-dev's guidance embedding. Only Flash students distilled over a range of scales have it
   * (Meng et al., arXiv 2210.03142; DistillConfig.guidanceRange): such a model draws the guided
   * teacher's picture in one pass per step. Its last layer starts at zero, so a student that
   * gains it computes exactly the teacher's function until trained.
   */
  guidanceEmbedding: z.boolean().default(false),
  /**
   * Self-conditioning (Chen et al., "Analog Bits", arXiv 2208.04202; RIN, arXiv 2212.11972): the
   * model also takes its own previous estimate of the clean target (`self_cond` [B, N, P]), so a
   * sampling step refines what the step before drew instead of deciding every patch anew from the
   * noise. Training runs a first pass without gradient and gives its estimate to half the samples
   * (about 1.28× a step). Its embedding starts at zero: a model that gains it starts as it was.
   * Zeros mean "no estimate" (the first step, and every step of a caller that keeps none).
   * Measured: grown into the trained small model it stays nearly unused and changes nothing in
   * 3,000 steps (BENCHMARKS.md, session 22); off in every shipped model.
   */
  selfCondition: z.boolean().default(false),
  sizes: ModelSizes.optional(),
}).superRefine((c, ctx) => {
  // Shape rules the graphs rely on, checked wherever a config is made: presets, training JSON
  // files and the config.json of a loaded model alike.
  const headDim = c.width / c.heads;
  if (!Number.isInteger(headDim)) {
    ctx.addIssue({ code: 'custom', path: ['heads'], message: `width ${c.width} is not divisible by ${c.heads} heads` });
  } else if (c.ropeAxes.reduce((a, b) => a + b, 0) !== headDim) {
    ctx.addIssue({ code: 'custom', path: ['ropeAxes'], message: `rope axes [${c.ropeAxes}] must sum to the head dim ${headDim}` });
  }
  if (!Number.isInteger(c.text.width / c.text.heads)) {
    ctx.addIssue({ code: 'custom', path: ['text', 'heads'], message: `text width ${c.text.width} is not divisible by ${c.text.heads} heads` });
  }
  if (c.text.conditioning === 'grouped' && c.text.window % c.text.resamplerTokens !== 0) {
    ctx.addIssue({ code: 'custom', path: ['text', 'resamplerTokens'], message: `${c.text.resamplerTokens} grouped conditioning tokens must divide the text window ${c.text.window}` });
  }
});
export type ModelConfig = z.infer<typeof ModelConfig>;
export type TextEncoderConfig = z.infer<typeof TextEncoderConfig>;

/** The longest prompt the text encoder takes (the model card's context length). */
export const MAX_PROMPT_TOKENS = 32768;

function preset(c: z.input<typeof ModelConfig>): ModelConfig {
  return ModelConfig.parse(c);
}

/** Fourier position features per image token ('fourier' positions): 2 axes × 6 periods × sin, cos. */
export const POSITION_FEATURES = 24;

export const PRESETS: Record<string, ModelConfig> = {
  tiny: preset({
    name: 'tiny',
    positionEmbedding: true,
    positionFeatures: 'fourier',
    inputGate: true,
    patchSize: 8,
    width: 32,
    depth: 2,
    heads: 2,
    mlpRatio: 2,
    ropeAxes: [4, 6, 6],
    prediction: 'x',
    timeFeatures: 32,
    text: { vocabSize: 512, width: 32, depth: 1, heads: 2, mlpRatio: 2, window: 16, conditioning: 'grouped', pooling: 'none', resamplerTokens: 4, resamplerDepth: 1 },
  }),
  small: preset({
    name: 'small',
    positionEmbedding: true,
    positionFeatures: 'fourier',
    inputGate: true,
    timeShift: 3,
    patchSize: 16,
    width: 192,
    depth: 6,
    heads: 3,
    mlpRatio: 3,
    ropeAxes: [16, 24, 24],
    prediction: 'x',
    timeFeatures: 128,
    text: { vocabSize: 1024, width: 192, depth: 2, heads: 3, mlpRatio: 2, window: 64, conditioning: 'grouped', pooling: 'none', resamplerTokens: 32, resamplerDepth: 1 },
  }),
  base: preset({
    name: 'base',
    patchSize: 16,
    width: 768,
    depth: 12,
    heads: 12,
    mlpRatio: 4,
    ropeAxes: [16, 24, 24],
    prediction: 'x',
    timeFeatures: 256,
    text: { vocabSize: 32768, width: 768, depth: 6, heads: 12, mlpRatio: 4, window: 256, resamplerTokens: 128, resamplerDepth: 2 },
  }),
  // The model card's scale: ~2×10^10 non-embedding parameters. Counted by code, never allocated here.
  card20b: preset({
    name: 'card20b',
    patchSize: 16,
    width: 4096,
    depth: 27,
    heads: 32,
    mlpRatio: 4,
    ropeAxes: [32, 48, 48],
    prediction: 'x',
    timeFeatures: 256,
    text: { vocabSize: 131072, width: 4096, depth: 16, heads: 32, mlpRatio: 4, window: 1024, resamplerTokens: 512, resamplerDepth: 2 },
  }),
};

/** The timestep shift for an image of `imageTokens` tokens of this model (training and sampling). */
export function noiseShift(c: Pick<ModelConfig, 'timeShift'>, imageTokens: number): number {
  return resolutionShift(imageTokens) * c.timeShift;
}

export function headDim(c: { width: number; heads: number }): number {
  return c.width / c.heads;
}

export interface ParamCount {
  total: number;
  /** Everything but the token-embedding table (the model card counts non-embedding parameters). */
  nonEmbedding: number;
  textEncoder: number;
  denoiser: number;
}

/** Parameters per hidden width d and MLP hidden h for one pre-norm transformer sub-block pair. */
function attentionParams(d: number, dh: number, qkNorm: boolean): number {
  return 4 * (d * d + d) + (qkNorm ? 2 * dh : 0);
}
function mlpParams(d: number, h: number): number {
  return d * h + h + h * d + d;
}

export function countParams(c: ModelConfig): ParamCount {
  const t = c.text;
  const dt = t.width;
  const ht = Math.round(dt * t.mlpRatio);
  const dht = dt / t.heads;
  const layerNorm = (d: number) => 2 * d;
  const textEmbedding = t.vocabSize * dt;
  const textBlocks = t.depth * (layerNorm(dt) + attentionParams(dt, dht, true) + layerNorm(dt) + mlpParams(dt, ht));
  const resampler =
    t.conditioning === 'grouped'
      ? layerNorm(dt)
      : t.resamplerTokens * dt + t.resamplerDepth * (layerNorm(dt) * 2 + attentionParams(dt, dht, true) + layerNorm(dt) + mlpParams(dt, ht)) + layerNorm(dt);
  const pooled = t.pooling === 'tokens' ? layerNorm(dt) : 0;
  const textEncoder = textEmbedding + textBlocks + resampler + pooled;

  const d = c.width;
  const h = Math.round(d * c.mlpRatio);
  const dh = d / c.heads;
  const P = c.patchSize * c.patchSize * 3;
  const pp = c.patchSize * c.patchSize;
  const timeMlp = c.timeFeatures * d + d + d * d + d; // features → width → width
  const embeds =
    P * d + d + // patch embedding
    pp * d + // mask embedding (no bias)
    2 * d + // segment embedding: target, source
    dt * d + d + // text tokens → width
    (t.pooling === 'none' ? 0 : dt * d + d) + // pooled text → conditioning
    timeMlp + // timestep MLP
    (c.guidanceEmbedding ? timeMlp : 0); // guidance-scale MLP, the same shape
  // Each double-stream block: per stream, adaLN-Zero modulation (6 vectors), attention with QK-norm, MLP.
  const perStream = d * 6 * d + 6 * d + attentionParams(d, dh, true) + mlpParams(d, h);
  const blocks = c.depth * 2 * perStream;
  const pixelHead = c.pixelHead ? (d + P) * c.pixelHead + c.pixelHead + c.pixelHead * P + P : 0;
  const detailHead = c.detailHead ? detailHeadParams(c.detailHead, d) : 0;
  const head = d * 2 * d + 2 * d + d * P + P + pixelHead + detailHead;
  const positionEmbedding = !c.positionEmbedding ? 0 : c.positionFeatures === 'fourier' ? POSITION_FEATURES * d + d : 2 * dh * d + d;
  const denoiser = embeds + positionEmbedding + blocks + head;
  const total = textEncoder + denoiser;
  return { total, nonEmbedding: total - textEmbedding, textEncoder, denoiser };
}

/** The same model taking the guidance scale as an input (a Flash student distilled over a range of scales). */
export function withGuidanceInput(c: ModelConfig): ModelConfig {
  return { ...c, guidanceEmbedding: true };
}

/** The tensors the guidance embedding adds to a model (name → shape), as denoise() declares them. */
export function guidanceEmbeddingShapes(c: Pick<ModelConfig, 'timeFeatures' | 'width'>): Map<string, number[]> {
  const d = c.width;
  return new Map([
    ['denoiser.guidance.fc1.weight', [c.timeFeatures, d]],
    ['denoiser.guidance.fc1.bias', [d]],
    ['denoiser.guidance.fc2.weight', [d, d]],
    ['denoiser.guidance.fc2.bias', [d]],
  ]);
}

/** A model's sizes; models exported before sizes were recorded learned 8×8 patches, square. */
export function modelSizes(c: Pick<ModelConfig, 'sizes' | 'patchSize'>): ModelSizes {
  if (c.sizes) return c.sizes;
  const side = c.patchSize * 8;
  return { native: { width: side, height: side }, buckets: [{ width: side, height: side }] };
}

/**
 * The size to draw a width×height request at: the request itself up to the native area, beyond it
 * the trained bucket nearest in aspect ratio (the pipeline resizes the result to the request).
 */
export function baseSizeFor(c: Pick<ModelConfig, 'sizes' | 'patchSize'>, width: number, height: number): Size {
  const { native, buckets } = modelSizes(c);
  if (width * height <= native.width * native.height) return { width, height };
  const aspect = Math.log(width / height);
  let best = buckets[0]!;
  for (const b of buckets) if (Math.abs(Math.log(b.width / b.height) - aspect) < Math.abs(Math.log(best.width / best.height) - aspect)) best = b;
  return best;
}

/** Parameters of the detail head: the token projection, then `layers` 3×3 convolutions ending in RGB. */
export function detailHeadParams(h: { channels: number; layers: number }, width: number): number {
  const inputs = 6 + h.channels; // noisy RGB, predicted RGB, token features
  let n = width * h.channels + h.channels;
  for (let i = 0; i < h.layers; i++) {
    const cin = i === 0 ? inputs : h.channels;
    const cout = i === h.layers - 1 ? 3 : h.channels;
    n += cout * cin * 9 + cout;
  }
  return n;
}
