// Training pairs for the upscaler (src/model/upscaler.ts). The scene renderer draws vector art at
// any size, so a scene rendered at 8w×8h and averaged over 2×2 blocks three times gives exact
// targets for ×8, ×4 and ×2 and the w×h input: what an antialiased renderer draws at each size,
// pixel-aligned with one another.
// (Rendering the same scene at w×h instead is not: boxes snap to whole pixels at each size, and the
// two renders differ by 24–27 dB, which a model would learn as blur.)
//
// A share of the low images is degraded the way photos and generated images are — another
// downsampling kernel, Gaussian blur, sensor noise, JPEG — so the upscaler serves users' pictures
// and the base model's slightly soft output too, not only perfect renders. Another share is the
// scene rendered at the low size itself ("snapped"): what the base model learned to draw, whose
// edges sit up to half a low pixel off the exact targets; trained only on exact pairs the
// upscaler sharpens those misplaced edges and loses ~1 dB to Lanczos on them (BENCHMARKS.md).
import sharp, { type Sharp } from 'sharp';
import { layoutScene, renderScene, specForSeed } from '../data/index.ts';
import { Rng } from '../engine/index.ts';
import { FACTORS, type Factor, lanczos } from '../model/upscaler.ts';
import type { RgbImage } from '../image/index.ts';

/** Exact 2× downsample: each output pixel is the mean of a 2×2 block (rounded). */
export function boxDownsample2(img: RgbImage): RgbImage {
  if (img.width % 2 || img.height % 2) throw new Error(`boxDownsample2: ${img.width}×${img.height} has an odd side`);
  const w = img.width / 2;
  const h = img.height / 2;
  const data = new Uint8Array(w * h * 3);
  const src = img.data;
  const stride = img.width * 3;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (2 * y) * stride + 2 * x * 3;
      for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = (src[i + c]! + src[i + 3 + c]! + src[i + stride + c]! + src[i + stride + 3 + c]! + 2) >> 2;
    }
  }
  return { width: w, height: h, data };
}

async function viaSharp(img: RgbImage, f: (s: Sharp) => Sharp): Promise<RgbImage> {
  return decoded(f(sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })));
}

async function decoded(s: Sharp): Promise<RgbImage> {
  const { data, info } = await s
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export interface Degradation {
  /** 'box' is the exact pair; the others are what other software downsamples with. */
  kernel: 'box' | 'cubic' | 'lanczos3';
  /** Gaussian blur sigma in low-resolution pixels (0 = none; sharp needs ≥ 0.3). */
  blur: number;
  /** Gaussian noise std in 0–255 units (0 = none). */
  noise: number;
  /** JPEG quality (0 = no JPEG round trip). */
  jpeg: number;
}

export const CLEAN: Degradation = { kernel: 'box', blur: 0, noise: 0, jpeg: 0 };

/** A random degradation: `share` of the samples get at least one of blur, noise or JPEG. */
export function sampleDegradation(rng: Rng, share: number): Degradation {
  const kernel = rng.uniform() < 0.7 ? 'box' : rng.uniform() < 0.5 ? 'cubic' : 'lanczos3';
  if (rng.uniform() >= share) return { ...CLEAN, kernel };
  const d: Degradation = { kernel, blur: 0, noise: 0, jpeg: 0 };
  // Each kind on its own half the time; at least one is always applied.
  while (d.blur === 0 && d.noise === 0 && d.jpeg === 0) {
    if (rng.uniform() < 0.5) d.blur = 0.3 + rng.uniform() * 0.9;
    if (rng.uniform() < 0.5) d.noise = 1 + rng.uniform() * 7;
    if (rng.uniform() < 0.5) d.jpeg = 40 + rng.int(56);
  }
  return d;
}

/** The low-resolution input for `high` (`factor`× its size, a power of two) under a degradation. */
export async function degradeDown(high: RgbImage, factor: number, d: Degradation, rng: Rng): Promise<RgbImage> {
  const w = high.width / factor;
  const h = high.height / factor;
  let low = high;
  if (d.kernel === 'box') while (low.width > w) low = boxDownsample2(low);
  else low = await viaSharp(high, (s) => s.resize(w, h, { fit: 'fill', kernel: d.kernel as 'cubic' | 'lanczos3' }));
  if (d.blur > 0) low = await viaSharp(low, (s) => s.blur(d.blur));
  if (d.noise > 0) {
    const data = low.data.slice();
    for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(data[i]! + d.noise * rng.normal())));
    low = { ...low, data };
  }
  if (d.jpeg > 0) {
    const jpeg = await sharp(low.data, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: d.jpeg }).toBuffer();
    low = await decoded(sharp(jpeg));
  }
  return low;
}

