// Reverse-mode autodiff on the graph: one gradient rule per primitive op, and a reverse walk
// that adds the backward subgraph. Rules get the upstream gradient `g`, the node and its
// output; they return one gradient per input (undefined where none flows).
import { type CustomGradient, customGradient, isHeldConstant } from './custom-gradient.ts';
import { isFloat } from './dtype.ts';
import { topoSort } from './graph.ts';
import * as o from './ops.ts';
import { type Dim, formatShape, isStatic } from './shape.ts';
import type { Tensor } from './tensor.ts';

type Grads = Array<Tensor | undefined>;
type Rule = (g: Tensor, x: Tensor[], y: Tensor, node: Tensor) => Grads;

/** Sums a broadcast gradient back down to the shape of the operand it flows to. */
export function unbroadcast(g: Tensor, to: Tensor): Tensor {
  if (sameShape(g.shape, to.shape)) return g;
  const lead = g.rank - to.rank;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead) axes.push(i);
    else if (to.shape[i - lead] === 1 && g.shape[i] !== 1) axes.push(i);
    else if (to.shape[i - lead] !== g.shape[i]) {
      throw new Error(`autodiff: cannot reduce gradient ${formatShape(g.shape)} to ${formatShape(to.shape)}`);
    }
  }
  let r = axes.length ? o.sum(g, axes, true) : g;
  if (lead > 0) r = o.reshapeLike(r, to);
  return r;
}

