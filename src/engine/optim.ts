// AdamW with bias correction, decoupled weight decay and global-norm gradient clipping, emitted
// as graph ops so that forward + backward + update is one session run.
import * as o from './ops.ts';
import type { Tensor } from './tensor.ts';

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Clip the global gradient norm to this value; 0 or undefined disables clipping. */
  maxGradNorm?: number;
}

export const DEFAULT_ADAMW: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 };

export interface AdamWGraph {
  /** Optimizer state inputs (first and second moments), one per parameter. */
  m: Tensor[];
  v: Tensor[];
  newParams: Tensor[];
  newM: Tensor[];
  newV: Tensor[];
  /** The global gradient norm before clipping. */
  gradNorm: Tensor;
}

/**
 * The update for `params` given their `grads`. `lr` and `step` (1-based, float32) are scalar graph
 * inputs, so schedules live in the training loop and one graph serves every step.
 * `decays(p)` says whether weight decay applies to p (usually matrices yes, norms and biases no).
 */
export function adamw(
  params: Tensor[],
  grads: Tensor[],
  cfg: AdamWConfig,
  lr: Tensor,
  step: Tensor,
  decays: (p: Tensor) => boolean,
): AdamWGraph {
  if (params.length !== grads.length) throw new Error(`adamw: ${params.length} params but ${grads.length} grads`);
  const squares = grads.map((g) => o.sum(o.mul(g, g)));
  const gradNorm = o.sqrt(squares.reduce((acc, s) => o.add(acc, s)));
  // Scalars are folded so each parameter costs as few full-size elementwise ops as possible:
  // clipping scales the moment updates, bias correction scales the step and epsilon.
  const clip = cfg.maxGradNorm && cfg.maxGradNorm > 0 ? o.minimum(o.div(cfg.maxGradNorm, o.add(gradNorm, 1e-6)), 1) : o.scalar(1);
  const c1 = o.mul(clip, 1 - cfg.beta1);
  const c2 = o.mul(o.mul(clip, clip), 1 - cfg.beta2);
  const bc1 = o.sub(1, o.pow(o.scalar(cfg.beta1), step));
  const sqrtBc2 = o.sqrt(o.sub(1, o.pow(o.scalar(cfg.beta2), step)));
  const stepSize = o.div(o.mul(lr, sqrtBc2), bc1);
  const epsHat = o.mul(sqrtBc2, cfg.eps);
  const keep = o.sub(1, o.mul(lr, cfg.weightDecay));
  const out: AdamWGraph = { m: [], v: [], newParams: [], newM: [], newV: [], gradNorm };
  params.forEach((p, i) => {
    const g = grads[i]!;
    const m = o.input(`${p.name}.m`, p.shape, p.dtype);
    const v = o.input(`${p.name}.v`, p.shape, p.dtype);
    const m2 = o.add(o.mul(m, cfg.beta1), o.mul(g, c1));
    const v2 = o.add(o.mul(v, cfg.beta2), o.mul(o.mul(g, g), c2));
    // p - lr·(m̂ / (√v̂ + eps)) with m̂ = m/bc1, v̂ = v/bc2, rewritten as m·stepSize / (√v + eps·√bc2).
    const update = o.mul(o.div(m2, o.add(o.sqrt(v2), epsHat)), stepSize);
    const decayed = cfg.weightDecay > 0 && decays(p) ? o.mul(p, keep) : p;
    out.m.push(m);
    out.v.push(v);
    out.newParams.push(o.sub(decayed, update));
    out.newM.push(m2);
    out.newV.push(v2);
  });
  return out;
}