/** One rendered scene, its input and per-factor targets, kept whole so crops of it can be drawn many times. */
export interface ScenePair {
  low: RgbImage;
  /** Per factor: the exact render at f× `low`'s size, and the Lanczos upsample of `low` to it (what the residual is added to). */
  levels: Record<Factor, { high: RgbImage; base: RgbImage }>;
}

/**
 * A scene rendered at `high` (sides multiples of 16 and of 8·the input's) with targets for every
 * factor. `snapped`: the input is the scene rendered at the low size instead of the high render
 * downsampled (the degradation is then not applied).
 */
export async function makeScenePair(seed: number, high: { width: number; height: number }, d: Degradation, rng: Rng, split: 'train' | 'heldout' = 'train', snapped = false): Promise<ScenePair> {
  const top = Math.max(...FACTORS);
  const lowSize = { width: high.width / top, height: high.height / top };
  // A snapped pair's spec is made for the low size, so its lettering fits the smaller render too.
  // Layout and render directly: composeScene's size check refuses sides under 64 px, as the low side is.
  const spec = specForSeed(seed, split, { size: snapped ? lowSize : high });
  const img = renderScene(layoutScene(spec, high.width, high.height)).image;
  const low = snapped ? renderScene(layoutScene(spec, lowSize.width, lowSize.height)).image : await degradeDown(img, top, d, rng);
  const levels = {} as ScenePair['levels'];
  let target = img;
  for (let f = top; f >= 2; f /= 2) {
    levels[f as Factor] = { high: target, base: await lanczos(low, low.width * f, low.height * f) };
    target = boxDownsample2(target);
  }
  return { low, levels };
}

export interface PairBatch {
  /** [B, h, w, 3] in [−1, 1], HWC per sample. */
  low: Float32Array;
  /** Per factor f: [B, fh, fw, 3] each. */
  base: Record<Factor, Float32Array>;
  high: Record<Factor, Float32Array>;
}

export interface PairPoolOptions {
  seed: number;
  /** Scenes kept at once; crops are drawn from all of them. */
  size: number;
  /** One scene is replaced every this many batches (a fresh render costs more than a training step). */
  refreshEvery: number;
  /** Share of degraded low images. */
  degradeShare: number;
  /** Share of low images rendered at the low size (snapped, as the base model draws) instead of downsampled. */
  snappedShare: number;
  /** Sides of the rendered ×8 targets, in px (rounded to multiples of 16). */
  minSide: number;
  maxSide: number;
}

export const DEFAULT_POOL: Omit<PairPoolOptions, 'seed'> = { size: 24, refreshEvery: 3, degradeShare: 0.4, snappedShare: 0, minSide: 256, maxSide: 1024 };

/**
 * A pool of rendered scene pairs that yields batches of aligned crops. Deterministic for a seed and
 * position: scene k of the stream is always the same render and degradation, so a resumed run
 * (which seeks to its position) sees the scenes it would have.
 */
export class PairPool {
  private readonly scenes: ScenePair[] = [];
  private next = 0;
  private batches = 0;

  private constructor(private readonly opts: PairPoolOptions) {}

