// The op vocabulary. Each builder checks its inputs, infers the output shape and dtype at build
// time, and records one ONNX node. Errors name the op and the shapes involved.
import { defineGradient, holdConstant } from './custom-gradient.ts';
import { type DType, ONNX_DTYPE, isFloat } from './dtype.ts';
import { type Dim, type Shape, broadcastShapes, dimAdd, dimSub, formatShape, isStatic, normAxis } from './shape.ts';
import { type Attrs, EXTRA_OUTPUT, Tensor } from './tensor.ts';

export type TensorLike = Tensor | number;

// ---------------------------------------------------------------- leaves

/** A value fed when the graph runs (a batch, a timestep, a learning rate). */
export function input(name: string, shape: Shape, dtype: DType = 'float32'): Tensor {
  return new Tensor('input', 'input', [], {}, dtype, [...shape], name);
}

/** A trainable weight: baked in as an initializer for inference, fed as an input for training. */
export function param(name: string, shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return new Tensor('param', 'param', [], {}, dtype, [...shape], name);
}

export function constant(values: ArrayLike<number> | ArrayLike<bigint>, shape: readonly number[], dtype: DType = 'float32'): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  if (values.length !== n) throw new Error(`constant: ${values.length} values for shape ${formatShape(shape)}`);
  let data;
  if (dtype === 'float32') data = Float32Array.from(values as ArrayLike<number>, Number);
  else if (dtype === 'int64') data = BigInt64Array.from(values as ArrayLike<number>, (v) => BigInt(v));
  else if (dtype === 'int32') data = Int32Array.from(values as ArrayLike<number>, Number);
  else if (dtype === 'bool' || dtype === 'uint8') data = Uint8Array.from(values as ArrayLike<number>, Number);
  else throw new Error(`constant: dtype ${dtype} is not supported for constants`);
  return new Tensor('const', 'const', [], {}, dtype, [...shape], undefined, data);
}

const scalarCache = new Map<string, Tensor>();
/** A rank-0 constant; cached so a graph holds one node per distinct scalar. */
export function scalar(v: number, dtype: DType = 'float32'): Tensor {
  const key = `${dtype}:${Object.is(v, -0) ? '-0' : v}`;
  let t = scalarCache.get(key);
  if (!t) {
    t = constant([v], [], dtype);
    scalarCache.set(key, t);
  }
  return t;
}

function int64s(values: readonly number[]): Tensor {
  return constant(values, [values.length], 'int64');
}

function op(type: string, inputs: Tensor[], dtype: DType, shape: Dim[], attrs: Attrs = {}): Tensor {
  return new Tensor('op', type, inputs, attrs, dtype, shape);
}

function lift(x: TensorLike, like: Tensor): Tensor {
  return typeof x === 'number' ? scalar(x, like.dtype) : x;
}

function requireFloat(name: string, ...xs: Tensor[]): void {
  for (const x of xs) if (!isFloat(x.dtype)) throw new Error(`${name}: needs a float tensor, got ${x}`);
}

const extraOutputs = new WeakMap<Tensor, Map<number, Tensor>>();

/**
 * Output `index` (≥ 1) of the node that made `node` (output 0), e.g. a norm kernel's statistics.
 * One tensor per node and index, so the node names each output once.
 */
export function extraOutput(node: Tensor, index: number, dtype: DType, shape: readonly Dim[]): Tensor {
  if (node.kind !== 'op' || node.op === EXTRA_OUTPUT || !(index >= 1 && Number.isInteger(index))) throw new Error(`extraOutput: output ${index} of ${node}`);
  let byIndex = extraOutputs.get(node);
  if (!byIndex) extraOutputs.set(node, (byIndex = new Map()));
  let t = byIndex.get(index);
  if (!t) byIndex.set(index, (t = new Tensor('op', EXTRA_OUTPUT, [node], { index: { int: index } }, dtype, [...shape])));
  return t;
}

// ---------------------------------------------------------------- elementwise

function binary(type: string, a: TensorLike, b: TensorLike, outDtype?: DType): Tensor {
  if (typeof a === 'number' && typeof b === 'number') throw new Error(`${type}: at least one operand must be a tensor`);
  const ta = typeof a === 'number' ? lift(a, b as Tensor) : a;
  const tb = lift(b, ta);
  if (ta.dtype !== tb.dtype) throw new Error(`${type}: dtypes differ (${ta} and ${tb})`);
  return op(type, [ta, tb], outDtype ?? ta.dtype, broadcastShapes(type, ta.shape, tb.shape));
}

