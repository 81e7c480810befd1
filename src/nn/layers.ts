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

/**
 * A zero-padded 3×3 convolution of x [B, H, W, C] (channels last) as slices, a concat and a
 * matmul, whose gradients the engine has (autodiff has no Conv rule). The weight is in ONNX Conv
 * layout [out, in, 3, 3]. H, W and C must be static; B may be symbolic (the padding is made from
 * x itself, times zero).
 */
export function conv3x3(x: Tensor, weight: Tensor, bias: Tensor): Tensor {
  const [, h, w, ch] = x.shape as [unknown, number, number, number];
  const [cout] = weight.shape as number[];
  const rowPad = o.mul(o.slice(x, 1, 0, 1), 0);
  let xp = o.concat([rowPad, x, rowPad], 1);
  const colPad = o.mul(o.slice(xp, 2, 0, 1), 0);
  xp = o.concat([colPad, xp, colPad], 2);
  const taps: Tensor[] = [];
  for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) taps.push(o.slice(o.slice(xp, 1, dy, dy + h), 2, dx, dx + w));
  const cols = o.concat(taps, 3); // [B, H, W, 9·C], tap-major
  // [out, in, ky, kx] → [ky, kx, in, out] → [9·in, out], matching the tap order above.
  const mat = o.reshape(o.transpose(weight, [2, 3, 1, 0]), [9 * ch, cout!]);
  return o.add(o.matmul(cols, mat), bias);
}
