// Multi-head attention pieces: head split/merge, QK-norm, rotary positions and the attention itself.
import { type Dim, Tensor, ops as o } from '../engine/index.ts';
import { linear } from './layers.ts';
import { ones, type Scope } from './scope.ts';

/** [B, T, H·Dh] → [B, H, T, Dh] */
export function splitHeads(x: Tensor, heads: number): Tensor {
  const [b, t, d] = x.shape as [Dim, Dim, Dim];
  if (typeof d !== 'number' || d % heads !== 0) throw new Error(`splitHeads: width ${d} of ${x} is not divisible by ${heads} heads`);
  return o.transpose(o.reshape(x, [b, t, heads, d / heads]), [0, 2, 1, 3]);
}

/** [B, H, T, Dh] → [B, T, H·Dh] */
export function mergeHeads(x: Tensor): Tensor {
  const [b, h, t, dh] = x.shape as [Dim, number, Dim, number];
  return o.reshape(o.transpose(x, [0, 2, 1, 3]), [b, t, h * dh]);
}

/** softmax(q·kᵀ/√d + bias)·v over [B, H, T, Dh] tensors; `bias` broadcasts to [B, H, Tq, Tk]. */
export function attend(q: Tensor, k: Tensor, v: Tensor, bias?: Tensor): Tensor {
  const dh = q.shape[q.rank - 1] as number;
  let scores = o.matmul(o.mul(q, 1 / Math.sqrt(dh)), o.transposeLast(k));
  if (bias) scores = o.add(scores, bias);
  return o.matmul(o.softmax(scores, -1), v);
}

/**
 * Attention with heads merged into [B, T, H·Dh], through ONNX Runtime's fused CPU kernel
 * (com.microsoft.MultiHeadAttention): about 2× faster than matmul-softmax-matmul at 4k tokens
 * and it never materialises the full score tensor. Inference only: it has no gradient rule.
 */
export function attendFused(q: Tensor, k: Tensor, v: Tensor): Tensor {
  const [, h, t, dh] = q.shape as [Dim, number, Dim, number];
  const flat = (x: Tensor) => mergeHeads(x);
  const merged = flat(q);
  return new Tensor('op', 'MultiHeadAttention', [merged, flat(k), flat(v)], { num_heads: { int: h } }, q.dtype, [merged.shape[0]!, t, h * dh], undefined, undefined, 'com.microsoft');
}

/** RMS-normalises queries or keys per head (QK-norm keeps attention logits bounded as training runs). */
export function qkNorm(s: Scope, x: Tensor): Tensor {
  const dh = x.shape[x.rank - 1] as number;
  return o.rmsNorm(x, s.param('weight', [dh], ones));
}

/**
 * cos/sin tables for rotary embeddings over several position axes (e.g. [segment, row, col]).
 * `axisDims[i]` head dims (even) rotate with position axis i; they sum to the head dim.
 * Positions may be fractional. Layout matches `ops.rotaryEmbedding`'s rotate-half convention (equal halves).
 */
export function ropeTables(positions: ArrayLike<number>[], axisDims: number[], theta = 10000): { cos: Float32Array; sin: Float32Array; headDim: number } {
  const headDim = axisDims.reduce((a, b) => a + b, 0);
  if (axisDims.some((d) => d % 2 !== 0)) throw new Error(`ropeTables: axis dims [${axisDims}] must be even`);
  if (positions.length !== axisDims.length) throw new Error(`ropeTables: ${positions.length} position axes for ${axisDims.length} dim groups`);
  const n = positions[0]!.length;
  const half = headDim / 2;
  const cos = new Float32Array(n * headDim);
  const sin = new Float32Array(n * headDim);
  for (let t = 0; t < n; t++) {
    let j = 0;
    axisDims.forEach((d, axis) => {
      const pos = positions[axis]![t]!;
      for (let i = 0; i < d / 2; i++, j++) {
        const angle = pos * theta ** (-(2 * i) / d);
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        cos[t * headDim + j] = c;
        cos[t * headDim + j + half] = c;
        sin[t * headDim + j] = s;
        sin[t * headDim + j + half] = s;
      }
    });
  }
  return { cos, sin, headDim };
}

export interface SelfAttentionOptions {
  heads: number;
  qkNorm?: boolean;
  rope?: { cos: Tensor; sin: Tensor };
  bias?: Tensor;
}

/** Standard self-attention block body: qkv projections, optional QK-norm and RoPE, output projection. */
export function selfAttention(s: Scope, x: Tensor, opts: SelfAttentionOptions): Tensor {
  const d = x.shape[x.rank - 1] as number;
  let q = splitHeads(linear(s.child('q'), x, d), opts.heads);
  let k = splitHeads(linear(s.child('k'), x, d), opts.heads);
  const v = splitHeads(linear(s.child('v'), x, d), opts.heads);
  if (opts.qkNorm) {
    q = qkNorm(s.child('q_norm'), q);
    k = qkNorm(s.child('k_norm'), k);
  }
  if (opts.rope) {
    q = o.rotaryEmbedding(q, opts.rope.cos, opts.rope.sin);
    k = o.rotaryEmbedding(k, opts.rope.cos, opts.rope.sin);
  }
  return linear(s.child('out'), mergeHeads(attend(q, k, v, opts.bias)), d);
}
