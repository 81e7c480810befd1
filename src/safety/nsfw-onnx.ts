// The output filter's classifier, nsfwjs's MobileNetV2, run on ONNX Runtime. nsfwjs ships the
// network as a Keras layers model (JSON topology, uint8-quantized weights as base64 in a JS file)
// for TensorFlow.js; loading TensorFlow.js, its WebAssembly backend and the model cost a process
// about 1 s of CPU before the first image, and each 224² image took ~100 ms on the wasm backend.
// Here the same layers and the same weights become an ONNX graph built with the engine (batch
// normalisation folded into the convolutions before it), which ONNX Runtime — already loaded for
// the model — runs in a few milliseconds. The graph is cached (engine/graph-cache.ts) under a key
// of nsfwjs's model files and this code, with ONNX Runtime's optimised copy of it beside it
// (engine/optimized-session.ts), so a start reads that instead of converting and optimising.
//
// The input is prepared as nsfwjs does it: pixel values divided by 255, then resized to 224×224
// with TensorFlow's bilinear resize with aligned corners. The probabilities agree with nsfwjs on
// TensorFlow.js to within float rounding (image-filter.test.ts holds the two together).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HostTensor, type RuntimeOptions, Session, type Tensor, ops as o, serializeGraph } from '../engine/index.ts';
import { type GraphCacheOptions, fileDigest, sourceDigest } from '../engine/graph-cache.ts';
import { optimizedSession } from '../engine/optimized-session.ts';
import type { RgbImage } from '../image/index.ts';

export const NSFW_SIZE = 224;
/** nsfwjs's class order (its NSFW_CLASSES). */
export const NSFW_CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const;

interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: Array<Array<[string, number, number, unknown]>>;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { min: number; scale: number; dtype: string };
}

interface KerasModelJson {
  modelTopology: { model_config: { config: { layers: KerasLayer[]; output_layers: Array<[string, number, number]> } } };
  weightsManifest: Array<{ paths: string[]; weights: WeightSpec[] }>;
}

/** The files of nsfwjs's bundled MobileNetV2: topology and the one weight shard. */
function modelFiles(): { json: string; shard: string } {
  // nsfwjs exports neither its package.json nor the model files: find them beside its entry point.
  let pkg = dirname(createRequire(import.meta.url).resolve('nsfwjs'));
  while (!existsSync(join(pkg, 'dist', 'models'))) {
    if (dirname(pkg) === pkg) throw new Error('nsfwjs: its bundled models were not found');
    pkg = dirname(pkg);
  }
  const dir = join(pkg, 'dist', 'models', 'mobilenet_v2');
  return { json: join(dir, 'model.min.js'), shard: join(dir, 'group1-shard1of1.min.js') };
}

/** Each weight as float32, dequantized as TensorFlow.js does (min + q·scale). */
function readWeights(specs: WeightSpec[], data: Uint8Array): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  let at = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (s.dtype !== 'float32') throw new Error(`nsfwjs weights: ${s.name} is ${s.dtype}; only float32 weights are read`);
    const values = new Float32Array(n);
    if (s.quantization) {
      if (s.quantization.dtype !== 'uint8') throw new Error(`nsfwjs weights: ${s.name} is quantized as ${s.quantization.dtype}; only uint8 is read`);
      const { min, scale } = s.quantization;
      for (let i = 0; i < n; i++) values[i] = min + data[at + i]! * scale;
      at += n;
    } else {
      values.set(new Float32Array(data.slice(at, at + 4 * n).buffer));
      at += 4 * n;
    }
    out.set(s.name, { shape: s.shape, data: values });
  }
  if (at !== data.length) throw new Error(`nsfwjs weights: the manifest covers ${at} bytes of ${data.length}`);
  return out;
}

/** Keras [kh, kw, in, out] kernel → ONNX [out, in, kh, kw]; depthwise [kh, kw, in, m] → [in·m, 1, kh, kw]. */
function convKernel(k: { shape: number[]; data: Float32Array }, depthwise: boolean): { shape: number[]; data: Float32Array } {
  const [kh, kw, ci, co] = k.shape as [number, number, number, number];
  const out = new Float32Array(k.data.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < ci; i++) {
        for (let c = 0; c < co; c++) {
          const v = k.data[((y * kw + x) * ci + i) * co + c]!;
          // Depthwise output channel i·m + c reads input channel i alone.
          out[depthwise ? ((i * co + c) * kh + y) * kw + x : ((c * ci + i) * kh + y) * kw + x] = v;
        }
      }
    }
  }
  return { shape: depthwise ? [ci * co, 1, kh, kw] : [co, ci, kh, kw], data: out };
}

/**
 * The Keras model as an engine graph: input `image` [1, 3, 224, 224] (NCHW, values 0–1), output
 * `probs` [1, 5]. Supports the layer kinds of nsfwjs's MobileNetV2 and refuses any other.
 */
