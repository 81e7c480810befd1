// Turns a group of same-size training samples into the training graph's inputs: patch tokens,
// flow-matching noise and targets, masks, segments, rotary tables and padded prompts.
import { HostTensor, Rng } from '../engine/index.ts';
import type { Scene } from '../data/scene.ts';
import type { TrainingSample } from '../data/stream.ts';
import { DEFAULT_T_MIN, sampleLogitNormal, shiftTimesteps } from '../flow/index.ts';
import { type ModelConfig, noiseShift } from '../model/config.ts';
import { type Segment, gridFor, layoutFeeds, maskPatches, padPrompt, patchify } from '../model/layout.ts';
import { textRope } from '../model/text-encoder.ts';
import type { Tokenizer } from '../model/tokenizer/index.ts';
import { type TokenGrid, boxTokens } from './box-tokens.ts';
import { LAYOUT_CLASSES, LAYOUT_COLORS, tokenLabels } from './layout-labels.ts';

export interface BatchOptions {
  model: ModelConfig;
  tokenizer: Tokenizer;
  maxTextTokens: number;
  timeMean: number;
  timeStd: number;
  /** Share of samples with t uniform in [HIGH_NOISE_FROM, 1) (see TrainConfig.highNoiseShare). */
  highNoiseShare?: number;
  /** Loss weight of tokens covered by an object or plate in text-to-image samples (TrainConfig.objectLossWeight). */
  objectLossWeight?: number;
  /** The x-prediction loss's clamp on t (TrainConfig.lossTMin; default DEFAULT_T_MIN): the target must match the graph's. */
  lossTMin?: number;
  /** Also give every target token its exact class and colour (TrainConfig.layoutLossWeight). */
  layoutLabels?: boolean;
  textDrop: number;
  maskFraction: number;
  /** Leave the source image out of an edit batch (image-guidance dropout): it trains as text-to-image. */
  dropImage: boolean;
}

/** Prompt → ids with a leading <bos>; the empty prompt (dropped text) is just <bos>. */
export function promptIds(tokenizer: Tokenizer, text: string, maxTokens: number): Int32Array {
  const ids = tokenizer.encode(text, { addBos: true, specialTokens: 'text' });
  return ids.length > maxTokens ? ids.subarray(0, maxTokens) : ids;
}

/** Sets `weight` on the tokens of a rows×cols grid that any object instance or plate box overlaps. */
export function weighCovered(tokens: Float32Array, scene: Scene, grid: TokenGrid, patch: number, weight: number): void {
  const boxes = [...scene.objects.flatMap((obj) => obj.instances), ...scene.texts.map((t) => t.bbox)];
  for (const box of boxes) for (const token of boxTokens(box, grid, patch, 'overlap')) tokens[token] = weight;
}

/** Share of samples trained with their self-conditioning estimate (ModelConfig.selfCondition), as in Analog Bits. */
export const SELF_COND_SHARE = 0.5;

/** Lower edge of the high-noise band (TrainConfig.highNoiseShare). */
export const HIGH_NOISE_FROM = 0.9;

