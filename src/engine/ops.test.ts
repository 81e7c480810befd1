// Every op's forward pass through ONNX Runtime against a plain-TypeScript reference on random
// inputs, including broadcasting and symbolic dims.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HostTensor } from './host.ts';
import * as o from './ops.ts';
import { Rng } from './random.ts';
import { evaluate } from './runtime.ts';
import type { Tensor } from './tensor.ts';

// ---- a tiny reference: dense row-major arrays with numpy broadcasting
interface Ref {
  shape: number[];
  data: Float64Array;
}

const rng = new Rng(1234);
function rand(shape: number[], lo = -2, hi = 2): Ref {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.fround(lo + (hi - lo) * rng.uniform());
  return { shape, data };
}
const feed = (r: Ref) => HostTensor.f32(Float32Array.from(r.data), r.shape);
const strides = (s: number[]) => s.map((_, i) => s.slice(i + 1).reduce((a, b) => a * b, 1));

function bshape(a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  return Array.from({ length: r }, (_, i) => {
    const x = a[i - (r - a.length)] ?? 1;
    const y = b[i - (r - b.length)] ?? 1;
    return x === 1 ? y : x;
  });
}
function at(r: Ref, idx: number[]): number {
  const off = idx.length - r.shape.length;
  const st = strides(r.shape);
  let k = 0;
  r.shape.forEach((d, i) => (k += (d === 1 ? 0 : idx[i + off]!) * st[i]!));
  return r.data[k]!;
}
function unravel(i: number, shape: number[]): number[] {
  const st = strides(shape);
  return shape.map((_, k) => Math.floor(i / st[k]!) % shape[k]!);
}
function zip(a: Ref, b: Ref, f: (x: number, y: number) => number): Ref {
  const shape = bshape(a.shape, b.shape);
  const n = shape.reduce((p, q) => p * q, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, shape);
    data[i] = f(at(a, idx), at(b, idx));
  }
  return { shape, data };
}
const map = (a: Ref, f: (x: number) => number): Ref => ({ shape: a.shape, data: a.data.map(f) });

function refMatmul(a: Ref, b: Ref): Ref {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const batch = bshape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const shape = [...batch, m, n];
  const total = shape.reduce((p, q) => p * q, 1);
  const data = new Float64Array(total);
  for (let i = 0; i < total; i++) {
    const idx = unravel(i, shape);
    const bi = idx.slice(0, -2);
    let s = 0;
    for (let kk = 0; kk < k; kk++) s += at(a, [...bi, idx[idx.length - 2]!, kk]) * at(b, [...bi, kk, idx[idx.length - 1]!]);
    data[i] = s;
  }
  return { shape, data };
}

function refReduce(a: Ref, axes: number[], keep: boolean, f: (xs: number[]) => number): Ref {
  const outFull = a.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const n = outFull.reduce((p, q) => p * q, 1);
  const groups: number[][] = Array.from({ length: n }, () => []);
  const ost = strides(outFull);
  for (let i = 0; i < a.data.length; i++) {
    const idx = unravel(i, a.shape);
    let k = 0;
    idx.forEach((v, d) => (k += (axes.includes(d) ? 0 : v) * ost[d]!));
    groups[k]!.push(a.data[i]!);
  }
  return { shape: keep ? outFull : a.shape.filter((_, i) => !axes.includes(i)), data: Float64Array.from(groups.map(f)) };
}
const sumOf = (xs: number[]) => xs.reduce((p, q) => p + q, 0);

function refSoftmax(a: Ref, axis: number): Ref {
  const mx = refReduce(a, [axis], true, (xs) => Math.max(...xs));
  const e = zip(a, mx, (x, m) => Math.exp(x - m));
  const s = refReduce(e, [axis], true, sumOf);
  return zip(e, s, (x, y) => x / y);
}

function refTranspose(a: Ref, perm: number[]): Ref {
  const shape = perm.map((p) => a.shape[p]!);
  const data = new Float64Array(a.data.length);
  for (let i = 0; i < data.length; i++) {
    const idx = unravel(i, shape);
    const src = new Array(perm.length);
    perm.forEach((p, k) => (src[p] = idx[k]));
    data[i] = at(a, src);
  }
  return { shape, data };
}