export const add = (a: TensorLike, b: TensorLike) => binary('Add', a, b);
export const sub = (a: TensorLike, b: TensorLike) => binary('Sub', a, b);
export const mul = (a: TensorLike, b: TensorLike) => binary('Mul', a, b);
export const div = (a: TensorLike, b: TensorLike) => binary('Div', a, b);
export const pow = (a: TensorLike, b: TensorLike) => binary('Pow', a, b);
export const maximum = (a: TensorLike, b: TensorLike) => binary('Max', a, b);
export const minimum = (a: TensorLike, b: TensorLike) => binary('Min', a, b);
export const less = (a: TensorLike, b: TensorLike) => binary('Less', a, b, 'bool');
export const greater = (a: TensorLike, b: TensorLike) => binary('Greater', a, b, 'bool');
export const equal = (a: TensorLike, b: TensorLike) => binary('Equal', a, b, 'bool');
export const and = (a: Tensor, b: Tensor) => binary('And', a, b, 'bool');

function unary(type: string, x: Tensor, attrs: Attrs = {}): Tensor {
  return op(type, [x], x.dtype, [...x.shape], attrs);
}

export const neg = (x: Tensor) => unary('Neg', x);
export const abs = (x: Tensor) => unary('Abs', x);
export const sign = (x: Tensor) => unary('Sign', x);
export const sqrt = (x: Tensor) => unary('Sqrt', x);
export const exp = (x: Tensor) => unary('Exp', x);
export const log = (x: Tensor) => unary('Log', x);
export const sin = (x: Tensor) => unary('Sin', x);
export const cos = (x: Tensor) => unary('Cos', x);
export const tanh = (x: Tensor) => unary('Tanh', x);
export const sigmoid = (x: Tensor) => unary('Sigmoid', x);
export const erf = (x: Tensor) => unary('Erf', x);
export const reciprocal = (x: Tensor) => unary('Reciprocal', x);
export const relu = (x: Tensor) => unary('Relu', x);
export const identity = (x: Tensor) => unary('Identity', x);
/** x as a constant to autodiff: its value passes, no gradient flows back through it. */
export const stopGradient = (x: Tensor) => holdConstant(identity(x));
export const not = (x: Tensor) => unary('Not', x);
/** Exact (erf) GELU, one ONNX node (opset 20). */
export const gelu = (x: Tensor) => (requireFloat('gelu', x), unary('Gelu', x, { approximate: { str: 'none' } }));
export const silu = (x: Tensor) => mul(x, sigmoid(x));
export const square = (x: Tensor) => mul(x, x);

export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (cond.dtype !== 'bool') throw new Error(`where: condition must be bool, got ${cond}`);
  const ta = typeof a === 'number' ? lift(a, b as Tensor) : a;
  const tb = lift(b, ta);
  if (ta.dtype !== tb.dtype) throw new Error(`where: dtypes differ (${ta} and ${tb})`);
  return op('Where', [cond, ta, tb], ta.dtype, broadcastShapes('where', cond.shape, ta.shape, tb.shape));
}

export function clamp(x: Tensor, min: number, max: number): Tensor {
  if (!(min <= max)) throw new Error(`clamp: min ${min} is greater than max ${max}`);
  return op('Clip', [x, scalar(min, x.dtype), scalar(max, x.dtype)], x.dtype, [...x.shape]);
}

export function cast(x: Tensor, to: DType): Tensor {
  if (x.dtype === to) return x;
  return op('Cast', [x], to, [...x.shape], { to: { int: ONNX_DTYPE[to] } });
}

// ---------------------------------------------------------------- matmul

/** Batched matmul with numpy broadcasting of the leading dims; both operands rank ≥ 2. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank < 2 || b.rank < 2) throw new Error(`matmul: operands need rank ≥ 2, got ${a} and ${b}`);
  if (a.dtype !== b.dtype) throw new Error(`matmul: dtypes differ (${a} and ${b})`);
  const [m, k] = a.shape.slice(-2) as [Dim, Dim];
  const [k2, n] = b.shape.slice(-2) as [Dim, Dim];
  if (k !== k2) throw new Error(`matmul: inner dims differ: ${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
  const batch = broadcastShapes('matmul (batch dims)', a.shape.slice(0, -2), b.shape.slice(0, -2));
  return op('MatMul', [a, b], a.dtype, [...batch, m, n]);
}

// ---------------------------------------------------------------- reductions

function reduce(type: string, x: Tensor, axes: number | number[] | undefined, keepdims: boolean): Tensor {
  const list = axes === undefined ? x.shape.map((_, i) => i) : Array.isArray(axes) ? axes : [axes];
  const norm = [...new Set(list.map((a) => normAxis(a, x.rank, type)))].sort((p, q) => p - q);
  const shape: Dim[] = [];
  x.shape.forEach((d, i) => {
    if (!norm.includes(i)) shape.push(d);
    else if (keepdims) shape.push(1);
  });
  return op(type, [x, int64s(norm)], x.dtype, shape, { keepdims: { int: keepdims ? 1 : 0 } });
}

export const sum = (x: Tensor, axes?: number | number[], keepdims = false) => reduce('ReduceSum', x, axes, keepdims);
export const mean = (x: Tensor, axes?: number | number[], keepdims = false) => reduce('ReduceMean', x, axes, keepdims);
export const max = (x: Tensor, axes?: number | number[], keepdims = false) => reduce('ReduceMax', x, axes, keepdims);
export const prod = (x: Tensor, axes?: number | number[], keepdims = false) => reduce('ReduceProd', x, axes, keepdims);

/** The number of elements along `axes` of x, as a float32 scalar (read at run time when dims are symbolic). */
export function countAlong(x: Tensor, axes: number[]): Tensor {
  const dims = axes.map((a) => x.shape[normAxis(a, x.rank, 'countAlong')]!);
  if (dims.every((d) => typeof d === 'number')) return scalar((dims as number[]).reduce((p, q) => p * q, 1));
  const picked = op('Gather', [shapeOf(x), int64s(axes.map((a) => normAxis(a, x.rank, 'countAlong')))], 'int64', [axes.length], { axis: { int: 0 } });
  return cast(prod(picked), 'float32');
}

