// The learned ×2 super-resolution stage of the cascade (issue 16): the base model draws at its own
// size, and this small convolutional network doubles the resolution as many times as a request
// needs. It predicts the residual over a Lanczos-3 upsample of its input (ESPCN/VDSR's recipe), so
// with its last layer at zero it is exactly Lanczos, and training only has to learn the detail
// Lanczos cannot: crisp edges, flat fills, thin strokes.
//
// Layout: 3×3 convolutions with ReLU at the low resolution, the last producing 12 channels that a
// pixel shuffle turns into a 2×-sized RGB residual. Every activation stays at the input's size, so
// a ×2 stage from 512² to 1024² costs what the network costs at 512².
//
// Two graphs compute the same function. Training uses an im2col convolution built from slices,
// concats and a matmul, whose gradients the engine already has (autodiff has no Conv rule); the
// inference graph uses ONNX Conv (one fused kernel, no 9× im2col buffer). Both read the weights in
// ONNX Conv layout [out, in, 3, 3], and a test checks they agree.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { HostTensor, Session, type Tensor, asFloat32, ops as o, readSafetensors, serializeGraph } from '../engine/index.ts';
import { Scope, normal, zeros } from '../nn/index.ts';
import type { Rgb } from './layout.ts';

export interface UpscalerConfig {
  /** Feature channels of the hidden convolutions. */
  channels: number;
  /** Number of 3×3 convolutions, the first (RGB → channels) and the last (→ 12) included. */
  layers: number;
}

/** The shipped configuration (chosen by measurement; BENCHMARKS.md, "Upscaler"). */
export const UPSCALER_SMALL: UpscalerConfig = { channels: 32, layers: 6 };
export const UPSCALER_TINY: UpscalerConfig = { channels: 4, layers: 3 };

/** File names in a model directory. */
export const UPSCALER_WEIGHTS = 'upscaler.safetensors';
/** safetensors metadata key holding the UpscalerConfig and its training record. */
export const UPSCALER_META_KEY = 'flowpaint_upscaler';

const SHUFFLE = 2;
const OUT_CHANNELS = 3 * SHUFFLE * SHUFFLE;

export function checkUpscalerConfig(c: UpscalerConfig): void {
  if (!Number.isInteger(c.channels) || c.channels < 1 || c.channels > 256) throw new Error(`upscaler: channels must be an integer from 1 to 256, got ${c.channels}`);
  if (!Number.isInteger(c.layers) || c.layers < 2 || c.layers > 32) throw new Error(`upscaler: layers must be an integer from 2 to 32, got ${c.layers}`);
}

/** Parameter count: weights and biases of every convolution. */
export function upscalerParams(c: UpscalerConfig): number {
  let n = 0;
  for (let i = 0; i < c.layers; i++) {
    const { cin, cout } = layerChannels(c, i);
    n += cout * cin * 9 + cout;
  }
  return n;
}

function layerChannels(c: UpscalerConfig, i: number): { cin: number; cout: number } {
  return { cin: i === 0 ? 3 : c.channels, cout: i === c.layers - 1 ? OUT_CHANNELS : c.channels };
}

/** Declares layer i's weights in ONNX Conv layout; He init, the last layer at zero (the net starts as Lanczos). */
function layerParams(s: Scope, c: UpscalerConfig, i: number): { weight: Tensor; bias: Tensor } {
  const { cin, cout } = layerChannels(c, i);
  const last = i === c.layers - 1;
  const l = s.child(`conv${i}`);
  return { weight: l.param('weight', [cout, cin, 3, 3], last ? zeros : normal(Math.sqrt(2 / (9 * cin)))), bias: l.param('bias', [cout], zeros) };
}

// ---------------------------------------------------------------- training graph (NHWC, im2col)

/** A zero-padded 3×3 convolution of x [B, H, W, C] as slices + concat + matmul (differentiable). */
function conv3x3Im2col(x: Tensor, weight: Tensor, bias: Tensor): Tensor {
  const [b, h, w, ch] = x.shape as number[];
  const [cout] = weight.shape as number[];
  const zerosOf = (shape: number[]) => o.constant(new Float32Array(shape.reduce((p, q) => p * q, 1)), shape);
  const rowPad = zerosOf([b!, 1, w!, ch!]);
  let xp = o.concat([rowPad, x, rowPad], 1);
  const colPad = zerosOf([b!, h! + 2, 1, ch!]);
  xp = o.concat([colPad, xp, colPad], 2);
  const taps: Tensor[] = [];
  for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) taps.push(o.slice(o.slice(xp, 1, dy, dy + h!), 2, dx, dx + w!));
  const cols = o.concat(taps, 3); // [B, H, W, 9·C], tap-major
  // [out, in, ky, kx] → [ky, kx, in, out] → [9·in, out], matching the tap order above.
  const mat = o.reshape(o.transpose(weight, [2, 3, 1, 0]), [9 * ch!, cout!]);
  return o.add(o.matmul(cols, mat), bias);
}

/** [B, H, W, 12] → [B, 2H, 2W, 3]; channel k = (i·2 + j)·3 + c goes to pixel (2y + i, 2x + j), colour c. */
function pixelShuffleNhwc(r: Tensor): Tensor {
  const [b, h, w] = r.shape as number[];
  const t = o.reshape(r, [b!, h!, w!, SHUFFLE, SHUFFLE, 3]);
  return o.reshape(o.transpose(t, [0, 1, 3, 2, 4, 5]), [b!, h! * SHUFFLE, w! * SHUFFLE, 3]);
}

