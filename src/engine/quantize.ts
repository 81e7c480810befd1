// Quantized linear layers for inference graphs. A rewrite pass over a built graph: every
// `MatMul(x, W)` whose W is a rank-2 float32 parameter becomes a quantized matmul with W baked in
// as integer constants, so any model the engine runs (ours, or a loaded checkpoint) can be run
// quantized without its builders knowing. Training graphs (params fed as inputs) are never touched.
//
// - int8: W per output column, symmetric 7-bit (scale = max|w|/63, no zero point); activations
//   quantized to uint8 per tensor when the graph runs. One com.microsoft.DynamicQuantizeMatMul
//   node, which ONNX Runtime runs on the CPU's int8 dot-product instructions (AVX-512 VNNI /
//   AVX-VNNI / NEON). Why 7 bits: on AVX2 without VNNI the kernel multiplies uint8 × int8 pairs
//   and adds each pair into an int16 (vpmaddubsw), which saturates above 32,767; full-range int8
//   weights (255 × 127 × 2) overflowed it and gave 0.27 relative error on such CPUs, while ±63
//   (255 × 63 × 2 = 32,130) never can. The half-step error doubles, which the tests bound.
// - int4: W in blocks of `blockSize` values along K per output column, asymmetric 4-bit with a
//   float scale and a 4-bit zero point per block. One com.microsoft.MatMulNBits node; accuracy
//   level 4 lets ONNX Runtime quantize the activations to int8 per block and use int8 dot
//   products, level 0/1 dequantizes the weights to float32 and computes in float32.
import type { TypedArray } from './dtype.ts';
import { topoSort } from './graph.ts';
import type { Dim } from './shape.ts';
import { formatShape } from './shape.ts';
import { Tensor } from './tensor.ts';

export type Quantization = 'none' | 'int8' | 'int4';
export const QUANTIZATIONS: readonly Quantization[] = ['none', 'int8', 'int4'];

export interface QuantizeOptions {
  mode: Quantization;
  /** int4: values per block along K (a power of two ≥ 16). Default 32. */
  blockSize?: number;
  /** int4: MatMulNBits accuracy_level (0/1: float32 compute; 4: int8 compute). Default 4. */
  accuracyLevel?: number;
  /** Parameters to keep in float32 (e.g. a final projection); matched against the full name. */
  exclude?: (name: string) => boolean;
}

/** Parses a user-facing value ('int8', 'int4', 'none'), with an error that lists the choices. */
export function parseQuantization(v: string): Quantization {
  if ((QUANTIZATIONS as readonly string[]).includes(v)) return v as Quantization;
  throw new Error(`quantize: '${v}' is not one of ${QUANTIZATIONS.join(', ')}`);
}

// ---------------------------------------------------------------- weight packing (pure TS)

export interface Int8Weight {
  /** [K, N] row-major, as the float weight was. */
  q: Int8Array;
  /** [N] per output column. */
  scale: Float32Array;
}

/** Largest weight level: 7 bits, so no CPU's int8 kernel can overflow (see the file comment). */
export const INT8_WEIGHT_MAX = 63;

/** Symmetric per-column 7-bit-in-int8 of a [K, N] row-major weight. */
export function quantizeInt8(w: Float32Array, K: number, N: number): Int8Weight {
  const scale = new Float32Array(N);
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) scale[n] = Math.max(scale[n]!, Math.abs(w[k * N + n]!));
  }
  for (let n = 0; n < N; n++) scale[n] = scale[n]! > 0 ? scale[n]! / INT8_WEIGHT_MAX : 1;
  const q = new Int8Array(K * N);
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) q[k * N + n] = Math.max(-INT8_WEIGHT_MAX, Math.min(INT8_WEIGHT_MAX, Math.round(w[k * N + n]! / scale[n]!)));
  }
  return { q, scale };
}

export interface Int4Weight {
  K: number;
  N: number;
  blockSize: number;
  blocks: number;
  /** [N, blocks, blockSize/2]: element k of column n in the low nibble when k is even. */
  packed: Uint8Array;
  /** [N * blocks] */
  scales: Float32Array;
  /** [N * ceil(blocks/2)]: block b of column n in the low nibble when b is even. */
  zeroPoints: Uint8Array;
}