export function softmax(x: Tensor, axis = -1): Tensor {
  requireFloat('softmax', x);
  return unary('Softmax', x, { axis: { int: normAxis(axis, x.rank, 'softmax') } });
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  requireFloat('logSoftmax', x);
  return unary('LogSoftmax', x, { axis: { int: normAxis(axis, x.rank, 'logSoftmax') } });
}

// ---------------------------------------------------------------- norms (one node each)
// Each norm's forward pass is one ONNX Runtime kernel — LayerNormalization (ONNX, opset 17) and
// SimplifiedLayerNormalization (RMS norm; ONNX Runtime's own op in the ONNX domain) — with the
// weight and bias as the kernel's scale and bias. Written out of primitives it was 7–9 nodes that
// ONNX Runtime did not fuse (its patterns want Pow and an affine tail), and at the model's sizes a
// denoiser call was mostly per-node overhead. The gradient is the closed form (custom-gradient.ts)
// on the kernel's own statistics (its further outputs, `extraOutput`), which inference graphs
// never ask for.

const onesByWidth = new Map<number, Tensor>();
/** A float [d] of ones, the scale of a norm without a weight; one constant per width, so a graph holds one. */
function normScaleOnes(x: Tensor, d: number): Tensor {
  let ones = onesByWidth.get(d);
  if (!ones) onesByWidth.set(d, (ones = constant(new Float32Array(d).fill(1), [d])));
  return x.dtype === 'float32' ? ones : cast(ones, x.dtype);
}

/** The norm's width (the last axis), which its kernel needs to be static. */
function normWidth(name: string, x: Tensor, weight?: Tensor, bias?: Tensor): number {
  requireFloat(name, x);
  const d = x.shape[x.rank - 1];
  if (typeof d !== 'number') throw new Error(`${name}: the last axis of ${x} must be static`);
  for (const p of [weight, bias]) {
    if (p && (p.rank !== 1 || p.shape[0] !== d)) throw new Error(`${name}: ${p} must be [${d}] to match ${x}`);
  }
  return d;
}

/** Sum over every axis but the last: a per-feature parameter's gradient. */
function sumLeading(t: Tensor): Tensor {
  return t.rank === 1 ? t : sum(t, Array.from({ length: t.rank - 1 }, (_, i) => i));
}

/**
 * (x − mean x) / √(var x + eps) over the last axis, times weight, plus bias. Gradient, with
 * ŷ the normalised x, s the divisor and gw = g·weight: dx = (gw − mean(gw) − ŷ·mean(gw·ŷ)) / s,
 * dweight = Σ g·ŷ, dbias = Σ g over the leading axes.
 */
export function layerNorm(x: Tensor, weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  const d = normWidth('layerNorm', x, weight, bias);
  const y = op('LayerNormalization', bias ? [x, weight ?? normScaleOnes(x, d), bias] : [x, weight ?? normScaleOnes(x, d)], x.dtype, [...x.shape], {
    axis: { int: -1 },
    epsilon: { float: eps },
  });
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return defineGradient(y, inputs, (g) => {
    // The kernel's own statistics: output 1 is the mean, output 2 1/s, both [..., 1].
    const mu = extraOutput(y, 1, x.dtype, [...x.shape.slice(0, -1), 1]);
    const invStd = extraOutput(y, 2, x.dtype, [...x.shape.slice(0, -1), 1]);
    const normed = mul(sub(x, mu), invStd);
    const gw = weight ? mul(g, weight) : g;
    const dx = mul(sub(sub(gw, mean(gw, -1, true)), mul(normed, mean(mul(gw, normed), -1, true))), invStd);
    return [dx, ...(weight ? [sumLeading(mul(g, normed))] : []), ...(bias ? [sumLeading(g)] : [])];
  });
}

/**
 * x / √(mean x² + eps) over the last axis, times weight. Gradient, with ŷ the normalised x, s the
 * divisor and gw = g·weight: dx = (gw − ŷ·mean(gw·ŷ)) / s, dweight = Σ g·ŷ over the leading axes.
 */