function sameShape(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function axesOf(node: Tensor): number[] {
  const c = node.inputs[1]!;
  return Array.from(c.value as BigInt64Array, Number);
}

/** Gradient of a reduction: put the reduced axes back and broadcast over them. */
function expandReduced(g: Tensor, x: Tensor, node: Tensor): Tensor {
  const keep = node.attrs.keepdims && 'int' in node.attrs.keepdims ? node.attrs.keepdims.int : 1;
  let r = g;
  if (!keep) for (const a of axesOf(node)) r = o.unsqueeze(r, a);
  return o.expandLike(r, x);
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

const rules: Record<string, Rule> = {
  Add: (g, [a, b]) => [unbroadcast(g, a!), unbroadcast(g, b!)],
  Sub: (g, [a, b]) => [unbroadcast(g, a!), unbroadcast(o.neg(g), b!)],
  Mul: (g, [a, b]) => [unbroadcast(o.mul(g, b!), a!), unbroadcast(o.mul(g, a!), b!)],
  Div: (g, [a, b], y) => [unbroadcast(o.div(g, b!), a!), unbroadcast(o.neg(o.div(o.mul(g, y), b!)), b!)],
  Pow: (g, [a, b], y) => [
    unbroadcast(o.mul(g, o.mul(b!, o.pow(a!, o.sub(b!, 1)))), a!),
    b!.kind === 'const' ? undefined : unbroadcast(o.mul(g, o.mul(y, o.log(a!))), b!),
  ],
  Max: (g, [a, b]) => {
    const m = o.less(a!, b!);
    return [unbroadcast(o.where(m, 0, g), a!), unbroadcast(o.where(m, g, 0), b!)];
  },
  Min: (g, [a, b]) => {
    const m = o.less(a!, b!);
    return [unbroadcast(o.where(m, g, 0), a!), unbroadcast(o.where(m, 0, g), b!)];
  },
  Neg: (g) => [o.neg(g)],
  Identity: (g) => [g],
  Abs: (g, [a]) => [o.mul(g, o.sign(a!))],
  Sqrt: (g, _x, y) => [o.div(g, o.mul(y, 2))],
  Exp: (g, _x, y) => [o.mul(g, y)],
  Log: (g, [a]) => [o.div(g, a!)],
  Sin: (g, [a]) => [o.mul(g, o.cos(a!))],
  Cos: (g, [a]) => [o.neg(o.mul(g, o.sin(a!)))],
  Tanh: (g, _x, y) => [o.mul(g, o.sub(1, o.mul(y, y)))],
  Sigmoid: (g, _x, y) => [o.mul(g, o.mul(y, o.sub(1, y)))],
  Erf: (g, [a]) => [o.mul(g, o.mul(o.exp(o.neg(o.mul(a!, a!))), 2 / Math.sqrt(Math.PI)))],
  Reciprocal: (g, _x, y) => [o.neg(o.mul(g, o.mul(y, y)))],
  Relu: (g, [a]) => [o.where(o.greater(a!, 0), g, 0)],
  // d/dx x·Φ(x) = Φ(x) + x·φ(x)
  Gelu: (g, [a]) => {
    const x = a!;
    const cdf = o.mul(o.add(o.erf(o.mul(x, Math.SQRT1_2)), 1), 0.5);
    const pdf = o.mul(o.exp(o.mul(o.mul(x, x), -0.5)), INV_SQRT_2PI);
    return [o.mul(g, o.add(cdf, o.mul(x, pdf)))];
  },
  Clip: (g, [a, lo, hi]) => [o.where(o.and(o.less(lo!, a!), o.less(a!, hi!)), g, 0), undefined, undefined],
  Where: (g, [c, a, b]) => [undefined, unbroadcast(o.where(c!, g, 0), a!), unbroadcast(o.where(c!, 0, g), b!)],
  Cast: (g, [a]) => [isFloat(a!.dtype) ? o.cast(g, a!.dtype) : undefined],
  MatMul: (g, [a, b]) => [matmulGradA(g, a!, b!), matmulGradB(g, a!, b!)],
  Softmax: (g, _x, y, node) => {
    const axis = (node.attrs.axis as { int: number }).int;
    return [o.mul(y, o.sub(g, o.sum(o.mul(g, y), axis, true)))];
  },
  LogSoftmax: (g, _x, y, node) => {
    const axis = (node.attrs.axis as { int: number }).int;
    return [o.sub(g, o.mul(o.exp(y), o.sum(g, axis, true)))];
  },
  ReduceSum: (g, [a], _y, node) => [expandReduced(g, a!, node), undefined],
  ReduceMean: (g, [a], _y, node) => [o.div(expandReduced(g, a!, node), o.countAlong(a!, axesOf(node))), undefined],
  ReduceMax: (g, [a], y, node) => {
    // The gradient is shared equally between tied maxima.
    const hit = o.cast(o.equal(a!, expandReduced(y, a!, node)), a!.dtype);
    const ties = o.sum(hit, axesOf(node), true);
    return [o.div(o.mul(expandReduced(g, a!, node), hit), ties), undefined];
  },
  Reshape: (g, [a]) => [o.reshapeLike(g, a!), undefined],
  Unsqueeze: (g, [a]) => [o.reshapeLike(g, a!), undefined],
  Squeeze: (g, [a]) => [o.reshapeLike(g, a!), undefined],
  Expand: (g, [a]) => [unbroadcast(g, a!), undefined],
  Transpose: (g, _x, _y, node) => {
    const perm = (node.attrs.perm as { ints: number[] }).ints;
    const inv = perm.map((_, i) => perm.indexOf(i));
    return [o.transpose(g, inv)];
  },
  Concat: (g, xs, _y, node) => {
    const axis = (node.attrs.axis as { int: number }).int;
    let at = 0;
    return xs.map((x, i) => {
      const d = x.shape[axis];
      if (typeof d === 'number') return o.slice(g, axis, at, (at += d));
      // A symbolic piece is fine last: it runs to the end.
      if (i === xs.length - 1) return o.slice(g, axis, at);
      throw new Error(`autodiff: concat with symbolic piece ${x} before the last along axis ${axis} is not differentiable`);
    });
  },
  Slice: (g, [a, starts, ends, axesT]) => {
    const x = a!;
    const axis = Number((axesT!.value as BigInt64Array)[0]);
    const d = x.shape[axis]!;
    const s = Number((starts!.value as BigInt64Array)[0]);
    const e = Number((ends!.value as BigInt64Array)[0]);
    let start = s;
    let end: number | undefined = e >= Number.MAX_SAFE_INTEGER ? undefined : e;
    if (typeof d === 'number') {
      start = s < 0 ? d + s : s;
      end = e < 0 ? d + e : Math.min(e, d);
      if (end === d) end = undefined;
    }
    const padded = padSliceGradient(g, x, axis, start, end);
    slicePieces.set(padded, { g, x, axis, start, end, padded });
    return [padded, undefined, undefined, undefined];
  },
  Gather: (g, [data, idx]) => [o.scatterAddRows(data!, idx!, g), undefined],
  Conv: (g, [x, w, b], _y, node) => {
    const ints = (name: string) => (node.attrs[name] as { ints: number[] } | undefined)?.ints;
    const group = (node.attrs.group as { int: number } | undefined)?.int ?? 1;
    const pads = ints('pads') ?? [0, 0, 0, 0];
    const unit = (v: number[] | undefined) => !v || v.every((d) => d === 1);
    if (group !== 1 || !unit(ints('strides')) || !unit(ints('dilations')) || pads.some((p) => p !== pads[0])) {
      throw new Error(`autodiff: the Conv gradient needs stride 1, dilation 1, one group and equal padding on every side (${node})`);
    }
    const [, , kh, kw] = w!.shape as number[];
    return [
      o.convTranspose2d(g, w!, { padding: pads[0] }),
      o.conv2dWeightGradient(x!, g, [kh!, kw!], pads[0]),
      ...(b ? [o.sum(g, [0, 2, 3])] : []),
    ];
  },
};

/** Pads a slice's gradient back to the input's extent: `start` zeros before, the rest after (end undefined: to the end). */
function padSliceGradient(g: Tensor, x: Tensor, axis: number, start: number, end: number | undefined): Tensor {
  const d = x.shape[axis]!;
  if (start === 0 && end === undefined) return sameShape(g.shape, x.shape) ? g : o.reshapeLike(g, x);
  const zeroPads = (n: number) => Array(n).fill(0);
  if (typeof d === 'number') {
    const pads = x.shape.map((_, i): [number, number] => (i === axis ? [start, d - (end ?? d)] : [0, 0]));
    return o.pad(g, pads);
  }
  const after = end === undefined ? o.constant([0], [1], 'int64') : o.sub(o.dimOf(x, axis), o.constant([end], [1], 'int64'));
  const pads = o.concat(
    [o.constant([...zeroPads(axis), start, ...zeroPads(x.rank - axis - 1), ...zeroPads(axis)], [x.rank + axis], 'int64'), after, o.constant(zeroPads(x.rank - axis - 1), [x.rank - axis - 1], 'int64')].filter((t) => t.shape[0] !== 0),
    0,
  );
  return o.padDynamic(g, pads, [...x.shape]);
}

/**
 * A Slice rule's padded gradient and what it was made from. When several slices of one tensor
 * along one axis meet (a split: heads' halves in RoPE, the modulation's six vectors, the text
 * and image halves of joint attention), their gradients are joined by one Concat instead of
 * each being padded to full size and added.
 */
interface SlicePiece {
  g: Tensor;
  x: Tensor;
  axis: number;
  start: number;
  end: number | undefined;
  padded: Tensor;
}
const slicePieces = new WeakMap<Tensor, SlicePiece>();

/** The sum of a tensor's gradient contributions, with adjacent slices' gradients concatenated. */
function sumGradients(parts: Tensor[]): Tensor {
  if (parts.length === 1) return parts[0]!;
  const terms: Tensor[] = [];
  const byAxis = new Map<number, SlicePiece[]>();
  for (const p of parts) {
    const piece = slicePieces.get(p);
    if (!piece) terms.push(p);
    else byAxis.set(piece.axis, [...(byAxis.get(piece.axis) ?? []), piece]);
  }
  for (const [axis, pieces] of byAxis) {
    pieces.sort((a, b) => a.start - b.start);
    let run: SlicePiece[] = [];
    const flush = () => {
      if (run.length === 1) terms.push(run[0]!.padded);
      else if (run.length > 1) terms.push(padSliceGradient(o.concat(run.map((r) => r.g), axis), run[0]!.x, axis, run[0]!.start, run[run.length - 1]!.end));
      run = [];
    };
    for (const p of pieces) {
      const last = run[run.length - 1];
      if (last && last.end !== p.start) flush();
      run.push(p);
    }
    flush();
  }
  return terms.reduce((a, b) => o.add(a, b));
}

function matmulGradA(g: Tensor, a: Tensor, b: Tensor): Tensor {
  return unbroadcast(o.matmul(g, o.transposeLast(b)), a);
}

function matmulGradB(g: Tensor, a: Tensor, b: Tensor): Tensor {
  // Weight of a batched activation (the usual linear layer): fold the batch into rows and do
  // one large matmul instead of a batched one followed by a sum.
  if (b.rank === 2 && a.rank > 2) {
    const k = a.shape[a.rank - 1]!;
    const n = g.shape[g.rank - 1]!;
    const a2 = o.reshape(a, [-1, k]);
    const g2 = o.reshape(g, [-1, n]);
    return o.matmul(o.transposeLast(a2), g2);
  }
  return unbroadcast(o.matmul(o.transposeLast(a), g), b);
}

export function hasGradRule(op: string): boolean {
  return op in rules;
}

export interface GradOptions {
  /**
   * Use the closed-form gradients composites attach (custom-gradient.ts: group norm, or any
   * `defineGradient` over primitives). Default true; false differentiates through their
   * primitives (the reference the closed forms are tested against). Kernels — single nodes with
   * an attached rule and no primitive one (layer and RMS norm, rotary positions) — use their rule
   * either way.
   */
  closedForms?: boolean;
  /**
   * Join the gradients of adjacent slices of one tensor with one Concat (sumGradients).
   * Default true; false pads each to full size and adds them (the same values).
   */
  joinSlices?: boolean;
}

/**
 * Gradients of a scalar `loss` with respect to each of `wrt`, as new graph tensors.
 * A tensor that the loss does not depend on gets a zero gradient.
 */
export function grad(loss: Tensor, wrt: Tensor[], opts: GradOptions = {}): Tensor[] {
  if (loss.shape.length !== 0 && !(isStatic(loss.shape) && loss.shape.every((d) => d === 1))) {
    throw new Error(`grad: loss must be a scalar, got ${loss}`);
  }
  if (!isFloat(loss.dtype)) throw new Error(`grad: loss must be float, got ${loss}`);
  const { order } = topoSort([loss]);
  const wanted = new Set(wrt.map((t) => t.id));
  // Only walk nodes that lie on a path from a wanted tensor to the loss; a path through a
  // tensor held constant (ops.stopGradient) carries no gradient, with or without closed forms.
  const onPath = new Set<number>();
  for (const t of order) {
    if (wanted.has(t.id) || (!isHeldConstant(t) && t.inputs.some((i) => onPath.has(i.id)))) onPath.add(t.id);
  }
  const valid = closedFormFor(onPath, wanted);
  // A kernel (one node: a norm, rotary positions) has no primitives to fall back on: its attached
  // rule is its only rule, with or without closed forms.
  const closedForm = opts.closedForms === false ? (node: Tensor) => (node.op in rules ? undefined : valid(node)) : valid;
  // Each tensor's gradient contributions are summed when the walk reaches it (all its users
  // come later in the order), so that sibling slices' can be joined first (sumGradients).
  const parts = new Map<number, Tensor[]>([[loss.id, [o.onesLike(loss)]]]);
  const totals = new Map<number, Tensor>();
  const total = (t: Tensor) => {
    const list = parts.get(t.id);
    if (!list) return undefined;
    let sum = totals.get(t.id);
    if (!sum) totals.set(t.id, (sum = opts.joinSlices === false ? list.reduce((a, b) => o.add(a, b)) : sumGradients(list)));
    return sum;
  };
  const accumulate = (inp: Tensor, gi: Tensor | undefined) => {
    if (!gi || !onPath.has(inp.id)) return;
    const list = parts.get(inp.id);
    if (list) list.push(gi);
    else parts.set(inp.id, [gi]);
  };
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    const g = node.kind === 'op' && onPath.has(node.id) ? total(node) : undefined;
    if (!g) continue;
    const custom = closedForm(node);
    if (custom) {
      // The composite's interior gets no gradient from this output, so the walk skips it.
      const inputGrads = custom.rule(g);
      if (inputGrads.length !== custom.inputs.length) {
        throw new Error(`grad: the closed-form gradient of ${node} returned ${inputGrads.length} gradients for ${custom.inputs.length} inputs`);
      }
      custom.inputs.forEach((inp, i) => accumulate(inp, inputGrads[i]));
      continue;
    }
    const rule = rules[node.op];
    if (!rule) throw new Error(`grad: no gradient rule for op ${node.op} (${node})`);
    const inputGrads = rule(g, [...node.inputs], node, node);
    // A rule that returns too few or too many gradients would silently drop or misroute one
    // (the zip below stops at the inputs), so the contract is checked here, as tinygrad does.
    if (inputGrads.length !== node.inputs.length) {
      throw new Error(`grad: the rule for ${node.op} returned ${inputGrads.length} gradients for ${node.inputs.length} inputs (${node})`);
    }
    node.inputs.forEach((inp, i) => accumulate(inp, inputGrads[i]));
  }
  return wrt.map((t) => total(t) ?? o.zerosLike(t));
}

/**
 * The closed-form gradient attached to a node, when it is valid for this differentiation: the
 * derivative reaches what is differentiated only through the composite's declared inputs, and
 * no tensor asked about lies inside the composite. Otherwise undefined (use the primitives).
 */
function closedFormFor(onPath: Set<number>, wanted: Set<number>): (node: Tensor) => CustomGradient | undefined {
  return (node) => {
    const custom = customGradient(node);
    if (!custom) return undefined;
    const declared = new Set(custom.inputs.map((t) => t.id));
    // covered(t): every path from a differentiated tensor to t passes through a declared input.
    const covered = new Map<number, boolean>();
    const isCovered = (t: Tensor): boolean => {
      if (declared.has(t.id) || !onPath.has(t.id)) return true;
      if (wanted.has(t.id) || t.kind !== 'op') return false;
      let c = covered.get(t.id);
      if (c === undefined) {
        c = t.inputs.every(isCovered);
        covered.set(t.id, c);
      }
      return c;
    };
    return node.inputs.every(isCovered) ? custom : undefined;
  };
}
