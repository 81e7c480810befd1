// adaLN-Zero: a conditioning vector (timestep, pooled text) produces per-channel shift, scale and
// gate for each sub-block. The projection starts at zero so every block starts as the identity.
import { type Tensor, ops as o } from '../engine/index.ts';
import { linear } from './layers.ts';
import { type Scope, zeros } from './scope.ts';

/** `count` modulation vectors of width `dim` from conditioning c [B, C], each shaped [B, 1, dim]. */
export function modulation(s: Scope, c: Tensor, dim: number, count: number): Tensor[] {
  const m = linear(s, o.silu(c), dim * count, { init: zeros });
  return o.split(o.unsqueeze(m, 1), -1, count);
}

/** Shift, scale and gate for one sub-block (FLUX's ModulationOut). */
export interface ModulationOut {
  shift: Tensor;
  scale: Tensor;
  gate: Tensor;
}

/** A transformer block's modulation: its attention and MLP sub-blocks'. */
export interface BlockModulation {
  attn: ModulationOut;
  mlp: ModulationOut;
}

/** adaLN-Zero for one block, named: the same single projection (and parameters) as modulation(s, c, dim, 6). */
export function blockModulation(s: Scope, c: Tensor, dim: number): BlockModulation {
  const [shift1, scale1, gate1, shift2, scale2, gate2] = modulation(s, c, dim, 6) as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
  return { attn: { shift: shift1, scale: scale1, gate: gate1 }, mlp: { shift: shift2, scale: scale2, gate: gate2 } };
}

/** x·(1 + scale) + shift */
export function modulate(x: Tensor, shift: Tensor, scale: Tensor): Tensor {
  return o.add(o.mul(x, o.add(scale, 1)), shift);
}

/** Sinusoidal embedding of scalar timesteps t [B] in [0, 1] → [B, dim]. */
export function timestepEmbedding(t: Tensor, dim: number, maxPeriod = 10000): Tensor {
  const half = dim / 2;
  const freqs = Float32Array.from({ length: half }, (_, i) => 1000 * Math.exp((-Math.log(maxPeriod) * i) / half));
  const args = o.mul(o.unsqueeze(t, -1), o.constant(freqs, [half]));
  return o.concat([o.cos(args), o.sin(args)], -1);
}
