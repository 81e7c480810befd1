// A small image autoencoder, built to measure whether the denoiser should work on an autoencoder's
// latent instead of pixel patches (ARCHITECTURE.md, "Pixels in patches, not an autoencoder's
// latent"). Rejected by that measurement, so it lives here, outside the shipped model code:
// nothing in the product imports it, and `npm run bench -- autoencoder` reproduces the figures
// in BENCHMARKS.md with it.
//
// The engine has no convolution, so this is a ViT-style autoencoder: 8×8 pixel patches become
// tokens, a few transformer blocks mix them, and each token is squeezed to `channels` numbers —
// an 8×-downsampled latent of shape (H/8, W/8, channels), the layout of Stable Diffusion's (4
// channels) and SD3/FLUX's (16 channels) latents. The decoder mirrors the encoder.
//
// Attention runs inside windows of `window`×`window` tokens, so the cost is linear in pixels
// (a 1 MP image is 16,384 tokens; full attention would need a 16k×16k score matrix per head).
// Every second block shifts the windows by half a window (Swin), so information crosses window
// borders; the shift is a cyclic roll, and a mask keeps tokens that wrapped around from seeing
// each other. Graph shapes are static per image size: the windowing reshapes need the grid's
// rows and columns separately, which a single symbolic token count cannot carry.
import { HostTensor, Session, type Tensor, ops as o, serializeGraph } from '../engine/index.ts';
import type { RgbImage } from '../image/index.ts';
import { gridFor, patchify, unpatchify, type Grid } from '../model/layout.ts';
import { Scope, layerNorm, linear, mlp, ropeTables, selfAttention } from '../nn/index.ts';

export interface AutoencoderConfig {
  /** Pixels per patch side: the downsampling factor. */
  patch: number;
  /** Latent values per patch (per 8×8 pixels). */
  channels: number;
  width: number;
  heads: number;
  encoderDepth: number;
  decoderDepth: number;
  mlpRatio: number;
  /** Attention window side, in tokens. Image sides must be multiples of patch × window. */
  window: number;
}

/** The configuration the benchmark trains: 8× downsampling, 16 channels (SD3/FLUX's latent layout). */
export const AE_SMALL: AutoencoderConfig = {
  patch: 8,
  channels: 16,
  width: 128,
  heads: 4,
  encoderDepth: 3,
  decoderDepth: 3,
  mlpRatio: 4,
  window: 8,
};

/** Values per pixel patch (RGB). */
export const patchValues = (c: AutoencoderConfig): number => c.patch * c.patch * 3;

/** The latent token grid of a width×height image; throws when the sides do not fit whole windows. */
export function latentGrid(c: AutoencoderConfig, width: number, height: number): Grid {
  const unit = c.patch * c.window;
  if (width % unit !== 0 || height % unit !== 0) {
    throw new Error(`autoencoder: image ${width}×${height} is not a multiple of ${unit} px (patch ${c.patch} × window ${c.window} tokens)`);
  }
  return gridFor(width, height, c.patch);
}

/** Large negative logit between tokens that a shifted window joined only by wrapping around. */
const MASKED = -1e4;

/** What every block of one graph shares: the grid, the batch size and the window constants. */
interface Layout {
  batch: number;
  grid: Grid;
  window: number;
  rope: { cos: Tensor; sin: Tensor };
  /** [batch·windows, 1, w², w²] mask for the shifted blocks. */
  shiftedBias: Tensor;
}

function layoutFor(c: AutoencoderConfig, batch: number, grid: Grid): Layout {
  const w = c.window;
  if (grid.rows % w !== 0 || grid.cols % w !== 0) throw new Error(`autoencoder: grid ${grid.rows}×${grid.cols} tokens is not a multiple of the ${w}-token window`);
  const dh = c.width / c.heads;
  if (!Number.isInteger(dh) || dh % 4 !== 0) throw new Error(`autoencoder: head dim ${c.width}/${c.heads} must be a multiple of 4 (two rotary axes)`);
  // Rotary positions within a window (row, column): only relative positions inside a window matter.
  const rows = Float32Array.from({ length: w * w }, (_, i) => Math.floor(i / w));
  const cols = Float32Array.from({ length: w * w }, (_, i) => i % w);
  const { cos, sin } = ropeTables([rows, cols], [dh / 2, dh / 2]);
  return {
    batch,
    grid,
    window: w,
    rope: { cos: o.constant(cos, [w * w, dh]), sin: o.constant(sin, [w * w, dh]) },
    shiftedBias: shiftMask(batch, grid, w),
  };
}