async function check(out: Tensor, feeds: Record<string, Ref>, want: Ref, tol = 1e-5): Promise<void> {
  const hf: Record<string, HostTensor> = {};
  for (const [k, v] of Object.entries(feeds)) hf[k] = feed(v);
  const got = (await evaluate({ y: out }, hf)).y!;
  assert.deepEqual([...got.shape], want.shape, `shape of ${out.op}`);
  const g = got.data as Float32Array;
  for (let i = 0; i < want.data.length; i++) {
    const w = want.data[i]!;
    const err = Math.abs(g[i]! - w);
    if (!(err <= tol * (1 + Math.abs(w)))) assert.fail(`${out.op}: element ${i} is ${g[i]}, reference ${w}`);
  }
}

describe('elementwise ops with broadcasting', () => {
  const binaries: Array<[string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number, number?]> = [
    ['add', o.add, (x, y) => x + y],
    ['sub', o.sub, (x, y) => x - y],
    ['mul', o.mul, (x, y) => x * y],
    ['div', o.div, (x, y) => x / y],
    ['maximum', o.maximum, Math.max],
    ['minimum', o.minimum, Math.min],
  ];
  for (const [name, f, ref] of binaries) {
    test(`${name} [2,3,4] with [3,1] and with a scalar`, async () => {
      const a = rand([2, 3, 4]);
      const b = rand([3, 1], 0.5, 2);
      await check(f(o.input('a', [2, 3, 4]), o.input('b', [3, 1])), { a, b }, zip(a, b, ref));
      await check(f(o.input('a', [2, 3, 4]), o.scalar(1.5) as Tensor), { a }, map(a, (x) => ref(x, 1.5)));
    });
  }

  test('pow with a positive base', async () => {
    const a = rand([4, 5], 0.1, 3);
    const b = rand([5], -2, 2);
    await check(o.pow(o.input('a', [4, 5]), o.input('b', [5])), { a, b }, zip(a, b, Math.pow), 1e-4);
  });

  const unaries: Array<[string, (a: Tensor) => Tensor, (x: number) => number, number, number]> = [
    ['neg', o.neg, (x) => -x, -2, 2],
    ['abs', o.abs, Math.abs, -2, 2],
    ['sqrt', o.sqrt, Math.sqrt, 0.1, 4],
    ['exp', o.exp, Math.exp, -2, 2],
    ['log', o.log, Math.log, 0.1, 4],
    ['sin', o.sin, Math.sin, -3, 3],
    ['cos', o.cos, Math.cos, -3, 3],
    ['tanh', o.tanh, Math.tanh, -3, 3],
    ['sigmoid', o.sigmoid, (x) => 1 / (1 + Math.exp(-x)), -4, 4],
    ['erf', o.erf, erf, -2, 2],
    ['reciprocal', o.reciprocal, (x) => 1 / x, 0.5, 3],
    ['relu', o.relu, (x) => Math.max(0, x), -2, 2],
    ['gelu', o.gelu, (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)), -3, 3],
    ['silu', o.silu, (x) => x / (1 + Math.exp(-x)), -4, 4],
  ];
  for (const [name, f, ref, lo, hi] of unaries) {
    test(name, async () => {
      const a = rand([3, 7], lo, hi);
      await check(f(o.input('a', [3, 7])), { a }, map(a, ref), 1e-5);
    });
  }

  test('where, clamp and comparisons', async () => {
    const a = rand([2, 5]);
    const b = rand([5]);
    const ta = o.input('a', [2, 5]);
    const tb = o.input('b', [5]);
    await check(o.where(o.less(ta, tb), ta, tb), { a, b }, zip(a, b, Math.min));
    await check(o.clamp(o.input('a', [2, 5]), -0.5, 0.25), { a }, map(a, (x) => Math.min(0.25, Math.max(-0.5, x))));
    await check(o.cast(o.greater(o.input('a', [2, 5]), 0), 'float32'), { a }, map(a, (x) => (x > 0 ? 1 : 0)));
  });
});