export function buildNsfwGraph(model: KerasModelJson, shard: Uint8Array): { image: Tensor; probs: Tensor } {
  const specs = model.weightsManifest.flatMap((g) => g.weights);
  const weights = readWeights(specs, shard);
  const w = (name: string) => {
    const t = weights.get(name);
    if (!t) throw new Error(`nsfwjs weights: no tensor ${name}`);
    return t;
  };
  const layers = model.modelTopology.model_config.config.layers;
  const consumers = new Map<string, number>();
  for (const l of layers) for (const n of l.inbound_nodes.flat()) consumers.set(n[0], (consumers.get(n[0]) ?? 0) + 1);
  const out = new Map<string, Tensor>();
  const image = o.input('image', [1, 3, NSFW_SIZE, NSFW_SIZE]);
  const inputsOf = (l: KerasLayer) => l.inbound_nodes.flat().map((n) => {
    const t = out.get(n[0]);
    if (!t) throw new Error(`nsfwjs model: layer ${l.name} reads ${n[0]}, which is not built yet`);
    return t;
  });
  for (const l of layers) {
    const c = l.config;
    const [x] = l.class_name === 'InputLayer' ? [image] : inputsOf(l);
    let y: Tensor;
    switch (l.class_name) {
      case 'InputLayer':
        y = image;
        break;
      case 'ZeroPadding2D': {
        const [[t, b], [left, r]] = c.padding as [[number, number], [number, number]];
        y = o.pad(x!, [[0, 0], [0, 0], [t, b], [left, r]]);
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const depthwise = l.class_name === 'DepthwiseConv2D';
        const [kh, kw] = c.kernel_size as [number, number];
        const [stride] = c.strides as [number, number];
        if (kh !== kw || (c.strides as number[])[1] !== stride || c.activation !== 'linear' || c.use_bias) {
          throw new Error(`nsfwjs model: ${l.name} has a configuration this converter does not read`);
        }
        // 'same' at stride 1 with an odd kernel pads (k − 1) / 2 on every side; stride-2 layers come after explicit padding.
        if (c.padding === 'same' && stride !== 1) throw new Error(`nsfwjs model: ${l.name} is 'same' at stride ${stride}`);
        const padding = c.padding === 'same' ? (kh - 1) / 2 : 0;
        const k = convKernel(w(`${l.name}/${depthwise ? 'depthwise_kernel' : 'kernel'}`), depthwise);
        // Batch normalisation right after, and the only reader: folded into this kernel and a bias.
        const next = layers.find((n) => n.class_name === 'BatchNormalization' && n.inbound_nodes.flat().some((i) => i[0] === l.name));
        if (!next || consumers.get(l.name) !== 1) throw new Error(`nsfwjs model: ${l.name} is not followed by its own batch normalisation`);
        const eps = next.config.epsilon as number;
        const gamma = w(`${next.name}/gamma`).data;
        const beta = w(`${next.name}/beta`).data;
        const mean = w(`${next.name}/moving_mean`).data;
        const variance = w(`${next.name}/moving_variance`).data;
        const outC = k.shape[0]!;
        const per = k.data.length / outC;
        const bias = new Float32Array(outC);
        for (let ch = 0; ch < outC; ch++) {
          const s = gamma[ch]! / Math.sqrt(variance[ch]! + eps);
          for (let i = 0; i < per; i++) k.data[ch * per + i] = k.data[ch * per + i]! * s;
          bias[ch] = beta[ch]! - mean[ch]! * s;
        }
        const inC = x!.shape[1] as number;
        y = o.conv2d(x!, o.constant(k.data, k.shape), o.constant(bias, [outC]), { stride, padding, groups: depthwise ? inC : 1 });
        out.set(next.name, y);
        break;
      }
      case 'BatchNormalization':
        // Folded into the convolution before it (which set this name).
        if (!out.has(l.name)) throw new Error(`nsfwjs model: ${l.name} does not follow a convolution`);
        continue;
      case 'ReLU':
        if (c.negative_slope !== 0 || c.threshold !== 0) throw new Error(`nsfwjs model: ${l.name} is not a plain ReLU`);
        y = c.max_value === null || c.max_value === undefined ? o.relu(x!) : o.clamp(x!, 0, c.max_value as number);
        break;
      case 'Add':
        y = inputsOf(l).reduce((a, b) => o.add(a, b));
        break;
      case 'AveragePooling2D': {
        const [ph, pw] = c.pool_size as [number, number];
        if (x!.shape[2] !== ph || x!.shape[3] !== pw) throw new Error(`nsfwjs model: ${l.name} is not a global average`);
        y = o.mean(x!, [2, 3]);
        break;
      }
      case 'Flatten':
        if (x!.rank !== 2) throw new Error(`nsfwjs model: ${l.name} flattens a rank-${x!.rank} tensor`);
        y = x!;
        break;
      case 'Dropout':
        y = x!;
        break;
      case 'Dense': {
        const k = w(`${l.name}/kernel`);
        let d = o.add(o.matmul(x!, o.constant(k.data, k.shape)), o.constant(w(`${l.name}/bias`).data, [k.shape[1]!]));
        if (c.activation === 'relu') d = o.relu(d);
        else if (c.activation === 'softmax') d = o.softmax(d, -1);
        else if (c.activation !== 'linear') throw new Error(`nsfwjs model: ${l.name} has activation ${String(c.activation)}`);
        y = d;
        break;
      }
      default:
        throw new Error(`nsfwjs model: layer kind ${l.class_name} (${l.name}) is not supported`);
    }
    out.set(l.name, y);
  }
  const outName = model.modelTopology.model_config.config.output_layers[0]![0];
  const probs = out.get(outName);
  if (!probs) throw new Error(`nsfwjs model: no output ${outName}`);
  return { image, probs };
}