/**
 * After rolling the grid up and left by half a window, the last half-window of rows (and of
 * columns) holds tokens from the opposite edge. Tokens in one window may attend to each other only
 * when they come from the same side of both wraps.
 */
function shiftMask(batch: number, grid: Grid, w: number): Tensor {
  const s = w / 2;
  const wr = grid.rows / w;
  const wc = grid.cols / w;
  const t = w * w;
  const bias = new Float32Array(batch * wr * wc * t * t);
  const region = (r: number, c: number) => (r >= grid.rows - s ? 2 : 0) + (c >= grid.cols - s ? 1 : 0);
  for (let wi = 0; wi < wr; wi++) {
    for (let wj = 0; wj < wc; wj++) {
      const base = (wi * wc + wj) * t * t;
      for (let a = 0; a < t; a++) {
        const ra = region(wi * w + Math.floor(a / w), wj * w + (a % w));
        for (let b = 0; b < t; b++) {
          if (region(wi * w + Math.floor(b / w), wj * w + (b % w)) !== ra) bias[base + a * t + b] = MASKED;
        }
      }
    }
  }
  // The same mask for every image of the batch (windows are batch-major in toWindows).
  const one = wr * wc * t * t;
  for (let i = 1; i < batch; i++) bias.copyWithin(i * one, 0, one);
  return o.constant(bias, [batch * wr * wc, 1, t, t]);
}

/** Cyclic shift along `axis` by `by` (the element at `by` moves to 0). */
function roll(x: Tensor, axis: number, by: number): Tensor {
  const n = x.shape[axis] as number;
  const k = ((by % n) + n) % n;
  return k === 0 ? x : o.concat([o.slice(x, axis, k), o.slice(x, axis, 0, k)], axis);
}

/** [B, rows·cols, D] → [B·windows, w², D], windows batch-major then row-major. */
export function toWindows(x: Tensor, batch: number, grid: Grid, w: number): Tensor {
  const d = x.shape[2] as number;
  const t = o.reshape(x, [batch, grid.rows / w, w, grid.cols / w, w, d]);
  return o.reshape(o.transpose(t, [0, 1, 3, 2, 4, 5]), [batch * (grid.rows / w) * (grid.cols / w), w * w, d]);
}

/** The inverse of toWindows. */
export function fromWindows(x: Tensor, batch: number, grid: Grid, w: number): Tensor {
  const d = x.shape[2] as number;
  const t = o.reshape(x, [batch, grid.rows / w, grid.cols / w, w, w, d]);
  return o.reshape(o.transpose(t, [0, 1, 3, 2, 4, 5]), [batch, grid.rows * grid.cols, d]);
}

function windowAttention(s: Scope, x: Tensor, c: AutoencoderConfig, l: Layout, shifted: boolean): Tensor {
  const { batch, grid, window: w } = l;
  const half = w / 2;
  let g = o.reshape(x, [batch, grid.rows, grid.cols, c.width]);
  if (shifted) g = roll(roll(g, 1, half), 2, half);
  const win = toWindows(o.reshape(g, [batch, grid.rows * grid.cols, c.width]), batch, grid, w);
  const y = selfAttention(s, win, { heads: c.heads, qkNorm: true, rope: l.rope, bias: shifted ? l.shiftedBias : undefined });
  g = o.reshape(fromWindows(y, batch, grid, w), [batch, grid.rows, grid.cols, c.width]);
  if (shifted) g = roll(roll(g, 1, -half), 2, -half);
  return o.reshape(g, [batch, grid.rows * grid.cols, c.width]);
}

function blocks(s: Scope, x: Tensor, c: AutoencoderConfig, l: Layout, depth: number): Tensor {
  let h = x;
  for (let i = 0; i < depth; i++) {
    const b = s.child('blocks').child(i);
    h = o.add(h, windowAttention(b.child('attn'), layerNorm(b.child('ln1'), h), c, l, i % 2 === 1));
    h = o.add(h, mlp(b.child('mlp'), layerNorm(b.child('ln2'), h), c.width * c.mlpRatio));
  }
  return layerNorm(s.child('ln_out'), h);
}

/** [B, N, patch²·3] pixel patches in [−1, 1] → [B, N, channels] latent. Weights under `s`. */
function encode(s: Scope, c: AutoencoderConfig, pixels: Tensor, l: Layout): Tensor {
  const h = linear(s.child('embed'), pixels, c.width);
  return linear(s.child('to_latent'), blocks(s, h, c, l, c.encoderDepth), c.channels);
}

