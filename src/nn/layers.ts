// Basic layers: linear, norms, MLP, embedding. Each takes the Scope its weights live in.
import { type Tensor, ops as o } from '../engine/index.ts';
import { type Init, normal, ones, type Scope, zeros } from './scope.ts';

export interface LinearOptions {
  bias?: boolean;
  /** Defaults to N(0, 1/fan_in). */
  init?: Init;
}

export function linear(s: Scope, x: Tensor, outDim: number, opts: LinearOptions = {}): Tensor {
  const inDim = x.shape[x.rank - 1];
  if (typeof inDim !== 'number') throw new Error(`linear ${s.prefix}: input's last dim must be static, got ${x}`);
  const w = s.param('weight', [inDim, outDim], opts.init ?? normal(1 / Math.sqrt(inDim)));
  const y = o.matmul(x, w);
  return opts.bias === false ? y : o.add(y, s.param('bias', [outDim], zeros));
}

export function layerNorm(s: Scope, x: Tensor, opts: { affine?: boolean; eps?: number } = {}): Tensor {
  const d = x.shape[x.rank - 1] as number;
  if (opts.affine === false) return o.layerNorm(x, undefined, undefined, opts.eps ?? 1e-6);
  return o.layerNorm(x, s.param('weight', [d], ones), s.param('bias', [d], zeros), opts.eps ?? 1e-6);
}

export function rmsNorm(s: Scope, x: Tensor, eps = 1e-6): Tensor {
  const d = x.shape[x.rank - 1] as number;
  return o.rmsNorm(x, s.param('weight', [d], ones), eps);
}

export function mlp(s: Scope, x: Tensor, hidden: number, act: (t: Tensor) => Tensor = o.gelu): Tensor {
  const d = x.shape[x.rank - 1] as number;
  return linear(s.child('fc2'), act(linear(s.child('fc1'), x, hidden)), d);
}

export function embedding(s: Scope, ids: Tensor, vocab: number, dim: number): Tensor {
  return o.gather(s.param('weight', [vocab, dim], normal(0.02)), ids);
}
