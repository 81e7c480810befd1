// The scorer network: a residual MLP over one grid cell's features with five heads (what the
// cell holds, the object's colour, count and size, the background's colour). An MLP on a
// 16×16 cell is enough here because the data's objects sit in known cells at known scales, and
// it trains in minutes on one CPU core; the engine has no convolution op anyway.
import { type Tensor, ops as o } from '../../engine/index.ts';
import { Scope, layerNorm, linear } from '../../nn/index.ts';
import { COLOR_NAMES } from '../../data/index.ts';
import { SIZES } from '../../data/scene.ts';
import { CELL_KINDS, COUNTS, OBJECT_COLORS } from './labels.ts';
import { FEATURES } from './features.ts';

export const HIDDEN = 256;

export const HEADS = {
  kind: CELL_KINDS.length,
  color: OBJECT_COLORS.length,
  count: COUNTS.length,
  size: SIZES.length,
  background: COLOR_NAMES.length,
} as const;
export type HeadName = keyof typeof HEADS;
export const HEAD_NAMES = Object.keys(HEADS) as HeadName[];

/** Logits of every head for rows of cell features x: [rows, FEATURES]. */
export function scorerLogits(s: Scope, x: Tensor): Record<HeadName, Tensor> {
  if (x.shape[x.rank - 1] !== FEATURES) throw new Error(`scorer: expected ${FEATURES} features per cell, got ${x.shape}`);
  const h1 = o.gelu(linear(s.child('in'), x, HIDDEN));
  const h2 = o.add(h1, o.gelu(linear(s.child('hidden'), layerNorm(s.child('norm1'), h1), HIDDEN)));
  const h = layerNorm(s.child('norm2'), h2);
  const out = {} as Record<HeadName, Tensor>;
  for (const name of HEAD_NAMES) out[name] = linear(s.child(`head.${name}`), h, HEADS[name]);
  return out;
}

/** Cross-entropy of one head against one-hot targets, averaged over rows where weight = 1. */
function maskedCrossEntropy(logits: Tensor, onehot: Tensor, weight: Tensor): Tensor {
  const nll = o.neg(o.sum(o.mul(o.logSoftmax(logits, -1), onehot), -1));
  return o.div(o.sum(o.mul(nll, weight)), o.add(o.sum(weight), 1e-6));
}

export interface ScorerTrainGraph {
  loss: Tensor;
  params: Tensor[];
  metrics: Record<string, Tensor>;
  scope: Scope;
}

/**
 * The training loss for `rows` cells: every cell trains the kind and background heads; colour,
 * count and size train only on cells that hold an object (input `objectWeight`).
 */
export function scorerTrainGraph(rows: number): ScorerTrainGraph {
  const scope = Scope.root();
  const x = o.input('x', [rows, FEATURES]);
  const objectWeight = o.input('object_weight', [rows]);
  const ones = o.input('all_weight', [rows]);
  const logits = scorerLogits(scope, x);
  const metrics: Record<string, Tensor> = {};
  let loss: Tensor | null = null;
  for (const name of HEAD_NAMES) {
    const target = o.input(`y_${name}`, [rows, HEADS[name]]);
    // Object cells weigh 4× in the class head: telling 25 classes apart is the hard part, and
    // most cells are empty or plates.
    const w = name === 'background' ? ones : name === 'kind' ? o.add(ones, o.mul(objectWeight, 3)) : objectWeight;
    const l = maskedCrossEntropy(logits[name], target, w);
    metrics[`loss_${name}`] = l;
    loss = loss ? o.add(loss, l) : l;
  }
  return { loss: loss!, params: scope.params(), metrics, scope };
}