/** [B, N, channels] latent → [B, N, patch²·3] pixel patches. Weights under `s`. */
function decode(s: Scope, c: AutoencoderConfig, latent: Tensor, l: Layout): Tensor {
  const h = linear(s.child('from_latent'), latent, c.width);
  return linear(s.child('to_pixels'), blocks(s, h, c, l, c.decoderDepth), patchValues(c));
}

export interface AutoencoderTrainingGraph {
  scope: Scope;
  /** Scalar: MSE + l1Weight · L1 between the reconstruction and the input, in [−1, 1] units. */
  loss: Tensor;
  mse: Tensor;
}

/**
 * The training graph for a fixed batch and image size: input `pixels` [batch, N, patch²·3].
 * An unregularised autoencoder (no KL term): the best reconstruction this size can reach, which is
 * the latent option's best case in the comparison.
 */
export function buildAutoencoderTrainingGraph(c: AutoencoderConfig, batch: number, width: number, height: number, l1Weight = 0.1): AutoencoderTrainingGraph {
  const grid = latentGrid(c, width, height);
  const l = layoutFor(c, batch, grid);
  const scope = Scope.root();
  const pixels = o.input('pixels', [batch, grid.rows * grid.cols, patchValues(c)]);
  const recon = decode(scope.child('decoder'), c, encode(scope.child('encoder'), c, pixels, l), l);
  const diff = o.sub(recon, pixels);
  const mse = o.mean(o.square(diff));
  const loss = l1Weight > 0 ? o.add(mse, o.mul(o.mean(o.abs(diff)), l1Weight)) : mse;
  return { scope, loss, mse };
}

/** Inference graphs for one image of width×height: `pixels` → `latent` and `latent` → `pixels`. */
export function buildAutoencoderGraphs(c: AutoencoderConfig, width: number, height: number): { scope: Scope; latent: Tensor; decoded: Tensor } {
  const grid = latentGrid(c, width, height);
  const l = layoutFor(c, 1, grid);
  const scope = Scope.root();
  const n = grid.rows * grid.cols;
  const latent = encode(scope.child('encoder'), c, o.input('pixels', [1, n, patchValues(c)]), l);
  const decoded = decode(scope.child('decoder'), c, o.input('latent', [1, n, c.channels]), l);
  return { scope, latent, decoded };
}

/** Encodes and decodes images of one size with trained weights baked into two sessions. */
export class AutoencoderRunner {
  private constructor(
    readonly config: AutoencoderConfig,
    readonly width: number,
    readonly height: number,
    private readonly encoder: Session,
    private readonly decoder: Session,
  ) {}

  static async create(c: AutoencoderConfig, weights: Map<string, HostTensor>, width: number, height: number, threads?: number): Promise<AutoencoderRunner> {
    const g = buildAutoencoderGraphs(c, width, height);
    const value = (name: string) => {
      const t = weights.get(name);
      if (!t) throw new Error(`autoencoder: no weight '${name}'`);
      return t.data;
    };
    const encoder = await Session.create(serializeGraph({ outputs: { latent: g.latent }, paramMode: 'initializers', weights: value }), { threads });
    const decoder = await Session.create(serializeGraph({ outputs: { pixels: g.decoded }, paramMode: 'initializers', weights: value }), { threads });
    return new AutoencoderRunner(c, width, height, encoder, decoder);
  }

  /** RGB bytes → latent [rows·cols·channels], tokens row-major. */
  async encode(img: RgbImage): Promise<Float32Array> {
    if (img.width !== this.width || img.height !== this.height) throw new Error(`autoencoder runner is for ${this.width}×${this.height}, got ${img.width}×${img.height}`);
    const n = (this.width / this.config.patch) * (this.height / this.config.patch);
    const out = await this.encoder.run({ pixels: HostTensor.f32(patchify(img, this.config.patch), [1, n, patchValues(this.config)]) });
    return out.latent!.data as Float32Array;
  }

  /** Latent → RGB bytes (rounded and clamped, as a saved image would be). */
  async decode(latent: Float32Array): Promise<RgbImage> {
    const n = (this.width / this.config.patch) * (this.height / this.config.patch);
    const out = await this.decoder.run({ latent: HostTensor.f32(latent, [1, n, this.config.channels]) });
    return unpatchify(out.pixels!.data as Float32Array, this.width, this.height, this.config.patch);
  }

  async release(): Promise<void> {
    await this.encoder.release();
    await this.decoder.release();
  }
}