/** Blockwise asymmetric 4-bit of a [K, N] row-major weight in MatMulNBits' layout (K padded with zeros). */
export function quantizeInt4(w: Float32Array, K: number, N: number, blockSize = 32): Int4Weight {
  if (blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) throw new Error(`quantizeInt4: block size ${blockSize} is not a power of two ≥ 16`);
  const blocks = Math.ceil(K / blockSize);
  const half = blockSize / 2;
  const zpPerCol = Math.ceil(blocks / 2);
  const packed = new Uint8Array(N * blocks * half);
  const scales = new Float32Array(N * blocks);
  const zeroPoints = new Uint8Array(N * zpPerCol);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < blocks; b++) {
      const k0 = b * blockSize;
      const k1 = Math.min(K, k0 + blockSize);
      // The range always includes 0 so zero padding (and exact zeros) stay exact.
      let lo = 0;
      let hi = 0;
      for (let k = k0; k < k1; k++) {
        const v = w[k * N + n]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const scale = hi > lo ? (hi - lo) / 15 : 1;
      const zp = Math.max(0, Math.min(15, Math.round(-lo / scale)));
      scales[n * blocks + b] = scale;
      zeroPoints[n * zpPerCol + (b >> 1)]! |= zp << ((b & 1) * 4);
      const base = (n * blocks + b) * half;
      for (let j = 0; j < blockSize; j++) {
        const k = k0 + j;
        const v = k < K ? w[k * N + n]! : 0;
        const q = Math.max(0, Math.min(15, Math.round(v / scale) + zp));
        packed[base + (j >> 1)]! |= q << ((j & 1) * 4);
      }
    }
  }
  return { K, N, blockSize, blocks, packed, scales, zeroPoints };
}

/** The float [K, N] weight an int4 weight stands for (what MatMulNBits multiplies by). */
export function dequantizeInt4(q: Int4Weight): Float32Array {
  const { K, N, blockSize, blocks } = q;
  const half = blockSize / 2;
  const zpPerCol = Math.ceil(blocks / 2);
  const out = new Float32Array(K * N);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const b = Math.floor(k / blockSize);
      const j = k - b * blockSize;
      const v = (q.packed[(n * blocks + b) * half + (j >> 1)]! >> ((j & 1) * 4)) & 15;
      const zp = (q.zeroPoints[n * zpPerCol + (b >> 1)]! >> ((b & 1) * 4)) & 15;
      out[k * N + n] = (v - zp) * q.scales[n * blocks + b]!;
    }
  }
  return out;
}

export function dequantizeInt8(q: Int8Weight, K: number, N: number): Float32Array {
  const out = new Float32Array(K * N);
  for (let i = 0; i < K * N; i++) out[i] = q.q[i]! * q.scale[i % N]!;
  return out;
}

// ---------------------------------------------------------------- graph nodes

const MS = 'com.microsoft';

function constant(dtype: 'int8' | 'uint8' | 'float32', shape: number[], value: TypedArray): Tensor {
  return new Tensor('const', 'const', [], {}, dtype, shape, undefined, value);
}

/**
 * x[..., K] @ W[K, N] (+ bias[N]) with W quantized to int8 per column. The bias rides in the
 * kernel (its optional fifth input, after a zero point of zeros: the weights are symmetric), which
 * adds it while writing the output instead of a separate Add node over the whole result.
 */
export function int8MatMul(x: Tensor, w: Int8Weight, K: number, N: number, bias?: Tensor): Tensor {
  checkLastDim('int8MatMul', x, K);
  const inputs = [x, constant('int8', [K, N], w.q), constant('float32', [N], w.scale)];
  if (bias) {
    if (bias.dtype !== 'float32' || bias.rank !== 1 || bias.shape[0] !== N) throw new Error(`int8MatMul: bias ${bias} must be float32 [${N}]`);
    inputs.push(constant('int8', [N], new Int8Array(N)), bias);
  }
  return new Tensor('op', 'DynamicQuantizeMatMul', inputs, {}, 'float32', [...x.shape.slice(0, -1), N], undefined, undefined, MS);
}

/** x[..., K] @ W[K, N] with W as 4-bit blocks. */
export function int4MatMul(x: Tensor, w: Int4Weight, accuracyLevel = 4): Tensor {
  checkLastDim('int4MatMul', x, w.K);
  const inputs = [
    x,
    constant('uint8', [w.N, w.blocks, w.blockSize / 2], w.packed),
    constant('float32', [w.N * w.blocks], w.scales),
    constant('uint8', [w.zeroPoints.length], w.zeroPoints),
  ];
  const attrs = {
    K: { int: w.K },
    N: { int: w.N },
    bits: { int: 4 },
    block_size: { int: w.blockSize },
    accuracy_level: { int: accuracyLevel },
  };
  return new Tensor('op', 'MatMulNBits', inputs, attrs, 'float32', [...x.shape.slice(0, -1), w.N], undefined, undefined, MS);
}

function checkLastDim(what: string, x: Tensor, K: number): void {
  if (x.dtype !== 'float32') throw new Error(`${what}: needs a float32 input, got ${x}`);
  const k: Dim | undefined = x.shape[x.rank - 1];
  if (k !== K) throw new Error(`${what}: input ${formatShape(x.shape)} does not end in K = ${K}`);
}

