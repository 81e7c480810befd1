// The learned super-resolution stage of the cascade (issue 16): the base model draws at its own
// size, and this small convolutional network enlarges it ×2, ×4 or ×8 in one pass. It predicts the
// residual over a Lanczos-3 upsample of its input (ESPCN/VDSR's recipe), so with its output layers
// at zero it is exactly Lanczos, and training only has to learn the detail Lanczos cannot: crisp
// edges, flat fills, thin strokes.
//
// Layout: a trunk of 3×3 convolutions with ReLU at the low resolution, then one 3×3 head per
// factor f producing 3·f² channels that a pixel shuffle turns into the f×-sized RGB residual.
// Every activation stays at the input's size, so ×8 from 128² costs what the network costs at
// 128². Direct heads rather than chained ×2 stages, by measurement: each ×2 stage alone beat
// Lanczos by 1–1.8 dB, but two chained (128² → 512²) lost 2 dB to a single Lanczos ×4, because
// the second stage's input is the first one's slightly soft output, and the errors add up
// (BENCHMARKS.md, "Upscaler").
//
// Training and inference build the same network (upscalerBody) from ONNX Conv, whose gradient the
// engine runs as convolutions; weights are in ONNX Conv layout [out, in, 3, 3].
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HostTensor, Session, type Tensor, asFloat32, ops as o, readSafetensors, serializeGraph } from '../engine/index.ts';
import { Scope, normal, zeros } from '../nn/index.ts';
import type { RgbImage } from '../image/index.ts';
import { loadSharp } from '../image/sharp.ts';

export interface UpscalerConfig {
  /** Feature channels of the hidden convolutions. */
  channels: number;
  /** Number of 3×3 convolutions on the way to a factor's output: the trunk's layers − 1, plus its head. */
  layers: number;
}

/** The factors every upscaler has a head for. */
export const FACTORS = [2, 4, 8] as const;
export type Factor = (typeof FACTORS)[number];

/** The shipped configuration. */
export const UPSCALER_SMALL: UpscalerConfig = { channels: 32, layers: 6 };
export const UPSCALER_TINY: UpscalerConfig = { channels: 4, layers: 3 };

/** File names in a model directory. */
export const UPSCALER_WEIGHTS = 'upscaler.safetensors';
/** safetensors metadata key holding the UpscalerConfig and its training record. */
export const UPSCALER_META_KEY = 'flowpaint_upscaler';


export function checkUpscalerConfig(c: UpscalerConfig): void {
  if (!Number.isInteger(c.channels) || c.channels < 1 || c.channels > 256) throw new Error(`upscaler: channels must be an integer from 1 to 256, got ${c.channels}`);
  if (!Number.isInteger(c.layers) || c.layers < 2 || c.layers > 32) throw new Error(`upscaler: layers must be an integer from 2 to 32, got ${c.layers}`);
}

/** Parameter count: weights and biases of the trunk and every head. */
export function upscalerParams(c: UpscalerConfig): number {
  let n = 0;
  for (let i = 0; i < c.layers - 1; i++) n += c.channels * (i === 0 ? 3 : c.channels) * 9 + c.channels;
  for (const f of FACTORS) n += 3 * f * f * (c.layers > 1 ? c.channels : 3) * 9 + 3 * f * f;
  return n;
}

/** Trunk layer i's weights in ONNX Conv layout [out, in, 3, 3], He init. */
function trunkParams(s: Scope, c: UpscalerConfig, i: number): { weight: Tensor; bias: Tensor } {
  const cin = i === 0 ? 3 : c.channels;
  const l = s.child(`conv${i}`);
  return { weight: l.param('weight', [c.channels, cin, 3, 3], normal(Math.sqrt(2 / (9 * cin)))), bias: l.param('bias', [c.channels], zeros) };
}

/**
 * The ×f head. By default zero-initialised, so a fresh upscaler is exactly Lanczos; `std` > 0
 * starts it with small random weights instead, so the trunk gets a gradient from the first step
 * (with zero heads, it has none until the heads have moved).
 */