export function rmsNorm(x: Tensor, weight?: Tensor, eps = 1e-6): Tensor {
  const d = normWidth('rmsNorm', x, weight);
  const y = op('SimplifiedLayerNormalization', [x, weight ?? normScaleOnes(x, d)], x.dtype, [...x.shape], { axis: { int: -1 }, epsilon: { float: eps } });
  return defineGradient(y, weight ? [x, weight] : [x], (g) => {
    // The kernel's own statistic: output 1 is 1/s, [..., 1].
    const invStd = extraOutput(y, 1, x.dtype, [...x.shape.slice(0, -1), 1]);
    const normed = mul(x, invStd);
    const gw = weight ? mul(g, weight) : g;
    const dx = mul(sub(gw, mul(normed, mean(mul(gw, normed), -1, true))), invStd);
    return weight ? [dx, sumLeading(mul(g, normed))] : [dx];
  });
}

// ---------------------------------------------------------------- rotary positions

/**
 * Rotary position embedding in the rotate-half layout: x·cos + rotate_half(x)·sin over the last
 * axis of x [B, H, T, Dh], rotate_half(x) = [−x₂, x₁]. `cos` and `sin` are [T, Dh] tables whose
 * two halves are equal (nn/attention.ts ropeTables), one row per token, any positions. One ONNX
 * Runtime kernel (com.microsoft.RotaryEmbedding, rows 0…T−1 of the half tables) instead of six
 * nodes per use. The rotation is orthogonal, so the gradient is the inverse rotation: the same
 * kernel with −sin.
 */
export function rotaryEmbedding(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  requireFloat('rotaryEmbedding', x, cos, sin);
  const dh = x.shape[x.rank - 1];
  if (x.rank !== 4 || typeof dh !== 'number' || dh % 2 !== 0) throw new Error(`rotaryEmbedding: ${x} must be [B, H, T, Dh] with an even, static Dh`);
  for (const t of [cos, sin]) {
    if (t.rank !== 2 || t.shape[1] !== dh) throw new Error(`rotaryEmbedding: table ${t} must be [T, ${dh}]`);
  }
  const rotate = (v: Tensor, sinTable: Tensor) => {
    const inputs = [v, ROTARY_FIRST_POSITION, firstHalf(cos), firstHalf(sinTable)];
    return new Tensor('op', 'RotaryEmbedding', inputs, { interleaved: { int: 0 } }, v.dtype, [...v.shape], undefined, undefined, 'com.microsoft');
  };
  const y = rotate(x, sin);
  return defineGradient(y, [x], (g) => [rotate(g, negated(sin))]);
}

/** position_ids [0]: the kernel reads rows 0…T−1 of the tables. */
const ROTARY_FIRST_POSITION = constant([0], [1], 'int64');
// Every block of a model rotates with the same tables: their half (and −sin) is built once per table.
const halves = new WeakMap<Tensor, Tensor>();
const negations = new WeakMap<Tensor, Tensor>();

function firstHalf(table: Tensor): Tensor {
  let h = halves.get(table);
  if (!h) halves.set(table, (h = slice(table, -1, 0, (table.shape[1] as number) / 2)));
  return h;
}

function negated(table: Tensor): Tensor {
  let n = negations.get(table);
  if (!n) negations.set(table, (n = neg(table)));
  return n;
}

// ---------------------------------------------------------------- shape ops

/** The runtime shape of x as an int64 vector (for shapes that are only known when the graph runs). */
export function shapeOf(x: Tensor): Tensor {
  return op('Shape', [x], 'int64', [x.rank]);
}

/**
 * Reshape to a shape of numbers, symbols and at most one -1. A symbol is read at run time off
 * x's own shape, or off the `dimsFrom` tensors (e.g. reshape windows back to [B, L, D] using
 * the token-id tensor that carries L).
 */
export function reshape(x: Tensor, shape: readonly Dim[], dimsFrom: Tensor[] = []): Tensor {
  const inferred = inferReshape(x, shape, dimsFrom);
  if (isStatic(shape)) return op('Reshape', [x, int64s(shape as number[])], x.dtype, inferred);
  // A symbol at the same place in x is ONNX's 0 ("keep this dim"), and one other symbol can be
  // its -1: one constant and one node instead of reading dims off Shape (five nodes per reshape,
  // most of a small graph's per-call overhead).
  const kept = shape.map((d, i) => (typeof d === 'number' ? d : x.shape[i] === d ? 0 : undefined));
  const open = kept.filter((d) => d === undefined).length;
  if (open === 0 || (open === 1 && !shape.includes(-1))) {
    return op('Reshape', [x, int64s(kept.map((d) => d ?? -1))], x.dtype, inferred);
  }
  const parts = shape.map((d) => {
    if (typeof d === 'number') return int64s([d]);
    for (const src of [x, ...dimsFrom]) {
      const i = src.shape.indexOf(d);
      if (i >= 0) return op('Gather', [shapeOf(src), int64s([i])], 'int64', [1], { axis: { int: 0 } });
    }
    throw new Error(`reshape: symbolic dim '${d}' is not a dim of the input ${x}${dimsFrom.length ? ' or of ' + dimsFrom.join(', ') : ''}`);
  });
  return op('Reshape', [x, concat(parts, 0)], x.dtype, inferred);
}