  static async create(opts: PairPoolOptions, position = 0): Promise<PairPool> {
    const pool = new PairPool(opts);
    pool.next = Math.max(0, position - opts.size);
    while (pool.scenes.length < opts.size) pool.scenes.push(await pool.render(pool.next++));
    return pool;
  }

  /** How many scenes the stream has rendered (saved in checkpoints). */
  get position(): number {
    return this.next;
  }

  private async render(k: number): Promise<ScenePair> {
    const rng = new Rng(this.opts.seed * 1_000_003 + k);
    // Multiples of 64, so the ×8 input has sides that are multiples of 8 and the scene a valid size.
    const side = () => 64 * Math.round((this.opts.minSide + rng.uniform() * (this.opts.maxSide - this.opts.minSide)) / 64);
    let width = side();
    let height = side();
    // Keep the aspect within 2.5 (as the model's buckets are).
    if (width / height > 2.5) width = 64 * Math.floor((height * 2.5) / 64);
    if (height / width > 2.5) height = 64 * Math.floor((width * 2.5) / 64);
    const seed = rng.nextU32();
    const degradation = sampleDegradation(rng, this.opts.degradeShare);
    // Drawn only when asked for, so a run without snapped inputs sees the stream it always did.
    const snapped = this.opts.snappedShare > 0 && rng.uniform() < this.opts.snappedShare;
    return makeScenePair(seed, { width, height }, degradation, rng, 'train', snapped);
  }

  /** A batch of `batch` crops of h×w input pixels (and f·h×f·w targets), mostly where the image has edges. */
  async batch(batch: number, h: number, w: number, rng: Rng, out?: PairBatch): Promise<PairBatch> {
    if (++this.batches % this.opts.refreshEvery === 0) this.scenes[this.next % this.opts.size] = await this.render(this.next++);
    const per = (f: number) => new Float32Array(batch * f * f * h * w * 3);
    const b = out ?? { low: per(1), base: { 2: per(2), 4: per(4), 8: per(8) }, high: { 2: per(2), 4: per(4), 8: per(8) } };
    for (let i = 0; i < batch; i++) {
      const s = this.scenes[rng.int(this.scenes.length)]!;
      const pick = () => ({ y: rng.int(s.low.height - h + 1), x: rng.int(s.low.width - w + 1) });
      // Flat background is most of every scene and costs the model nothing to learn; of three
      // candidate crops keep the busiest, so steps are spent on edges, text and sprites.
      let best = pick();
      let bestScore = busy(s.low, best.x, best.y, w, h);
      for (let k = 0; k < 2; k++) {
        const c = pick();
        const score = busy(s.low, c.x, c.y, w, h);
        if (score > bestScore) [best, bestScore] = [c, score];
      }
      copyCrop(s.low, best.x, best.y, w, h, b.low, i * h * w * 3);
      for (const f of FACTORS) {
        copyCrop(s.levels[f].base, f * best.x, f * best.y, f * w, f * h, b.base[f], i * f * f * h * w * 3);
        copyCrop(s.levels[f].high, f * best.x, f * best.y, f * w, f * h, b.high[f], i * f * f * h * w * 3);
      }
    }
    return b;
  }
}

/** Sum of absolute horizontal differences in a crop (a cheap edge measure). */
function busy(img: RgbImage, x0: number, y0: number, w: number, h: number): number {
  let s = 0;
  for (let y = y0; y < y0 + h; y += 2) {
    const row = y * img.width * 3;
    for (let x = x0 + 1; x < x0 + w; x++) s += Math.abs(img.data[row + x * 3]! - img.data[row + (x - 1) * 3]!);
  }
  return s;
}

function copyCrop(img: RgbImage, x0: number, y0: number, w: number, h: number, out: Float32Array, at: number): void {
  for (let y = 0; y < h; y++) {
    const src = ((y0 + y) * img.width + x0) * 3;
    for (let k = 0; k < w * 3; k++) out[at + y * w * 3 + k] = img.data[src + k]! / 127.5 - 1;
  }
}