export interface UpscalerTrainingGraph {
  scope: Scope;
  /** Scalar L1 between the prediction and the target, in [−1, 1] units. */
  loss: Tensor;
  /** The same batch's MSE (for logging as PSNR). */
  mse: Tensor;
  /** The prediction, for tests. */
  output: Tensor;
}

/**
 * Inputs: `low` [B, h, w, 3], `base` [B, 2h, 2w, 3] (the Lanczos upsample of `low`) and `high`
 * [B, 2h, 2w, 3], all in [−1, 1]. L1 loss: the usual choice for super-resolution, sharper than MSE.
 */
export function buildUpscalerTrainingGraph(c: UpscalerConfig, batch: number, h: number, w: number): UpscalerTrainingGraph {
  checkUpscalerConfig(c);
  const scope = Scope.root();
  const low = o.input('low', [batch, h, w, 3]);
  const base = o.input('base', [batch, 2 * h, 2 * w, 3]);
  const high = o.input('high', [batch, 2 * h, 2 * w, 3]);
  let x = low;
  for (let i = 0; i < c.layers; i++) {
    const { weight, bias } = layerParams(scope, c, i);
    x = conv3x3Im2col(x, weight, bias);
    if (i < c.layers - 1) x = o.relu(x);
  }
  const output = o.add(base, pixelShuffleNhwc(x));
  const diff = o.sub(output, high);
  return { scope, loss: o.mean(o.abs(diff)), mse: o.mean(o.square(diff)), output };
}

// ---------------------------------------------------------------- inference graph (NCHW, Conv)

/** Inference graph for one image of h×w: `low` [1, 3, h, w], `base` [1, 3, 2h, 2w] → `high`, clamped to [−1, 1]. */
export function buildUpscalerGraph(c: UpscalerConfig, h: number, w: number): { scope: Scope; high: Tensor } {
  checkUpscalerConfig(c);
  const scope = Scope.root();
  let x = o.input('low', [1, 3, h, w]);
  const base = o.input('base', [1, 3, 2 * h, 2 * w]);
  for (let i = 0; i < c.layers; i++) {
    const { weight, bias } = layerParams(scope, c, i);
    x = o.conv2d(x, weight, bias, { padding: 1 });
    if (i < c.layers - 1) x = o.relu(x);
  }
  // [1, (i, j, c), h, w] → [1, c, h, i, w, j] → [1, 3, 2h, 2w]
  const t = o.reshape(x, [1, SHUFFLE, SHUFFLE, 3, h, w]);
  const residual = o.reshape(o.transpose(t, [0, 3, 4, 1, 5, 2]), [1, 3, h * SHUFFLE, w * SHUFFLE]);
  return { scope, high: o.clamp(o.add(base, residual), -1, 1) };
}

// ---------------------------------------------------------------- pixels

/** Lanczos-3 resize (sharp/libvips): the upsample the network's residual is added to, in training and inference alike. */
export async function lanczos(img: Rgb, width: number, height: number): Promise<Rgb> {
  if (img.width === width && img.height === height) return img;
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** RGB bytes (HWC) → planar [3, H, W] floats in [−1, 1]. */
export function toPlanar(img: Rgb, out = new Float32Array(img.width * img.height * 3)): Float32Array {
  const n = img.width * img.height;
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) out[c * n + p] = img.data[p * 3 + c]! / 127.5 - 1;
  return out;
}

/** Planar [3, H, W] in [−1, 1] → RGB bytes, rounded and clamped. */
export function fromPlanar(x: Float32Array, width: number, height: number): Rgb {
  const n = width * height;
  const data = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.max(0, Math.min(255, Math.round((x[c * n + p]! + 1) * 127.5)));
  return { width, height, data };
}

// ---------------------------------------------------------------- runner

/** Inference sessions are compiled per input size; a request touches at most a few (one per ×2 stage). */
const SESSION_CACHE = 6;

/** Runs trained upscaler weights: one ×2 stage at a time. */
export class Upscaler {
  private readonly sessions = new Map<string, Promise<Session>>();

  constructor(
    readonly config: UpscalerConfig,
    private readonly weights: Map<string, HostTensor>,
    private readonly threads?: number,
  ) {
    checkUpscalerConfig(config);
    const scope = buildUpscalerGraph(config, 8, 8).scope;
    for (const [name, d] of scope.declarations()) {
      const t = weights.get(name);
      if (!t) throw new Error(`upscaler: the weights have no tensor '${name}'`);
      if (t.shape.join() !== d.tensor.shape.join()) throw new Error(`upscaler: '${name}' is [${t.shape}] but the config needs [${d.tensor.shape}]`);
    }
  }

  private session(h: number, w: number): Promise<Session> {
    const key = `${w}x${h}`;
    let s = this.sessions.get(key);
    if (!s) {
      const g = buildUpscalerGraph(this.config, h, w);
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

  /** One ×2 stage: w×h → 2w×2h. */
  async x2(img: Rgb): Promise<Rgb> {
    const { width: w, height: h } = img;
    const base = await lanczos(img, 2 * w, 2 * h);
    const session = await this.session(h, w);
    const out = await session.run({ low: HostTensor.f32(toPlanar(img), [1, 3, h, w]), base: HostTensor.f32(toPlanar(base), [1, 3, 2 * h, 2 * w]) });
    return fromPlanar(out.high!.data as Float32Array, 2 * w, 2 * h);
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