/** Reshape to the runtime shape of another tensor (used by gradients). */
export function reshapeLike(x: Tensor, like: Tensor): Tensor {
  if (isStatic(like.shape)) return reshape(x, like.shape);
  return op('Reshape', [x, shapeOf(like)], x.dtype, [...like.shape]);
}

function inferReshape(x: Tensor, shape: readonly Dim[], dimsFrom: Tensor[]): Dim[] {
  const minus = shape.filter((d) => d === -1).length;
  if (minus > 1) throw new Error(`reshape: more than one -1 in ${formatShape(shape)}`);
  for (const d of shape) {
    if (typeof d === 'number' && (d < -1 || d === 0 || !Number.isInteger(d))) {
      throw new Error(`reshape: invalid dim ${d} in ${formatShape(shape)}`);
    }
  }
  if (isStatic(x.shape) && isStatic(shape)) {
    const total = x.shape.reduce((a, b) => a * b, 1);
    const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    if (minus === 0 ? known !== total : total % known !== 0) {
      throw new Error(`reshape: cannot reshape ${formatShape(x.shape)} (${total} elements) to ${formatShape(shape)}`);
    }
    return shape.map((d) => (d === -1 ? total / known : d));
  }
  if (minus === 0 || dimsFrom.length > 0) {
    if (minus > 0) throw new Error(`reshape: -1 cannot be combined with dims read from other tensors (${formatShape(shape)})`);
    return [...shape];
  }
  // With symbols, -1 becomes a product-quotient symbol unless it can be cancelled exactly.
  const rest = [...x.shape];
  let numeric = 1;
  for (const d of shape) {
    if (d === -1) continue;
    const i = rest.indexOf(d);
    if (i >= 0) rest.splice(i, 1);
    else if (typeof d === 'number') numeric *= d;
    else throw new Error(`reshape: symbolic dim '${d}' is not a dim of the input ${x}`);
  }
  const nums = rest.filter((d): d is number => typeof d === 'number').reduce((a, b) => a * b, 1);
  const syms = rest.filter((d) => typeof d === 'string');
  let derived: Dim;
  if (nums % numeric === 0) {
    const q = nums / numeric;
    derived = syms.length === 0 ? q : q === 1 && syms.length === 1 ? syms[0]! : [q, ...syms].filter((v) => v !== 1).join('*');
  } else if (syms.length > 0) {
    derived = `${[nums, ...syms].filter((v) => v !== 1).join('*')}/${numeric}`; // divisible only at run time
  } else {
    throw new Error(`reshape: cannot reshape ${formatShape(x.shape)} to ${formatShape(shape)}`);
  }
  return shape.map((d) => (d === -1 ? derived : d));
}

export function transpose(x: Tensor, perm: number[]): Tensor {
  if (perm.length !== x.rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new Error(`transpose: perm [${perm}] is not a permutation of rank ${x.rank} (${x})`);
  }
  return op('Transpose', [x], x.dtype, perm.map((p) => x.shape[p]!), { perm: { ints: perm } });
}

/** Swaps the last two axes. */
export function transposeLast(x: Tensor): Tensor {
  const perm = x.shape.map((_, i) => i);
  perm[x.rank - 2] = x.rank - 1;
  perm[x.rank - 1] = x.rank - 2;
  return transpose(x, perm);
}

export function concat(xs: Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new Error('concat: no tensors');
  if (xs.length === 1) return xs[0]!;
  const first = xs[0]!;
  const ax = normAxis(axis, first.rank, 'concat');
  let total: Dim = 0;
  for (const x of xs) {
    if (x.rank !== first.rank || x.dtype !== first.dtype) throw new Error(`concat: ${x} does not match ${first}`);
    x.shape.forEach((d, i) => {
      if (i !== ax && d !== first.shape[i]) {
        throw new Error(`concat: shapes ${xs.map((t) => formatShape(t.shape)).join(', ')} differ off axis ${ax}`);
      }
    });
    total = dimAdd(total, x.shape[ax]!);
  }
  const shape = [...first.shape];
  shape[ax] = total;
  return op('Concat', xs, first.dtype, shape, { axis: { int: ax } });
}