describe('matmul', () => {
  test('2-D', async () => {
    const a = rand([5, 7]);
    const b = rand([7, 3]);
    await check(o.matmul(o.input('a', [5, 7]), o.input('b', [7, 3])), { a, b }, refMatmul(a, b), 1e-5);
  });
  test('batched with broadcast batch dims', async () => {
    const a = rand([2, 1, 4, 6]);
    const b = rand([3, 6, 5]);
    await check(o.matmul(o.input('a', [2, 1, 4, 6]), o.input('b', [3, 6, 5])), { a, b }, refMatmul(a, b), 1e-5);
  });
  test('symbolic batch and sequence dims', async () => {
    const a = rand([3, 4, 6]);
    const b = rand([6, 2]);
    await check(o.matmul(o.input('a', ['batch', 'seq', 6]), o.input('b', [6, 2])), { a, b }, refMatmul(a, b), 1e-5);
  });
  test('mismatched inner dims name the op and shapes', () => {
    assert.throws(() => o.matmul(o.input('a', [2, 3]), o.input('b', [4, 5])), /matmul: inner dims differ: \[2, 3\] @ \[4, 5\]/);
  });
});

describe('reductions and softmax', () => {
  const a = rand([2, 3, 4]);
  test('sum / mean / max over one and several axes, keepdims or not', async () => {
    const x = () => o.input('a', [2, 3, 4]);
    await check(o.sum(x(), [1]), { a }, refReduce(a, [1], false, sumOf));
    await check(o.sum(x(), [0, 2], true), { a }, refReduce(a, [0, 2], true, sumOf));
    await check(o.mean(x(), -1, true), { a }, refReduce(a, [2], true, (xs) => sumOf(xs) / xs.length));
    await check(o.max(x(), [0, 1]), { a }, refReduce(a, [0, 1], false, (xs) => Math.max(...xs)));
    await check(o.sum(x()), { a }, refReduce(a, [0, 1, 2], false, sumOf), 1e-5);
  });
  test('softmax and log-softmax on any axis', async () => {
    await check(o.softmax(o.input('a', [2, 3, 4]), 1), { a }, refSoftmax(a, 1));
    await check(o.logSoftmax(o.input('a', [2, 3, 4]), -1), { a }, map(refSoftmax(a, 2), Math.log));
  });
  test('layer norm and RMS norm over the last axis', async () => {
    const w = rand([4]);
    const bias = rand([4]);
    const mu = refReduce(a, [2], true, (xs) => sumOf(xs) / 4);
    const xc = zip(a, mu, (x, m) => x - m);
    const variance = refReduce(map(xc, (x) => x * x), [2], true, (xs) => sumOf(xs) / 4);
    const ln = zip(zip(zip(xc, variance, (x, v) => x / Math.sqrt(v + 1e-5)), w, (x, y) => x * y), bias, (x, y) => x + y);
    await check(o.layerNorm(o.input('a', [2, 3, 4]), o.input('w', [4]), o.input('b', [4])), { a, w, b: bias }, ln, 1e-4);
    const ms = refReduce(map(a, (x) => x * x), [2], true, (xs) => sumOf(xs) / 4);
    const rms = zip(zip(a, ms, (x, m) => x / Math.sqrt(m + 1e-6)), w, (x, y) => x * y);
    await check(o.rmsNorm(o.input('a', [2, 3, 4]), o.input('w', [4])), { a, w }, rms, 1e-4);
  });
});