export function makeBatch(samples: TrainingSample[], rng: Rng, o: BatchOptions): Record<string, HostTensor> {
  const m = o.model;
  const B = samples.length;
  const first = samples[0]!;
  const size = first.kind === 't2i' ? first.image : first.target;
  const grid = gridFor(size.width, size.height, m.patchSize);
  const n1 = grid.rows * grid.cols;
  const withSource = first.kind === 'edit' && !o.dropImage;
  for (const s of samples) {
    const img = s.kind === 't2i' ? s.image : s.target;
    if (img.width !== size.width || img.height !== size.height || s.kind !== first.kind) {
      throw new Error('makeBatch: samples in a batch must share kind and size');
    }
  }
  const segments: Segment[] = withSource ? [{ grid, segment: 0 }, { grid, segment: 1 }] : [{ grid, segment: 0 }];
  const N = withSource ? 2 * n1 : n1;
  const P = m.patchSize * m.patchSize * 3;
  const pp = m.patchSize * m.patchSize;

  const drawn = sampleLogitNormal(rng, B, { mean: o.timeMean, std: o.timeStd });
  if (o.highNoiseShare) {
    for (let b = 0; b < B; b++) if (rng.uniform() < o.highNoiseShare) drawn[b] = HIGH_NOISE_FROM + (1 - HIGH_NOISE_FROM) * rng.uniform();
  }
  const ts = shiftTimesteps(drawn, noiseShift(m, n1));
  const image = new Float32Array(B * N * P);
  const velocity = new Float32Array(B * N * P);
  const mask = new Float32Array(B * N * pp);
  const lossMask = new Float32Array(B * N);
  const prompts: Int32Array[] = [];
  const x0 = new Float32Array(n1 * P);
  const layout = o.layoutLabels
    ? { classes: new Float32Array(B * N * LAYOUT_CLASSES), colors: new Float32Array(B * N * LAYOUT_COLORS), mask: new Float32Array(B * N) }
    : undefined;
  for (let b = 0; b < B; b++) {
    const s = samples[b]!;
    patchify(s.kind === 't2i' ? s.image : s.target, m.patchSize, x0);
    const t = ts[b]!;
    const base = b * N * P;
    // The target is the velocity the graph derives from a perfect prediction: ε − x0 for
    // v-prediction; for x-prediction (x_t − x0)/max(t, lossTMin), which is ε − x0 except
    // below lossTMin, where the loss's clamped division would otherwise make x0 itself a
    // wrong answer.
    const xPrediction = m.prediction === 'x';
    const invT = 1 / Math.max(t, o.lossTMin ?? DEFAULT_T_MIN);
    for (let i = 0; i < n1 * P; i++) {
      const eps = rng.normal();
      const xt = (1 - t) * x0[i]! + t * eps;
      image[base + i] = xt;
      velocity[base + i] = xPrediction ? (xt - x0[i]!) * invT : eps - x0[i]!;
    }
    lossMask.fill(1, b * N, b * N + n1);
    if (s.kind === 't2i' && o.objectLossWeight && o.objectLossWeight !== 1) weighCovered(lossMask.subarray(b * N, b * N + n1), s.scene, grid, m.patchSize, o.objectLossWeight);
    if (layout) {
      const labels = tokenLabels(s.kind === 't2i' ? s.scene : s.targetScene, grid, m.patchSize);
      for (let i = 0; i < n1; i++) {
        const token = b * N + i;
        layout.classes[token * LAYOUT_CLASSES + labels.classes[i]!] = 1;
        layout.colors[token * LAYOUT_COLORS + labels.colors[i]!] = 1;
      }
      layout.mask.fill(1, b * N, b * N + n1);
    }
    if (s.kind === 'edit' && withSource) {
      image.set(patchify(s.source, m.patchSize), base + n1 * P);
      if (rng.uniform() < o.maskFraction) {
        const mp = maskPatches(s.mask, m.patchSize);
        mask.set(mp, b * N * pp);
        mask.set(mp, b * N * pp + n1 * pp);
      }
    }
    const caption = s.kind === 't2i' ? s.caption : s.instruction;
    prompts.push(promptIds(o.tokenizer, rng.uniform() < o.textDrop ? '' : caption, o.maxTextTokens));
  }

  const w = m.text.window;
  const L = Math.max(w, Math.ceil(Math.max(...prompts.map((p) => p.length)) / w) * w);
  const ids = new BigInt64Array(B * L);
  const keep = new Float32Array(B * L);
  prompts.forEach((p, b) => {
    const padded = padPrompt(p, w, o.tokenizer.padId, L);
    ids.set(padded.ids, b * L);
    keep.set(padded.keep, b * L);
  });
  const tr = textRope(m.text);
  const dht = m.text.width / m.text.heads;
  // Drawn last, and only for such models, so every other model's batches stay as they were.
  const selfCondKeep = m.selfCondition ? Float32Array.from({ length: B }, () => (rng.uniform() < SELF_COND_SHARE ? 1 : 0)) : undefined;
  return {
    image: HostTensor.f32(image, [B, N, P]),
    velocity: HostTensor.f32(velocity, [B, N, P]),
    mask: HostTensor.f32(mask, [B, N, pp]),
    loss_mask: HostTensor.f32(lossMask, [B, N]),
    ...layoutFeeds(m, segments),
    t: HostTensor.f32(ts, [B]),
    text_ids: new HostTensor('int64', [B, L], ids),
    text_keep: HostTensor.f32(keep, [B, L]),
    text_rope_cos: HostTensor.f32(tr.cos, [w, dht]),
    text_rope_sin: HostTensor.f32(tr.sin, [w, dht]),
    ...(layout
      ? {
          layout_class: HostTensor.f32(layout.classes, [B, N, LAYOUT_CLASSES]),
          layout_color: HostTensor.f32(layout.colors, [B, N, LAYOUT_COLORS]),
          layout_mask: HostTensor.f32(layout.mask, [B, N]),
        }
      : {}),
    ...(selfCondKeep ? { self_cond_keep: HostTensor.f32(selfCondKeep, [B]) } : {}),
  };
}