/** x[start:end] along one axis (step 1). end may be omitted for "to the end". */
export function slice(x: Tensor, axis: number, start: number, end?: number): Tensor {
  const ax = normAxis(axis, x.rank, 'slice');
  const d = x.shape[ax]!;
  let len: Dim;
  if (typeof d === 'number') {
    const e = end === undefined ? d : end < 0 ? d + end : Math.min(end, d);
    const s = start < 0 ? d + start : start;
    if (s < 0 || s >= e) throw new Error(`slice: empty or invalid range ${start}:${end ?? ''} of axis ${ax} in ${x}`);
    len = e - s;
  } else {
    if (start < 0 || (end !== undefined && end <= start)) throw new Error(`slice: symbolic axis ${ax} of ${x} needs 0 ≤ start < end`);
    len = end === undefined ? dimSub(d, start) : end - start;
  }
  const shape = [...x.shape];
  shape[ax] = len;
  const endValue = end ?? Number.MAX_SAFE_INTEGER;
  return op('Slice', [x, int64s([start]), int64s([endValue]), int64s([ax])], x.dtype, shape);
}

/** Splits evenly (or by sizes) along one axis into slices. */
export function split(x: Tensor, axis: number, sizes: number | number[]): Tensor[] {
  const ax = normAxis(axis, x.rank, 'split');
  const d = x.shape[ax]!;
  if (typeof d !== 'number') throw new Error(`split: axis ${ax} of ${x} must be static`);
  const parts = typeof sizes === 'number' ? Array(sizes).fill(d / sizes) : sizes;
  if (parts.some((p) => !Number.isInteger(p) || p <= 0) || parts.reduce((a, b) => a + b, 0) !== d) {
    throw new Error(`split: sizes [${parts}] do not divide axis ${ax} of ${x}`);
  }
  let at = 0;
  return parts.map((p) => slice(x, ax, at, (at += p)));
}

/** Rows of `data` along axis 0 picked by integer `indices` (embedding lookup). */
export function gather(data: Tensor, indices: Tensor): Tensor {
  if (indices.dtype !== 'int64' && indices.dtype !== 'int32') throw new Error(`gather: indices must be int64 or int32, got ${indices}`);
  return op('Gather', [data, indices], data.dtype, [...indices.shape, ...data.shape.slice(1)], { axis: { int: 0 } });
}

/** Adds `updates` into a zero tensor shaped like `like` at rows `indices` (the gradient of gather). */
export function scatterAddRows(like: Tensor, indices: Tensor, updates: Tensor): Tensor {
  const idx = unsqueeze(cast(indices, 'int64'), -1);
  const zeros = zerosLike(like);
  return op('ScatterND', [zeros, idx, updates], like.dtype, [...like.shape], { reduction: { str: 'add' } });
}

export function expand(x: Tensor, shape: readonly Dim[]): Tensor {
  const out = broadcastShapes('expand', x.shape, shape);
  if (isStatic(shape)) return op('Expand', [x, int64s(shape as number[])], x.dtype, out);
  throw new Error(`expand: target shape ${formatShape(shape)} must be static; use expandLike`);
}

/** Broadcasts x to the runtime shape of `like`. */
export function expandLike(x: Tensor, like: Tensor): Tensor {
  const out = broadcastShapes('expand', x.shape, like.shape);
  if (isStatic(like.shape)) return op('Expand', [x, int64s(like.shape as number[])], x.dtype, out);
  return op('Expand', [x, shapeOf(like)], x.dtype, out);
}

export function unsqueeze(x: Tensor, axis: number): Tensor {
  const ax = normAxis(axis, x.rank + 1, 'unsqueeze');
  const shape = [...x.shape];
  shape.splice(ax, 0, 1);
  return op('Unsqueeze', [x, int64s([ax])], x.dtype, shape);
}

export function squeeze(x: Tensor, axis: number): Tensor {
  const ax = normAxis(axis, x.rank, 'squeeze');
  if (x.shape[ax] !== 1) throw new Error(`squeeze: axis ${ax} of ${x} is not 1`);
  const shape = [...x.shape];
  shape.splice(ax, 1);
  return op('Squeeze', [x, int64s([ax])], x.dtype, shape);
}

/** Zero padding of a static-shaped tensor: pads[i] = [before, after] for axis i. */
export function pad(x: Tensor, pads: Array<[number, number]>): Tensor {
  if (pads.length !== x.rank) throw new Error(`pad: ${pads.length} pad pairs for ${x}`);
  const shape = x.shape.map((d, i) => {
    const [b, a] = pads[i]!;
    if (b === 0 && a === 0) return d;
    if (typeof d !== 'number') throw new Error(`pad: axis ${i} of ${x} must be static to pad it`);
    return d + b + a;
  });
  const flat = [...pads.map((p) => p[0]), ...pads.map((p) => p[1])];
  return op('Pad', [x, int64s(flat), scalar(0, x.dtype)], x.dtype, shape, { mode: { str: 'constant' } });
}

/** Zero padding by a runtime int64 pads tensor ([begins..., ends...]) to a known result shape. */
export function padDynamic(x: Tensor, pads: Tensor, shape: Dim[]): Tensor {
  return op('Pad', [x, pads, scalar(0, x.dtype)], x.dtype, shape, { mode: { str: 'constant' } });
}