// ---------------------------------------------------------------- the rewrite

/** Rebuilds the graph with each tensor passed through `replace` (given its already-rebuilt inputs). */
export function rewriteGraph(
  outputs: Record<string, Tensor>,
  replace: (t: Tensor, inputs: Tensor[]) => Tensor | undefined,
): Record<string, Tensor> {
  const { order } = topoSort(Object.values(outputs));
  const mapped = new Map<number, Tensor>();
  for (const t of order) {
    const inputs = t.inputs.map((i) => mapped.get(i.id)!);
    let out = replace(t, inputs);
    if (!out) {
      const same = inputs.every((i, k) => i === t.inputs[k]);
      out = same ? t : new Tensor(t.kind, t.op, inputs, t.attrs, t.dtype, t.shape, t.name, t.value, t.domain);
    }
    mapped.set(t.id, out);
  }
  return Object.fromEntries(Object.entries(outputs).map(([k, t]) => [k, mapped.get(t.id)!]));
}

export interface QuantizedGraph {
  outputs: Record<string, Tensor>;
  /** Parameters whose matmuls were quantized. */
  quantized: string[];
}

/**
 * Replaces every MatMul by a rank-2 float32 parameter with its quantized form. `weights` gives the
 * parameter values (as for serializeGraph's initializers). A weight shared by several matmuls is
 * quantized once.
 */
export function quantizeLinears(
  outputs: Record<string, Tensor>,
  weights: (name: string, t: Tensor) => TypedArray,
  opts: QuantizeOptions,
): QuantizedGraph {
  if (opts.mode === 'none') return { outputs, quantized: [] };
  const cache = new Map<string, Int8Weight | Int4Weight>();
  const quantizable = (t: Tensor): boolean => {
    if (t.kind !== 'op' || t.op !== 'MatMul' || t.domain) return false;
    const w = t.inputs[1]!;
    return w.kind === 'param' && w.rank === 2 && w.dtype === 'float32' && !opts.exclude?.(w.name!);
  };
  const quantized = (t: Tensor): Int8Weight | Int4Weight => {
    const w = t.inputs[1]!;
    const [K, N] = w.shape as [number, number];
    let q = cache.get(w.name!);
    if (!q) {
      const data = weights(w.name!, w);
      if (!(data instanceof Float32Array)) throw new Error(`quantize: parameter '${w.name}' has no float32 values`);
      if (data.length !== K * N) throw new Error(`quantize: parameter '${w.name}' has ${data.length} values for [${K}, ${N}]`);
      q = opts.mode === 'int8' ? quantizeInt8(data, K, N) : quantizeInt4(data, K, N, opts.blockSize ?? 32);
      cache.set(w.name!, q);
    }
    return q;
  };
  // int8: a bias added to a matmul that nothing else reads goes into the kernel (int8MatMul).
  const readers = readerCounts(outputs);
  const foldsBias = (t: Tensor): boolean => {
    if (opts.mode !== 'int8' || t.kind !== 'op' || t.op !== 'Add' || t.domain) return false;
    const [mm, b] = t.inputs as [Tensor, Tensor];
    const N = mm.shape[mm.rank - 1];
    return quantizable(mm) && readers.get(mm.id) === 1 && b.dtype === 'float32' && b.rank === 1 && b.shape[0] === N && t.shape.join() === mm.shape.join();
  };
  const rewritten = rewriteGraph(outputs, (t, inputs) => {
    if (foldsBias(t)) {
      const mm = t.inputs[0]!;
      const [K, N] = mm.inputs[1]!.shape as [number, number];
      // inputs[0] is the matmul's own (unbiased) rewrite: its x is reused, and it is left unread, so never serialised.
      return int8MatMul(inputs[0]!.inputs[0]!, quantized(mm) as Int8Weight, K, N, inputs[1]!);
    }
    if (!quantizable(t)) return undefined;
    const [K, N] = t.inputs[1]!.shape as [number, number];
    const q = quantized(t);
    return opts.mode === 'int8' ? int8MatMul(inputs[0]!, q as Int8Weight, K, N) : int4MatMul(inputs[0]!, q as Int4Weight, opts.accuracyLevel ?? 4);
  });
  return { outputs: rewritten, quantized: [...cache.keys()] };
}

/** How many nodes (and graph outputs) read each tensor. */
function readerCounts(outputs: Record<string, Tensor>): Map<number, number> {
  const counts = new Map<number, number>();
  const add = (t: Tensor) => counts.set(t.id, (counts.get(t.id) ?? 0) + 1);
  for (const t of topoSort(Object.values(outputs)).order) t.inputs.forEach(add);
  Object.values(outputs).forEach(add);
  return counts;
}