/** Where nsfwjs's MobileNetV2 graph is cached: its slot and key (nsfwjs's model files and this code). */
function nsfwGraphSpec(root?: string): GraphCacheOptions {
  const files = modelFiles();
  const here = dirname(fileURLToPath(import.meta.url));
  const key = { graph: 'nsfwjs-mobilenet-v2', json: fileDigest(files.json), shard: fileDigest(files.shard), code: sourceDigest([join(here, '..', 'engine')]), converter: fileDigest(fileURLToPath(import.meta.url)) };
  return { slot: 'nsfwjs-mobilenet-v2', key, root };
}

/** nsfwjs's MobileNetV2 converted to a serialised ONNX graph (what the cache holds). */
function convertNsfwGraph(): Uint8Array {
  const files = modelFiles();
  // The files are browserify bundles exporting the model JSON and the weights as base64.
  const load = createRequire(import.meta.url);
  const json = load(files.json) as KerasModelJson;
  const shard = Buffer.from(load(files.shard) as string, 'base64');
  const g = buildNsfwGraph(json, new Uint8Array(shard.buffer, shard.byteOffset, shard.byteLength));
  return serializeGraph({ outputs: { probs: g.probs }, inputs: [g.image], paramMode: 'inputs' }).bytes;
}

/**
 * An RGB image as the network's input [1, 3, 224, 224]: values / 255, resized with TensorFlow's
 * bilinear resize with aligned corners (tf.image.resizeBilinear(x, [224, 224], true)), which
 * nsfwjs applies to any image that is not 224×224 already.
 */
export function nsfwInput(image: RgbImage): Float32Array {
  const { width: W, height: H, data } = image;
  const S = NSFW_SIZE;
  const out = new Float32Array(3 * S * S);
  const scale = (from: number) => (from > 1 ? (from - 1) / (S - 1) : 0);
  const sy = H === S ? 1 : scale(H);
  const sx = W === S ? 1 : scale(W);
  // The columns' sources and weights are the same on every row: worked out once.
  const x0s = new Int32Array(S);
  const x1s = new Int32Array(S);
  const dxs = new Float64Array(S);
  for (let x = 0; x < S; x++) {
    const fx = x * sx;
    x0s[x] = Math.floor(fx);
    x1s[x] = Math.min(W - 1, Math.ceil(fx));
    dxs[x] = fx - x0s[x]!;
  }
  for (let y = 0; y < S; y++) {
    const fy = y * sy;
    const y0 = Math.floor(fy);
    const y1 = Math.min(H - 1, Math.ceil(fy));
    const dy = fy - y0;
    const top0 = y0 * W * 3;
    const bottom0 = y1 * W * 3;
    for (let x = 0; x < S; x++) {
      const l = x0s[x]! * 3;
      const r = x1s[x]! * 3;
      const dx = dxs[x]!;
      for (let ch = 0; ch < 3; ch++) {
        const tl = UNIT[data[top0 + l + ch]!]!;
        const tr = UNIT[data[top0 + r + ch]!]!;
        const bl = UNIT[data[bottom0 + l + ch]!]!;
        const br = UNIT[data[bottom0 + r + ch]!]!;
        const top = tl + (tr - tl) * dx;
        const bottom = bl + (br - bl) * dx;
        out[(ch * S + y) * S + x] = top + (bottom - top) * dy;
      }
    }
  }
  return out;
}

/** byte / 255 for every byte (the same doubles the division gives). */
const UNIT = Float64Array.from({ length: 256 }, (_, v) => v / 255);

/** nsfwjs's MobileNetV2 on ONNX Runtime: class probabilities for one image. */
export class NsfwOnnx {
  private constructor(private readonly session: Session) {}

  static async open(runtime: RuntimeOptions = {}): Promise<NsfwOnnx> {
    return new NsfwOnnx((await optimizedSession(nsfwGraphSpec(), convertNsfwGraph, runtime)).session);
  }

  async classify(image: RgbImage): Promise<Record<string, number>> {
    const { probs } = await this.session.run({ image: HostTensor.f32(nsfwInput(image), [1, 3, NSFW_SIZE, NSFW_SIZE]) });
    const p = probs!.f32();
    return Object.fromEntries(NSFW_CLASSES.map((name, i) => [name, p[i]!]));
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
