// The text encoder: token embeddings, windowed self-attention blocks (cost linear in prompt length)
// and a cross-attention resampler that turns any prompt into a fixed number of conditioning
// tokens plus a pooled vector. Prompts are padded to a multiple of the window in `prepareText`.
import { type Tensor, ops as o } from '../engine/index.ts';
import { attend, embedding, layerNorm, linear, mergeHeads, mlp, normal, qkNorm, ropeTables, type Scope, selfAttention, splitHeads } from '../nn/index.ts';
import type { TextEncoderConfig } from './config.ts';

export interface TextGraphInputs {
  /** [B, L] token ids, L a multiple of the window. */
  ids: Tensor;
  /** [B, L] 1 for real tokens, 0 for padding. */
  keep: Tensor;
  /** [W, Dh] rotary tables for positions within a window. */
  ropeCos: Tensor;
  ropeSin: Tensor;
}

export interface TextEncoding {
  /** [B, K, Dt] conditioning tokens. */
  tokens: Tensor;
  /** [B, Dt] pooled summary of the prompt's tokens (feeds the timestep modulation). */
  pooled: Tensor;
}

export function textGraphInputs(c: TextEncoderConfig, batch: number | string = 'B', length: number | string = 'L'): TextGraphInputs {
  const dh = c.width / c.heads;
  return {
    ids: o.input('text_ids', [batch, length], 'int64'),
    keep: o.input('text_keep', [batch, length]),
    ropeCos: o.input('text_rope_cos', [c.window, dh]),
    ropeSin: o.input('text_rope_sin', [c.window, dh]),
  };
}

/** Large negative logit for masked keys (not -inf: a window of only padding must stay finite). */
const MASKED = -1e4;

export function encodeText(s: Scope, c: TextEncoderConfig, inp: TextGraphInputs): TextEncoding {
  const [b, l] = inp.ids.shape;
  const w = c.window;
  const hidden = Math.round(c.width * c.mlpRatio);
  let h = embedding(s.child('embed'), inp.ids, c.vocabSize, c.width); // [B, L, Dt]
  // Windows: [B, L, Dt] → [B·L/W, W, Dt]; padding keys are masked within each window.
  const padBias = o.mul(o.sub(1, inp.keep), MASKED); // [B, L]: 0 for tokens, MASKED for padding
  const windowBias = o.reshape(padBias, [-1, 1, 1, w]);
  let x = o.reshape(h, [-1, w, c.width]);
  for (let i = 0; i < c.depth; i++) {
    const blk = s.child('blocks').child(i);
    const a = layerNorm(blk.child('ln1'), x);
    const rope = { cos: inp.ropeCos, sin: inp.ropeSin };
    x = o.add(x, selfAttention(blk.child('attn'), a, { heads: c.heads, qkNorm: true, rope, bias: windowBias }));
    x = o.add(x, mlp(blk.child('mlp'), layerNorm(blk.child('ln2'), x), hidden));
  }
  h = o.reshape(x, [b!, l!, c.width], [inp.ids]);

  const tokens = layerNorm(s.child('ln_out'), c.conditioning === 'grouped' ? groupTokens(c, h, inp.keep) : resample(s, c, h, padBias));
  // Pooled: the mean of the encoder's token states over the real tokens, not of the resampler's
  // outputs. The resampler starts out nearly blind to content (its learned queries attend evenly),
  // so a pooled vector taken from it barely changed with the prompt and the denoiser learned to
  // ignore it; a bag of token states carries every word from the first step (ARCHITECTURE.md).
  if (c.pooling === 'resampler') return { tokens, pooled: o.mean(tokens, [1]) };
  const keep = o.unsqueeze(inp.keep, 2); // [B, L, 1]
  const pooled = o.div(o.sum(o.mul(h, keep), [1]), o.maximum(o.sum(keep, [1]), 1));
  // 'none': the denoiser does not read it; the plain mean keeps the text graph's outputs the same.
  if (c.pooling === 'none') return { tokens, pooled };
  return { tokens, pooled: layerNorm(s.child('ln_pool'), pooled) };
}

/**
 * [B, L, Dt] → [B, K, Dt]: the mean of the real tokens in each of K consecutive spans of L/K
 * tokens (L is a multiple of the window, which K divides). Spans of padding only become zero.
 */
function groupTokens(c: TextEncoderConfig, h: Tensor, keep: Tensor): Tensor {
  const k = c.resamplerTokens;
  const [b] = h.shape;
  const spans = o.reshape(o.mul(h, o.unsqueeze(keep, 2)), [b!, k, -1, c.width]); // [B, K, L/K, Dt]
  const counts = o.sum(o.reshape(keep, [b!, k, -1]), [2], true); // [B, K, 1]
  return o.div(o.sum(spans, [2]), o.maximum(counts, 1));
}

/** Resampler: K learned queries cross-attend to every token (cost K·L). */
function resample(s: Scope, c: TextEncoderConfig, h: Tensor, padBias: Tensor): Tensor {
  const hidden = Math.round(c.width * c.mlpRatio);
  const keyBias = o.unsqueeze(o.unsqueeze(padBias, 1), 1); // [B, 1, 1, L]
  const queries = s.param('resampler.queries', [c.resamplerTokens, c.width], normal(0.02));
  let r = o.unsqueeze(queries, 0); // [1, K, Dt]; becomes [B, K, Dt] at the first residual add
  for (let i = 0; i < c.resamplerDepth; i++) {
    const blk = s.child('resampler').child(i);
    const qn = layerNorm(blk.child('ln_q'), r);
    const kv = layerNorm(blk.child('ln_kv'), h);
    const q = qkNorm(blk.child('attn').child('q_norm'), splitHeads(linear(blk.child('attn').child('q'), qn, c.width), c.heads));
    const k = qkNorm(blk.child('attn').child('k_norm'), splitHeads(linear(blk.child('attn').child('k'), kv, c.width), c.heads));
    const v = splitHeads(linear(blk.child('attn').child('v'), kv, c.width), c.heads);
    r = o.add(r, linear(blk.child('attn').child('out'), mergeHeads(attend(q, k, v, keyBias)), c.width));
    r = o.add(r, mlp(blk.child('mlp'), layerNorm(blk.child('ln2'), r), hidden));
  }
  return r;
}

/** Rotary tables for positions 0..W−1 inside a window (relative positions are all attention sees). */
export function textRope(c: TextEncoderConfig): { cos: Float32Array; sin: Float32Array } {
  const dh = c.width / c.heads;
  const pos = Float32Array.from({ length: c.window }, (_, i) => i);
  return ropeTables([pos], [dh]);
}