function headParams(s: Scope, c: UpscalerConfig, f: number, std = 0): { weight: Tensor; bias: Tensor } {
  const l = s.child(`head${f}`);
  return { weight: l.param('weight', [3 * f * f, c.channels, 3, 3], std > 0 ? normal(std) : zeros), bias: l.param('bias', [3 * f * f], zeros) };
}

// ---------------------------------------------------------------- the network

/** [B, 3f², h, w] → [B, 3, fh, fw]; channel k = (i·f + j)·3 + c goes to pixel (fy + i, fx + j), colour c. */
function pixelShuffle(r: Tensor, f: number): Tensor {
  const [b, , h, w] = r.shape as number[];
  const t = o.reshape(r, [b!, f, f, 3, h!, w!]);
  return o.reshape(o.transpose(t, [0, 3, 4, 1, 5, 2]), [b!, 3, h! * f, w! * f]);
}

/** The trunk on `low` [B, 3, h, w] and the heads of `factors`: each factor's residual [B, 3, fh, fw] over Lanczos. */
function upscalerBody(scope: Scope, c: UpscalerConfig, low: Tensor, factors: readonly Factor[], headInit = 0): Map<Factor, Tensor> {
  let x = low;
  for (let i = 0; i < c.layers - 1; i++) {
    const { weight, bias } = trunkParams(scope, c, i);
    x = o.relu(o.conv2d(x, weight, bias, { padding: 1 }));
  }
  const residuals = new Map<Factor, Tensor>();
  for (const f of factors) {
    const { weight, bias } = headParams(scope, c, f, headInit);
    residuals.set(f, pixelShuffle(o.conv2d(x, weight, bias, { padding: 1 }), f));
  }
  return residuals;
}

// ---------------------------------------------------------------- training graph

/**
 * The training loss per pixel: L1 (|d|), L2 (d²) or Charbonnier (√(d² + ε²), a smooth L1).
 * L1 pulls each output towards the median of its target given the features; where most pixels
 * around an edge need no change, that median is Lanczos itself, so L1 alone barely moves
 * zero-initialised heads (BENCHMARKS.md, "Upscaler", run C). L2 pulls towards the mean and
 * learns, but weighs small errors by their square, so it tolerates a faint halo of a few levels
 * on the flat side of edges (which costs SSIM, whose windows there have no variance of their own).
 * 'l2+l1' adds L1 at a small weight: below about L1_WEIGHT/2 (3 levels of 255) the L1 term
 * dominates and pulls the residual back to zero, above it L2 does.
 */
export type UpscalerLoss = 'l1' | 'l2' | 'l2+l1' | 'charbonnier';
export const UPSCALER_LOSSES: readonly UpscalerLoss[] = ['l1', 'l2', 'l2+l1', 'charbonnier'];
const CHARBONNIER_EPS = 1e-3;
const L1_WEIGHT = 0.05;

export interface UpscalerTrainingOptions {
  loss?: UpscalerLoss;
  /**
   * Input pixels on each side of a crop left out of the loss: there the convolutions see their
   * zero padding, which a whole image only has at its own border.
   */
  margin?: number;
  /** Standard deviation of the heads' initial weights (0: exactly Lanczos at the start). */
  headInit?: number;
}

export interface UpscalerTrainingGraph {
  scope: Scope;
  /** Scalar: the mean over factors of the per-pixel loss between prediction and target, in [−1, 1] units. */
  loss: Tensor;
  /** Each factor's MSE over the scored region (for logging as PSNR). */
  mse: Record<Factor, Tensor>;
  /** The same for the Lanczos upsample alone: what the network's residual has to improve on. */
  lanczosMse: Record<Factor, Tensor>;
  /** Each factor's prediction, for tests. */
  outputs: Record<Factor, Tensor>;
}

/**
 * Inputs: `low` [B, h, w, 3] and, for each factor f, `base{f}` [B, fh, fw, 3] (the Lanczos
 * upsample of `low`) and `high{f}` (the target), all in [−1, 1]. One trunk feeds every head, so
 * each crop trains all three.
 */