/** Dim `axis` of x as an int64 vector of length 1 (read at run time). */
export function dimOf(x: Tensor, axis: number): Tensor {
  const ax = normAxis(axis, x.rank, 'dimOf');
  const d = x.shape[ax]!;
  if (typeof d === 'number') return int64s([d]);
  return op('Gather', [shapeOf(x), int64s([ax])], 'int64', [1], { axis: { int: 0 } });
}

export function zerosLike(x: Tensor): Tensor {
  return expandLike(scalar(0, x.dtype), x);
}

export function onesLike(x: Tensor): Tensor {
  return expandLike(scalar(1, x.dtype), x);
}

// ---------------------------------------------------------------- image ops
// conv2d differentiates at stride 1 (autodiff.ts: its adjoint below, and a weight gradient that is
// itself a convolution); group norm is a composite with a closed form; upsample2d has no rule.

export interface Conv2dOptions {
  stride?: number;
  /** Zero padding on every side. */
  padding?: number;
  dilation?: number;
  groups?: number;
}

/** Output size of a convolution along one axis; symbolic sizes get a derived symbol ("H" when unchanged). */
function convDim(d: Dim, k: number, s: number, p: number, dil: number): Dim {
  const a = 2 * p - dil * (k - 1) - 1;
  if (typeof d === 'number') {
    const out = Math.floor((d + a) / s) + 1;
    if (out < 1) throw new Error(`conv2d: input size ${d} is too small for kernel ${k} (padding ${p}, dilation ${dil})`);
    return out;
  }
  if (s === 1) return a + 1 === 0 ? d : `${d}${a + 1 > 0 ? '+' : ''}${a + 1}`;
  return `(${d}${a >= 0 ? '+' : ''}${a})/${s}+1`;
}

/** 2-D convolution: x [B, C, H, W], weight [O, C/groups, kh, kw], optional bias [O] → [B, O, H', W']. */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor, opts: Conv2dOptions = {}): Tensor {
  const { stride = 1, padding = 0, dilation = 1, groups = 1 } = opts;
  if (x.rank !== 4 || weight.rank !== 4) throw new Error(`conv2d: needs x [B, C, H, W] and weight [O, C/groups, kh, kw], got ${x} and ${weight}`);
  requireFloat('conv2d', x, weight);
  const [o, ci, kh, kw] = weight.shape as number[];
  const c = x.shape[1];
  if (typeof c !== 'number' || c % groups !== 0 || c / groups !== ci || o! % groups !== 0) {
    throw new Error(`conv2d: ${x} has ${c} channels, weight ${weight} expects ${ci} per group × ${groups} groups`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== o)) throw new Error(`conv2d: bias ${bias} does not match ${o} output channels`);
  const shape: Dim[] = [x.shape[0]!, o!, convDim(x.shape[2]!, kh!, stride, padding, dilation), convDim(x.shape[3]!, kw!, stride, padding, dilation)];
  const attrs: Attrs = {
    kernel_shape: { ints: [kh!, kw!] },
    strides: { ints: [stride, stride] },
    pads: { ints: [padding, padding, padding, padding] },
    dilations: { ints: [dilation, dilation] },
    group: { int: groups },
  };
  return op('Conv', bias ? [x, weight, bias] : [x, weight], x.dtype, shape, attrs);
}

/**
 * The adjoint of a stride-1 `conv2d` with the same weight and padding (its input gradient):
 * g [B, O, H', W'], weight [O, C, kh, kw] → [B, C, H' + kh − 1 − 2p, W' + kw − 1 − 2p], as one
 * ONNX ConvTranspose.
 */
export function convTranspose2d(g: Tensor, weight: Tensor, opts: { padding?: number } = {}): Tensor {
  const padding = opts.padding ?? 0;
  if (g.rank !== 4 || weight.rank !== 4) throw new Error(`convTranspose2d: needs g [B, O, H, W] and weight [O, C, kh, kw], got ${g} and ${weight}`);
  requireFloat('convTranspose2d', g, weight);
  const [o, c, kh, kw] = weight.shape as number[];
  if (g.shape[1] !== o) throw new Error(`convTranspose2d: ${g} has ${g.shape[1]} channels, weight ${weight} expects ${o}`);
  const grow = (d: Dim, k: number): Dim => {
    const a = k - 1 - 2 * padding;
    if (typeof d === 'number') return d + a;
    return a === 0 ? d : `${d}${a > 0 ? '+' : ''}${a}`;
  };
  const attrs: Attrs = { kernel_shape: { ints: [kh!, kw!] }, strides: { ints: [1, 1] }, pads: { ints: [padding, padding, padding, padding] } };
  return op('ConvTranspose', [g, weight], g.dtype, [g.shape[0]!, c!, grow(g.shape[2]!, kh!), grow(g.shape[3]!, kw!)], attrs);
}

