// Rotary positions with interleaved pairs, as FLUX.2 and Z-Image rotate queries and keys: each
// position axis i owns axesDims[i] head dims, pairs (x[2j], x[2j+1]) rotate together by
// pos_i · theta^(−2j/dim_i). The pipelines differ only in how the angle is rounded: FLUX.2's
// Flux2PosEmbed keeps it in float64, Z-Image's RopeEmbedder rounds it to float32 before cos/sin
// (which matters at its positions of 1,000 and more: one float32 step there is 1e-4 rad).
import { type Dim, type Tensor, ops as o } from '../../engine/index.ts';

/**
 * out = x·cos + rot(x)·sin with rot(x)[2i] = −x[2i+1], rot(x)[2i+1] = x[2i]; x is [B, H, T, Dh],
 * cos/sin are [T, Dh] with each frequency repeated twice.
 */
export function applyRopeInterleaved(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  const [b, h, t, dh] = x.shape as [Dim, number, Dim, number];
  const pairs = o.reshape(x, [b, h, t, dh / 2, 2]);
  const [re, im] = o.split(pairs, -1, 2) as [Tensor, Tensor];
  const rotated = o.reshape(o.concat([o.neg(im), re], -1), [b, h, t, dh]);
  return o.add(o.mul(x, cos), o.mul(rotated, sin));
}

/**
 * cos/sin tables [tokens, Σ axesDims] for position ids laid out per token (one id per axis).
 * Frequencies are computed in float64; `float32Angles` rounds pos·freq to float32 first.
 */
export function ropeTablesInterleaved(ids: ArrayLike<number>, tokens: number, axesDims: readonly number[], theta: number, float32Angles: boolean): { cos: Float32Array; sin: Float32Array } {
  const headDim = axesDims.reduce((a, b) => a + b, 0);
  const nAxes = axesDims.length;
  if (ids.length !== tokens * nAxes) throw new Error(`rope tables: ${ids.length} ids for ${tokens} tokens × ${nAxes} axes`);
  const cos = new Float32Array(tokens * headDim);
  const sin = new Float32Array(tokens * headDim);
  for (let t = 0; t < tokens; t++) {
    let j = t * headDim;
    for (let a = 0; a < nAxes; a++) {
      const d = axesDims[a]!;
      const pos = ids[t * nAxes + a]!;
      for (let i = 0; i < d; i += 2) {
        let angle = pos * (1 / theta ** (i / d));
        if (float32Angles) angle = Math.fround(angle);
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        cos[j] = c;
        cos[j + 1] = c;
        sin[j] = s;
        sin[j + 1] = s;
        j += 2;
      }
    }
  }
  return { cos, sin };
}