export function buildUpscalerTrainingGraph(c: UpscalerConfig, batch: number, h: number, w: number, opts: UpscalerTrainingOptions = {}): UpscalerTrainingGraph {
  checkUpscalerConfig(c);
  const loss = opts.loss ?? 'l1';
  const margin = opts.margin ?? 0;
  if (!UPSCALER_LOSSES.includes(loss)) throw new Error(`upscaler: loss must be one of ${UPSCALER_LOSSES.join(', ')}, got '${loss}'`);
  if (!Number.isInteger(margin) || margin < 0 || 2 * margin >= Math.min(h, w)) throw new Error(`upscaler: margin must be an integer from 0 to under half the crop (${h}×${w}), got ${margin}`);
  const scope = Scope.root();
  // The trainer's crops are channels-last; the network runs channels-first.
  const low = o.transpose(o.input('low', [batch, h, w, 3]), [0, 3, 1, 2]);
  const residuals = upscalerBody(scope, c, low, FACTORS, opts.headInit ?? 0);
  const outputs = {} as Record<Factor, Tensor>;
  const mse = {} as Record<Factor, Tensor>;
  const lanczosMse = {} as Record<Factor, Tensor>;
  const terms: Tensor[] = [];
  // The scored region: everything but `margin` input pixels (f·margin output pixels) on each side.
  const inner = (t: Tensor, f: number) => (margin ? o.slice(o.slice(t, 1, f * margin, f * (h - margin)), 2, f * margin, f * (w - margin)) : t);
  for (const f of FACTORS) {
    const base = o.input(`base${f}`, [batch, f * h, f * w, 3]);
    const high = o.input(`high${f}`, [batch, f * h, f * w, 3]);
    outputs[f] = o.add(base, o.transpose(residuals.get(f)!, [0, 2, 3, 1]));
    const diff = inner(o.sub(outputs[f], high), f);
    const sq = o.square(diff);
    const perPixel = { l1: () => o.abs(diff), l2: () => sq, 'l2+l1': () => o.add(sq, o.mul(o.abs(diff), L1_WEIGHT)), charbonnier: () => o.sqrt(o.add(sq, CHARBONNIER_EPS * CHARBONNIER_EPS)) }[loss];
    terms.push(o.mean(perPixel()));
    mse[f] = o.mean(sq);
    lanczosMse[f] = o.mean(o.square(inner(o.sub(base, high), f)));
  }
  return { scope, loss: o.div(terms.reduce((a, b) => o.add(a, b)), terms.length), mse, lanczosMse, outputs };
}

// ---------------------------------------------------------------- inference graph

/** Inference graph for ×f of one h×w image: `low` [1, 3, h, w], `base` [1, 3, fh, fw] → `high`, clamped to [−1, 1]. */
export function buildUpscalerGraph(c: UpscalerConfig, f: Factor, h: number, w: number): { scope: Scope; high: Tensor } {
  checkUpscalerConfig(c);
  const scope = Scope.root();
  const residual = upscalerBody(scope, c, o.input('low', [1, 3, h, w]), [f]).get(f)!;
  const base = o.input('base', [1, 3, f * h, f * w]);
  return { scope, high: o.clamp(o.add(base, residual), -1, 1) };
}

/** Every parameter an upscaler of this config has (trunk and all heads), with its declared shape. */
export function upscalerDeclarations(c: UpscalerConfig): Scope {
  const scope = Scope.root();
  for (let i = 0; i < c.layers - 1; i++) trunkParams(scope, c, i);
  for (const f of FACTORS) headParams(scope, c, f);
  return scope;
}

// ---------------------------------------------------------------- pixels

/** Lanczos-3 resize (sharp/libvips): the upsample the network's residual is added to, in training and inference alike. */
export async function lanczos(img: RgbImage, width: number, height: number): Promise<RgbImage> {
  if (img.width === width && img.height === height) return img;
  // Loaded here, not with the module: the pipeline loads this module for every request, and a
  // request at the model's own size never upscales.
  const sharp = await loadSharp();
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** RGB bytes (HWC) → planar [3, H, W] floats in [−1, 1]. */
export function toPlanar(img: RgbImage, out = new Float32Array(img.width * img.height * 3)): Float32Array {
  const n = img.width * img.height;
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) out[c * n + p] = img.data[p * 3 + c]! / 127.5 - 1;
  return out;
}