describe('shape ops', () => {
  const a = rand([2, 3, 4]);
  const x = () => o.input('a', [2, 3, 4]);
  test('reshape with -1, and with symbolic dims read at run time', async () => {
    await check(o.reshape(x(), [6, -1]), { a }, { shape: [6, 4], data: a.data });
    const s = o.input('a', ['b', 3, 4]);
    const r = o.reshape(s, ['b', 12]);
    assert.deepEqual(r.shape, ['b', 12]);
    await check(r, { a }, { shape: [2, 12], data: a.data });
    assert.deepEqual(o.reshape(o.input('q', ['b', 't', 8]), ['b', 't', 2, 4]).shape, ['b', 't', 2, 4]);
    assert.throws(() => o.reshape(x(), [5, -1]), /reshape: cannot reshape \[2, 3, 4\]/);
  });
  test('transpose', async () => {
    await check(o.transpose(x(), [2, 0, 1]), { a }, refTranspose(a, [2, 0, 1]));
    assert.throws(() => o.transpose(x(), [0, 0, 1]), /not a permutation/);
  });
  test('concat, slice, split', async () => {
    const b = rand([2, 2, 4]);
    const cat = o.concat([x(), o.input('b', [2, 2, 4])], 1);
    const want = { shape: [2, 5, 4], data: new Float64Array(40) };
    for (let i = 0; i < 40; i++) {
      const [p, q, r] = unravel(i, [2, 5, 4]) as [number, number, number];
      want.data[i] = q < 3 ? at(a, [p, q, r]) : at(b, [p, q - 3, r]);
    }
    await check(cat, { a, b }, want);
    const sl = o.slice(x(), 2, 1, 3);
    const wantSl = { shape: [2, 3, 2], data: new Float64Array(12) };
    for (let i = 0; i < 12; i++) {
      const [p, q, r] = unravel(i, [2, 3, 2]) as [number, number, number];
      wantSl.data[i] = at(a, [p, q, r + 1]);
    }
    await check(sl, { a }, wantSl);
    const parts = o.split(x(), -1, [1, 3]);
    assert.deepEqual(parts.map((p) => p.shape), [[2, 3, 1], [2, 3, 3]]);
    assert.throws(() => o.split(x(), 1, 2), /split: sizes \[1.5,1.5\]/);
  });
  test('gather rows (embedding lookup) and scatter-add rows', async () => {
    const table = rand([5, 3]);
    const idx = HostTensor.i64([4, 0, 4, 2], [2, 2]);
    const y = o.gather(o.input('t', [5, 3]), o.input('i', [2, 2], 'int64'));
    const got = (await evaluate({ y }, { t: feed(table), i: idx })).y!;
    assert.deepEqual([...got.shape], [2, 2, 3]);
    const g = got.data as Float32Array;
    [4, 0, 4, 2].forEach((row, k) => {
      for (let c = 0; c < 3; c++) assert.equal(g[k * 3 + c], Math.fround(table.data[row * 3 + c]!));
    });
    const upd = rand([4, 3]);
    const sc = o.scatterAddRows(o.input('t', [5, 3]), o.input('i', [4], 'int64'), o.input('u', [4, 3]));
    const out = (await evaluate({ y: sc }, { t: feed(table), i: HostTensor.i64([1, 3, 1, 0], [4]), u: feed(upd) })).y!.data as Float32Array;
    for (let c = 0; c < 3; c++) {
      assert.ok(Math.abs(out[1 * 3 + c]! - (upd.data[c]! + upd.data[6 + c]!)) < 1e-6);
      assert.ok(Math.abs(out[3 * 3 + c]! - upd.data[3 + c]!) < 1e-6);
      assert.equal(out[2 * 3 + c], 0);
    }
  });
  test('expand, unsqueeze, squeeze, pad', async () => {
    const v = rand([3, 1]);
    await check(o.expand(o.input('v', [3, 1]), [2, 3, 4]), { v }, zip(v, { shape: [2, 3, 4], data: new Float64Array(24) }, (p) => p));
    assert.deepEqual(o.unsqueeze(x(), 1).shape, [2, 1, 3, 4]);
    assert.deepEqual(o.squeeze(o.unsqueeze(x(), -1), -1).shape, [2, 3, 4]);
    const p = o.pad(o.input('v', [3, 1]), [[1, 0], [0, 2]]);
    const want = { shape: [4, 3], data: new Float64Array(12) };
    for (let r = 0; r < 3; r++) want.data[(r + 1) * 3] = v.data[r]!;
    await check(p, { v }, want);
  });
  test('broadcast errors name the op and both shapes', () => {
    assert.throws(() => o.add(o.input('a', [2, 3]), o.input('b', [4])), /Add: shapes \[2, 3\] and \[4\] cannot be broadcast/);
    assert.throws(() => o.mul(o.input('a', ['n', 3]), o.input('b', ['m', 3])), /Mul: shapes \[n, 3\] and \[m, 3\]/);
  });
});

// Abramowitz–Stegun 7.1.26 is too coarse for a reference; use a series/continued fraction instead.
function erf(x: number): number {
  const t = Math.abs(x);
  if (t < 2.5) {
    let sum = t;
    let term = t;
    for (let n = 1; n < 60; n++) {
      term *= (-t * t) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc continued fraction for large |x|
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (t + f);
  const erfc = Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f);
  return Math.sign(x) * (1 - erfc);
}