/**
 * The weight gradient of a stride-1 `conv2d`: dW[o, c, i, j] = Σ_b,y,x g[b, o, y, x]·x_pad[b, c, y + i, x + j].
 * That is itself a convolution once batch and channels swap places — x as [C, B, H, W] convolved
 * with g as an [O, B, H', W'] kernel gives [C, O, kh, kw] — so it runs as one ONNX Conv (the
 * batch may be symbolic: it becomes the contracted channel axis).
 */
export function conv2dWeightGradient(x: Tensor, g: Tensor, kernel: readonly [number, number], padding = 0): Tensor {
  if (x.rank !== 4 || g.rank !== 4) throw new Error(`conv2dWeightGradient: needs x [B, C, H, W] and g [B, O, H', W'], got ${x} and ${g}`);
  requireFloat('conv2dWeightGradient', x, g);
  const attrs: Attrs = { strides: { ints: [1, 1] }, pads: { ints: [padding, padding, padding, padding] }, dilations: { ints: [1, 1] } };
  const swapped = op('Conv', [transpose(x, [1, 0, 2, 3]), transpose(g, [1, 0, 2, 3])], x.dtype, [x.shape[1]!, g.shape[1]!, kernel[0], kernel[1]], attrs);
  return transpose(swapped, [1, 0, 2, 3]);
}

/**
 * Group normalisation over x [B, C, ...]: statistics per sample over each group of C/groups
 * channels and every spatial position, then a per-channel scale and shift. `groups` = C is
 * instance normalisation. A composite of primitives, so it also differentiates and takes
 * symbolic spatial dims.
 */
export function groupNorm(x: Tensor, groups: number, weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  requireFloat('groupNorm', x);
  const c = x.shape[1];
  if (x.rank < 3 || typeof c !== 'number' || c % groups !== 0) throw new Error(`groupNorm: ${x} needs [B, C, ...] with C divisible by ${groups} groups`);
  for (const p of [weight, bias]) if (p && (p.rank !== 1 || p.shape[0] !== c)) throw new Error(`groupNorm: ${p} must be [${c}]`);
  const b = x.shape[0]!;
  const g = isStatic(x.shape) ? reshape(x, [b, groups, -1]) : op('Reshape', [x, int64s([0, groups, -1])], x.dtype, [b, groups, `${numelAfter(x, 1)}/${groups}`], {});
  const mu = mean(g, -1, true);
  const gc = sub(g, mu);
  const variance = mean(mul(gc, gc), -1, true);
  let y = reshapeLike(centredNormGradient(g, div(gc, sqrt(add(variance, eps)))), x);
  const perChannel = (p: Tensor) => reshape(p, [c, ...Array(x.rank - 2).fill(1)]);
  if (weight) y = mul(y, perChannel(weight));
  if (bias) y = add(y, perChannel(bias));
  return y;
}

/**
 * y = (x − mean x) / s over the last axis, s = √(var x + eps) (the node y divides by):
 * dx = (g − mean(g) − y·mean(g·y)) / s, all means over the last axis.
 */
function centredNormGradient(x: Tensor, y: Tensor): Tensor {
  const s = y.inputs[1]!;
  return defineGradient(y, [x], (g) => {
    const gs = div(g, s);
    return [sub(sub(gs, mean(gs, -1, true)), mul(y, mean(mul(gs, y), -1, true)))];
  });
}

function numelAfter(x: Tensor, axis: number): string {
  return x.shape.slice(axis).join('*');
}

/** Instance normalisation: group normalisation with one group per channel. */
export function instanceNorm(x: Tensor, weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  return groupNorm(x, x.shape[1] as number, weight, bias, eps);
}

export interface UpsampleOptions {
  /** 'nearest' repeats each value (as torch's F.interpolate mode="nearest"); 'linear' is bilinear with half-pixel centres (align_corners=False). */
  mode?: 'nearest' | 'linear';
}

/** Upsamples the two spatial axes of x [B, C, H, W] by an integer factor. */
export function upsample2d(x: Tensor, factor: number, opts: UpsampleOptions = {}): Tensor {
  if (x.rank !== 4) throw new Error(`upsample2d: needs [B, C, H, W], got ${x}`);
  if (!Number.isInteger(factor) || factor < 1) throw new Error(`upsample2d: factor must be a positive integer, got ${factor}`);
  requireFloat('upsample2d', x);
  const mode = opts.mode ?? 'nearest';
  const up = (d: Dim): Dim => (typeof d === 'number' ? d * factor : `${d}*${factor}`);
  const roi = constant([], [0]);
  const scales = constant([1, 1, factor, factor], [4]);
  const attrs: Attrs =
    mode === 'nearest'
      ? { mode: { str: 'nearest' }, coordinate_transformation_mode: { str: 'asymmetric' }, nearest_mode: { str: 'floor' } }
      : { mode: { str: 'linear' }, coordinate_transformation_mode: { str: 'pytorch_half_pixel' } };
  return op('Resize', [x, roi, scales], x.dtype, [x.shape[0]!, x.shape[1]!, up(x.shape[2]!), up(x.shape[3]!)], attrs);
}