/** Planar [3, H, W] in [−1, 1] → RGB bytes, rounded and clamped. */
export function fromPlanar(x: Float32Array, width: number, height: number): RgbImage {
  const n = width * height;
  const data = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.max(0, Math.min(255, Math.round((x[c * n + p]! + 1) * 127.5)));
  return { width, height, data };
}

// ---------------------------------------------------------------- runner

/** Inference sessions are compiled per input size; a request touches at most a few (one per ×2 stage). */
const SESSION_CACHE = 6;

/** Runs trained upscaler weights: ×2, ×4 or ×8 in one pass. */
export class Upscaler {
  private readonly sessions = new Map<string, Promise<Session>>();

  constructor(
    readonly config: UpscalerConfig,
    private readonly weights: Map<string, HostTensor>,
    private readonly threads?: number,
  ) {
    checkUpscalerConfig(config);
    for (const [name, d] of upscalerDeclarations(config).declarations()) {
      const t = weights.get(name);
      if (!t) throw new Error(`upscaler: the weights have no tensor '${name}'`);
      if (t.shape.join() !== d.tensor.shape.join()) throw new Error(`upscaler: '${name}' is [${t.shape}] but the config needs [${d.tensor.shape}]`);
    }
  }

  private session(f: Factor, h: number, w: number): Promise<Session> {
    const key = `${f}:${w}x${h}`;
    let s = this.sessions.get(key);
    if (!s) {
      const g = buildUpscalerGraph(this.config, f, h, w);
      const bytes = serializeGraph({ outputs: { high: g.high }, paramMode: 'initializers', weights: (name) => this.weights.get(name)!.data });
      s = Session.create(bytes, { threads: this.threads });
      this.sessions.set(key, s);
      if (this.sessions.size > SESSION_CACHE) {
        const [oldKey, old] = this.sessions.entries().next().value as [string, Promise<Session>];
        this.sessions.delete(oldKey);
        void old.then((x) => x.release());
      }
    }
    return s;
  }

  /** w×h → fw×fh. */
  async upscale(img: RgbImage, f: Factor): Promise<RgbImage> {
    if (!FACTORS.includes(f)) throw new Error(`upscaler: factor must be one of ${FACTORS.join(', ')}, got ${f}`);
    const { width: w, height: h } = img;
    const base = await lanczos(img, f * w, f * h);
    const session = await this.session(f, h, w);
    const out = await session.run({ low: HostTensor.f32(toPlanar(img), [1, 3, h, w]), base: HostTensor.f32(toPlanar(base), [1, 3, f * h, f * w]) });
    return fromPlanar(out.high!.data as Float32Array, f * w, f * h);
  }

  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) await (await s).release();
  }
}

/**
 * The upscaler a model directory ships (upscaler.safetensors), or undefined when it has none.
 * The file's metadata carries the configuration its weights were trained with.
 */
export function loadUpscaler(dir: string, threads?: number): Upscaler | undefined {
  const path = join(dir, UPSCALER_WEIGHTS);
  if (!existsSync(path)) return undefined;
  const { tensors, metadata } = readSafetensors(path);
  const raw = metadata[UPSCALER_META_KEY];
  if (!raw) throw new Error(`${path}: no ${UPSCALER_META_KEY} metadata (write it with flowpaint train-upscaler)`);
  let config: UpscalerConfig;
  try {
    config = (JSON.parse(raw) as { config: UpscalerConfig }).config;
  } catch {
    throw new Error(`${path}: its ${UPSCALER_META_KEY} metadata is not JSON`);
  }
  const weights = new Map<string, HostTensor>();
  for (const [k, t] of tensors) weights.set(k, asFloat32(t));
  try {
    return new Upscaler(config, weights, threads);
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}
