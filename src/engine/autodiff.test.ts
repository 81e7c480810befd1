// Every differentiable op's gradient against central finite differences of the same graph.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { grad, hasGradRule } from './autodiff.ts';
import { defineGradient } from './custom-gradient.ts';
import { topoSort } from './graph.ts';
import { HostTensor } from './host.ts';
import { serializeGraph } from './onnx.ts';
import * as o from './ops.ts';
import { Rng } from './random.ts';
import { Session } from './runtime.ts';
import { Tensor } from './tensor.ts';

interface Arg {
  shape: number[];
  lo?: number;
  hi?: number;
  /** Fixed values, for ops with kinks that random points could land next to. */
  values?: number[];
}

/**
 * Builds f(inputs), projects it to a scalar with fixed random weights, and compares the
 * analytic gradient of every input with central differences (float32, so tolerances are loose
 * enough for rounding but far tighter than any wrong rule).
 */
async function gradCheck(name: string, args: Arg[], f: (...xs: Tensor[]) => Tensor, tol = 2e-2): Promise<void> {
  const rng = new Rng(name.length * 7919 + 17);
  const xs = args.map((a, i) => o.input(`x${i}`, a.shape));
  const y = f(...xs);
  const w = o.input('w', y.shape as number[]);
  const loss = o.sum(o.mul(y, w));
  const gs = grad(loss, xs);
  const outputs: Record<string, Tensor> = { loss };
  gs.forEach((g, i) => (outputs[`g${i}`] = g));
  const session = await Session.create(serializeGraph({ outputs, paramMode: 'inputs' }));
  const values = args.map((a) => a.values ? Float32Array.from(a.values) : rng.fillUniform(new Float32Array(a.shape.reduce((p, q) => p * q, 1)), a.lo ?? -1.5, a.hi ?? 1.5));
  const wv = rng.fillUniform(new Float32Array((y.shape as number[]).reduce((p, q) => p * q, 1)), -1, 1);
  const feeds = () => {
    const fd: Record<string, HostTensor> = { w: HostTensor.f32(wv, y.shape as number[]) };
    values.forEach((v, i) => (fd[`x${i}`] = HostTensor.f32(v, args[i]!.shape)));
    return fd;
  };
  const base = await session.run(feeds());
  const h = 1e-2;
  for (let i = 0; i < args.length; i++) {
    const analytic = base[`g${i}`]!.data as Float32Array;
    assert.deepEqual([...base[`g${i}`]!.shape], args[i]!.shape, `${name}: gradient ${i} has the input's shape`);
    const v = values[i]!;
    for (let k = 0; k < v.length; k++) {
      const keep = v[k]!;
      v[k] = keep + h;
      const up = Number((await session.run(feeds(), ['loss'])).loss!.data[0]);
      v[k] = keep - h;
      const down = Number((await session.run(feeds(), ['loss'])).loss!.data[0]);
      v[k] = keep;
      const numeric = (up - down) / (2 * h);
      const err = Math.abs(numeric - analytic[k]!);
      if (err > tol * (1 + Math.abs(numeric))) {
        assert.fail(`${name}: d/dx${i}[${k}] analytic ${analytic[k]} vs numeric ${numeric}`);
      }
    }
  }
  await session.release();
}

describe('gradients match finite differences', () => {
  const s23 = { shape: [2, 3] };
  const cases: Array<[string, Arg[], (...xs: Tensor[]) => Tensor]> = [
    ['add (broadcast)', [{ shape: [2, 3] }, { shape: [3] }], o.add],
    ['sub (broadcast)', [{ shape: [2, 1] }, { shape: [2, 3] }], o.sub],
    ['mul (broadcast)', [{ shape: [2, 3] }, { shape: [1, 3] }], o.mul],
    ['div', [s23, { shape: [2, 3], lo: 0.5, hi: 2 }], o.div],
    ['pow (tensor exponent)', [{ shape: [2, 3], lo: 0.5, hi: 2 }, { shape: [3] }], o.pow],
    ['pow (constant exponent)', [{ shape: [2, 3], lo: 0.5, hi: 2 }], (a) => o.pow(a, 3)],
    ['maximum', [s23, s23], o.maximum],
    ['minimum', [s23, s23], o.minimum],
    ['neg', [s23], o.neg],
    ['abs', [s23], o.abs],
    ['sqrt', [{ shape: [2, 3], lo: 0.3, hi: 2 }], o.sqrt],
    ['exp', [s23], o.exp],
    ['log', [{ shape: [2, 3], lo: 0.3, hi: 2 }], o.log],
    ['sin', [s23], o.sin],
    ['cos', [s23], o.cos],
    ['tanh', [s23], o.tanh],
    ['sigmoid', [s23], o.sigmoid],
    ['erf', [s23], o.erf],
    ['reciprocal', [{ shape: [2, 3], lo: 0.5, hi: 2 }], o.reciprocal],
    ['relu', [s23], o.relu],
    ['gelu', [s23], o.gelu],
    ['silu', [s23], o.silu],
    ['clamp', [{ shape: [2, 3], values: [-1.2, -0.5, 0.1, 0.5, 0.9, 1.3] }], (a) => o.clamp(a, -0.7, 0.6)],
    ['where', [s23, s23, s23], (c, a, b) => o.where(o.greater(c, 0), a, b)],
    ['matmul 2-D', [{ shape: [3, 4] }, { shape: [4, 2] }], o.matmul],
    ['matmul batched activation @ weight', [{ shape: [2, 3, 4] }, { shape: [4, 2] }], o.matmul],
    ['matmul broadcast batch', [{ shape: [2, 1, 3, 4] }, { shape: [3, 4, 2] }], o.matmul],
    ['softmax', [{ shape: [2, 4] }], (a) => o.softmax(a, -1)],
    ['softmax axis 0', [{ shape: [3, 2] }], (a) => o.softmax(a, 0)],
    ['logSoftmax', [{ shape: [2, 4] }], (a) => o.logSoftmax(a, 1)],
    ['sum keepdims', [{ shape: [2, 3, 2] }], (a) => o.sum(a, [1], true)],
    ['sum', [{ shape: [2, 3, 2] }], (a) => o.sum(a, [0, 2])],
    ['mean', [{ shape: [2, 3, 2] }], (a) => o.mean(a, -1)],
    ['max', [{ shape: [2, 4] }], (a) => o.max(a, 1)],
    ['layerNorm', [{ shape: [2, 5] }, { shape: [5] }, { shape: [5] }], (a, w, b) => o.layerNorm(a, w, b)],
    ['rmsNorm', [{ shape: [2, 5] }, { shape: [5] }], (a, w) => o.rmsNorm(a, w)],
    ['layerNorm without affine, input used again', [{ shape: [2, 2, 6] }], (a) => o.mul(o.layerNorm(a), o.tanh(a))],
    ['rmsNorm without weight, 3-D', [{ shape: [2, 3, 4] }], (a) => o.rmsNorm(a)],
    ['groupNorm', [{ shape: [2, 4, 3] }, { shape: [4] }, { shape: [4] }], (a, w, b) => o.groupNorm(a, 2, w, b)],
    ['reshape', [{ shape: [2, 6] }], (a) => o.mul(o.reshape(a, [3, 4]), o.reshape(a, [3, 4]))],
    ['transpose', [{ shape: [2, 3, 4] }], (a) => o.transpose(a, [2, 0, 1])],
    ['concat', [{ shape: [2, 3] }, { shape: [2, 2] }], (a, b) => o.concat([a, b], 1)],
    ['slice', [{ shape: [3, 5] }], (a) => o.slice(a, 1, 1, 4)],
    ['split parts used differently', [{ shape: [4, 2] }], (a) => {
      const [p, q] = o.split(a, 0, 2) as [Tensor, Tensor];
      return o.mul(p, o.exp(q));
    }],
    ['expand', [{ shape: [3, 1] }], (a) => o.expand(a, [2, 3, 4])],
    ['unsqueeze/squeeze', [{ shape: [3, 2] }], (a) => o.squeeze(o.mul(o.unsqueeze(a, 0), 2), 0)],
    ['cast round trip', [s23], (a) => o.cast(o.cast(a, 'float32'), 'float32')],
    ['a tensor used twice', [s23], (a) => o.mul(a, o.tanh(a))],
    ['conv2d 3×3, padding 1, bias', [{ shape: [2, 3, 5, 4] }, { shape: [4, 3, 3, 3] }, { shape: [4] }], (x, w, b) => o.conv2d(x, w, b, { padding: 1 })],
    ['conv2d 2×3 kernel, no padding, no bias', [{ shape: [1, 2, 4, 5] }, { shape: [3, 2, 2, 3] }], (x, w) => o.conv2d(x, w)],
  ];
  for (const [name, args, f] of cases) test(name, () => gradCheck(name, args, f));

  test('gather (embedding lookup) with repeated indices', async () => {
    const table = o.input('t', [4, 3]);
    const idx = o.input('i', [5], 'int64');
    const y = o.gather(table, idx);
    const loss = o.sum(o.mul(y, y));
    const [g] = grad(loss, [table]);
    const session = await Session.create(serializeGraph({ outputs: { g: g! }, paramMode: 'inputs' }));
    const tv = Float32Array.from({ length: 12 }, (_, k) => k / 10);
    const out = (await session.run({ t: HostTensor.f32(tv, [4, 3]), i: HostTensor.i64([0, 2, 2, 3, 0], [5]) })).g!.data as Float32Array;
    const counts = [2, 0, 2, 1];
    for (let r = 0; r < 4; r++) for (let c = 0; c < 3; c++) assert.ok(Math.abs(out[r * 3 + c]! - 2 * counts[r]! * tv[r * 3 + c]!) < 1e-6);
  });

  test('symbolic batch: gradient of a linear layer sums over the batch', async () => {
    const x = o.input('x', ['batch', 3]);
    const wt = o.input('wt', [3, 2]);
    const [gw] = grad(o.sum(o.matmul(x, wt)), [wt]);
    const session = await Session.create(serializeGraph({ outputs: { gw: gw! }, paramMode: 'inputs' }));
    const xv = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const out = (await session.run({ x: HostTensor.f32(xv, [4, 3]), wt: HostTensor.f32(new Float32Array(6), [3, 2]) })).gw!;
    assert.deepEqual([...out.data], [22, 22, 26, 26, 30, 30]);
  });

  test('stopGradient passes the value and no gradient (self-conditioning\'s first pass)', async () => {
    const x = o.input('x', [3]);
    const held = o.stopGradient(o.mul(x, x));
    const loss = o.sum(o.mul(held, x)); // d/dx of x²·x with x² held constant: x², not 3x²
    const [gx] = grad(loss, [x]);
    const [primitives] = grad(loss, [x], { closedForms: false }); // held constant either way
    const session = await Session.create(serializeGraph({ outputs: { loss, gx: gx!, primitives: primitives! }, paramMode: 'inputs' }));
    const out = await session.run({ x: HostTensor.f32(Float32Array.from([1, 2, -3]), [3]) });
    assert.deepEqual([...out.loss!.data], [1 + 8 - 27]);
    assert.deepEqual([...out.gx!.data], [1, 4, 9]);
    assert.deepEqual([...out.primitives!.data], [1, 4, 9]);
  });

  test('unreachable inputs get zero gradients; ops without rules are named', () => {
    const a = o.input('a', [2]);
    const b = o.input('b', [2]);
    const [ga, gb] = grad(o.sum(o.exp(a)), [a, b]);
    assert.ok(ga && gb);
    assert.equal(gb!.op, 'Expand');
    assert.ok(!hasGradRule('Equal'));
    const c = o.cast(o.equal(a, b), 'float32');
    assert.doesNotThrow(() => grad(o.sum(o.add(c, a)), [a]));
    assert.throws(() => grad(o.exp(a), [a]), /loss must be a scalar/);
  });

  test('conv2d: a symbolic batch differentiates; strides and groups are refused by name', async () => {
    const x = o.input('x', ['B', 2, 4, 4]);
    const w = o.input('w', [3, 2, 3, 3]);
    const [gx, gw] = grad(o.sum(o.conv2d(x, w, undefined, { padding: 1 })), [x, w]);
    assert.deepEqual(gx!.shape, ['B', 2, 4, 4]);
    assert.deepEqual(gw!.shape, [3, 2, 3, 3]);
    const session = await Session.create(serializeGraph({ outputs: { gw: gw! }, paramMode: 'inputs' }));
    // All-ones input and a sum: dW[o, c, i, j] counts the (batch, pixel) pairs whose tap (i, j)
    // lands inside the 4×4 image — 3 × 4 = 12 for an edge tap row or column, 16 in the middle, × 3 images.
    const out = (await session.run({ x: HostTensor.f32(new Float32Array(3 * 2 * 16).fill(1), [3, 2, 4, 4]), w: HostTensor.f32(new Float32Array(54), [3, 2, 3, 3]) })).gw!;
    const taps = [3, 4, 3].flatMap((r) => [3, 4, 3].map((c) => r * c * 3));
    assert.deepEqual([...out.data].slice(0, 9), taps);
    await session.release();
    const strided = o.conv2d(o.input('s', [1, 2, 6, 6]), w, undefined, { stride: 2, padding: 1 });
    assert.throws(() => grad(o.sum(strided), [w]), /Conv gradient needs stride 1/);
  });

  test('a rule that returns the wrong number of gradients fails naming the op', () => {
    // Neg's rule returns one gradient; a Neg node built with two inputs breaks its contract.
    const a = o.input('a', [2]);
    const b = o.input('b', [2]);
    const bad = new Tensor('op', 'Neg', [a, b], {}, 'float32', [2]);
    assert.throws(() => grad(o.sum(bad), [a, b]), /rule for Neg returned 1 gradients for 2 inputs/);
  });
});

describe('symbolic sequence lengths', () => {
  test('concat and slice along a symbolic axis differentiate (joint text+image attention layout)', async () => {
    const txt = o.input('txt', [2, 'N']); // sliced in the graph
    const fixed = o.input('fixed', [2, 3]);
    const joint = o.concat([fixed, txt], 1); // [2, 3+N]
    const back = o.slice(joint, 1, 3); // [2, N]
    assert.deepEqual(back.shape, [2, 'N']);
    const head = o.slice(joint, 1, 0, 2);
    const loss = o.add(o.sum(o.mul(back, back)), o.sum(o.mul(head, 3)));
    const [gt, gf] = grad(loss, [txt, fixed]);
    const s = await Session.create(serializeGraph({ outputs: { gt: gt!, gf: gf! }, paramMode: 'inputs' }));
    const r = await s.run({ txt: HostTensor.f32([1, 2, 3, 4, 5, 6, 7, 8], [2, 4]), fixed: HostTensor.f32([0, 0, 0, 0, 0, 0], [2, 3]) });
    assert.deepEqual([...r.gt!.data], [2, 4, 6, 8, 10, 12, 14, 16]);
    assert.deepEqual([...r.gf!.data], [3, 3, 0, 3, 3, 0]);
  });
});

describe('closed-form gradients of composites', () => {
  /** Runs the gradients of `loss` wrt `wrt` built with and without the closed forms. */
  async function bothWays(loss: Tensor, wrt: Tensor[], feeds: Record<string, HostTensor>) {
    const run = async (closedForms: boolean) => {
      const gs = grad(loss, wrt, { closedForms });
      const outputs: Record<string, Tensor> = {};
      gs.forEach((g, i) => (outputs[`g${i}`] = g));
      const s = await Session.create(serializeGraph({ outputs, paramMode: 'inputs' }));
      const r = await s.run(feeds);
      await s.release();
      return { values: gs.map((_, i) => r[`g${i}`]!.data as Float32Array), nodes: topoSort(gs).order.length };
    };
    return { closed: await run(true), primitives: await run(false) };
  }

  test('norm kernels in a transformer-shaped block: values and gradients equal the norms written out of primitives', async () => {
    // x → layer norm (affine) → RMS norm per head (QK-norm) → layer norm (adaLN-style, no affine)
    // modulated; the input is also used on a residual path. Symbolic token count, as in training.
    // The reference writes each norm out of primitives, which autodiff differentiates rule by rule.
    const refLayerNorm = (v: Tensor, w?: Tensor, b?: Tensor, eps = 1e-5) => {
      const c = o.sub(v, o.mean(v, -1, true));
      let y = o.div(c, o.sqrt(o.add(o.mean(o.mul(c, c), -1, true), eps)));
      if (w) y = o.mul(y, w);
      return b ? o.add(y, b) : y;
    };
    const refRmsNorm = (v: Tensor, w: Tensor, eps = 1e-6) => o.mul(o.div(v, o.sqrt(o.add(o.mean(o.mul(v, v), -1, true), eps))), w);
    const x = o.input('x', [2, 'N', 8]);
    const w = o.input('w', [8]);
    const b = o.input('b', [8]);
    const q = o.input('q', [4]);
    const scale = o.input('scale', [2, 1, 8]);
    const target = o.input('t', [2, 'N', 8]);
    const block = (ln: typeof refLayerNorm, rms: typeof refRmsNorm) => {
      const h = ln(x, w, b);
      const heads = o.transpose(o.reshape(h, [2, 'N', 2, 4]), [0, 2, 1, 3]);
      const r = o.reshape(o.transpose(rms(heads, q), [0, 2, 1, 3]), [2, 'N', 8], [x]);
      const y = o.add(x, o.mul(ln(o.add(r, x), undefined, undefined, 1e-6), o.add(scale, 1)));
      return { y, loss: o.sum(o.mul(o.mul(y, y), target)) };
    };
    const kernels = block(o.layerNorm, o.rmsNorm);
    const reference = block(refLayerNorm, refRmsNorm);
    const rng = new Rng(5);
    const n = 5;
    const f = (shape: number[], lo = -1.5, hi = 1.5) => HostTensor.f32(rng.fillUniform(new Float32Array(shape.reduce((p, k) => p * k, 1)), lo, hi), shape);
    const feeds = { x: f([2, n, 8]), w: f([8], 0.5, 1.5), b: f([8]), q: f([4], 0.5, 1.5), scale: f([2, 1, 8]), t: f([2, n, 8]) };
    const run = async (net: { y: Tensor; loss: Tensor }) => {
      const outputs: Record<string, Tensor> = { y: net.y };
      grad(net.loss, [x, w, b, q, scale]).forEach((g, i) => (outputs[`g${i}`] = g));
      const s = await Session.create(serializeGraph({ outputs, paramMode: 'inputs' }));
      const r = await s.run(feeds);
      await s.release();
      return r;
    };
    const [got, want] = [await run(kernels), await run(reference)];
    for (const name of ['y', 'g0', 'g1', 'g2', 'g3', 'g4']) {
      const c = got[name]!.data as Float32Array;
      const p = want[name]!.data as Float32Array;
      const big = Math.max(...p.map(Math.abs));
      const diff = Math.max(...c.map((v, k) => Math.abs(v - p[k]!)));
      assert.ok(big > 1e-3, `${name} is not trivially zero`);
      assert.ok(diff <= 1e-5 * big, `${name}: the kernels differ from the primitives by ${diff} (max ${big})`);
    }
    // An inference graph holds each norm as one node.
    const forward = topoSort([kernels.y]).order.filter((t) => t.kind === 'op').map((t) => t.op);
    assert.equal(forward.filter((op) => op === 'LayerNormalization').length, 2);
    assert.equal(forward.filter((op) => op === 'SimplifiedLayerNormalization').length, 1);
    assert.ok(!forward.includes('ReduceMean') && !forward.includes('Sqrt'), `no norm statistics outside the kernels: ${forward.join(' ')}`);
  });

  test('rotary embedding: one kernel whose values and gradient equal rotate-half written out of primitives', async () => {
    const [H, T, dh] = [2, 5, 8];
    const x = o.input('x', ['B', H, 'T', dh]);
    const cos = o.input('cos', ['T', dh]);
    const sin = o.input('sin', ['T', dh]);
    const target = o.input('t', ['B', H, 'T', dh]);
    const reference = (() => {
      const [x1, x2] = o.split(x, -1, [dh / 2, dh / 2]) as [Tensor, Tensor];
      return o.add(o.mul(x, cos), o.mul(o.concat([o.neg(x2), x1], -1), sin));
    })();
    const kernel = o.rotaryEmbedding(x, cos, sin);
    assert.equal(kernel.op, 'RotaryEmbedding');
    const loss = (y: Tensor) => o.sum(o.mul(o.mul(y, y), target));
    const [gk] = grad(loss(kernel), [x]);
    const [gr] = grad(loss(reference), [x]);
    const s = await Session.create(serializeGraph({ outputs: { kernel, reference, gk: gk!, gr: gr! }, paramMode: 'inputs' }));
    const rng = new Rng(9);
    // Rotate-half tables: angle (token, j) for the first half, repeated in the second.
    const angle = (t: number, j: number) => (t - 1.5) * 0.9 ** (j % (dh / 2));
    const table = (f: (a: number) => number) => Float32Array.from({ length: T * dh }, (_, i) => f(angle(Math.floor(i / dh), i % dh)));
    const tables = { cos: table(Math.cos), sin: table(Math.sin) };
    const f = (shape: number[]) => HostTensor.f32(rng.fillUniform(new Float32Array(shape.reduce((p, k) => p * k, 1)), -1, 1), shape);
    const r = await s.run({ x: f([3, H, T, dh]), t: f([3, H, T, dh]), cos: HostTensor.f32(tables.cos, [T, dh]), sin: HostTensor.f32(tables.sin, [T, dh]) });
    for (const [a, b] of [['kernel', 'reference'], ['gk', 'gr']] as const) {
      const got = r[a]!.data as Float32Array;
      const want = r[b]!.data as Float32Array;
      const diff = Math.max(...got.map((v, i) => Math.abs(v - want[i]!)));
      assert.ok(diff < 1e-5, `${a} differs from ${b} by ${diff}`);
    }
    await s.release();
    assert.throws(() => o.rotaryEmbedding(o.input('flat', ['B', 'T', dh]), cos, sin), /must be \[B, H, T, Dh\]/);
  });

  test('a reshape keeps symbolic dims in place without reading shapes at run time', async () => {
    const x = o.input('x', ['B', 'N', 6]);
    const split = o.reshape(x, ['B', 'N', 2, 3]);
    const merged = o.reshape(o.transpose(split, [0, 2, 1, 3]), ['B', 2, -1]);
    const back = o.reshape(merged, ['B', 'N', 6], [x]); // N is not at its place in `merged`: read off x
    const ops = topoSort([split, merged]).order.filter((t) => t.kind === 'op').map((t) => t.op);
    assert.ok(!ops.includes('Shape'), `no Shape nodes: ${ops.join(' ')}`);
    const s = await Session.create(serializeGraph({ outputs: { split, merged, back }, paramMode: 'inputs' }));
    const xv = HostTensor.f32(Float32Array.from({ length: 2 * 3 * 6 }, (_, i) => i), [2, 3, 6]);
    const r = await s.run({ x: xv });
    assert.deepEqual([...r.split!.shape], [2, 3, 2, 3]);
    assert.deepEqual([...r.merged!.shape], [2, 2, 9]);
    assert.deepEqual([...r.back!.shape], [2, 3, 6]);
    assert.deepEqual([...r.split!.data], [...xv.data]);
    await s.release();
  });

  test('a closed form is used only where the derivative reaches the composite through its declared inputs', async () => {
    // y = x·exp(c), declared with input x only and a deliberately wrong rule (zero gradient).
    const x = o.input('x', [3]);
    const c = o.input('c', [3]);
    const y = defineGradient(o.mul(x, o.exp(c)), [x], (g) => [o.mul(g, 0)]);
    const loss = o.sum(y);
    const feeds = { x: HostTensor.f32([1, 2, 3], [3]), c: HostTensor.f32([0, 0, 0], [3]) };
    const onlyX = await bothWays(loss, [x], feeds);
    assert.deepEqual([...onlyX.closed.values[0]!], [0, 0, 0], 'the attached rule is what grad uses');
    assert.deepEqual([...onlyX.primitives.values[0]!], [1, 1, 1]);
    // Asking about c too: c reaches y other than through x, so the primitives' rules are used.
    const both = await bothWays(loss, [x, c], feeds);
    assert.deepEqual([...both.closed.values[0]!], [1, 1, 1]);
    assert.deepEqual([...both.closed.values[1]!], [1, 2, 3]);
    // Asking about a tensor inside the composite also falls back.
    const e = y.inputs[1]!;
    const inside = await bothWays(loss, [x, e], feeds);
    assert.deepEqual([...inside.closed.values[0]!], [1, 1, 1]);
    assert.deepEqual([...inside.closed.values[1]!], [1, 2, 3]);
    assert.throws(() => defineGradient(y, [x], (g) => [g]), /already has a gradient/);
  });
});

describe('gradients of slices', () => {
  test('adjacent slices of one tensor get one Concat, the same values as padding each and adding', async () => {
    // The shapes of the denoiser: joint attention's output split back into text and image
    // tokens along a symbolic axis, RoPE's halves of each head, and a gap (two slices that do
    // not meet) beside a use of the whole tensor.
    const x = o.input('x', [2, '3+N', 6]);
    const txt = o.slice(x, 1, 0, 3);
    const img = o.slice(x, 1, 3);
    const [h1, h2] = o.split(img, -1, 2) as [Tensor, Tensor];
    const rope = o.add(o.mul(img, 0.5), o.concat([o.neg(h2), h1], -1));
    const gapped = o.add(o.sum(o.slice(txt, 2, 0, 2)), o.sum(o.exp(o.slice(txt, 2, 4, 6))));
    const w = o.input('w', [2, 'N', 6]);
    const loss = o.add(o.add(o.sum(o.mul(o.mul(rope, rope), w)), o.sum(o.mul(txt, txt))), gapped);
    const run = async (joinSlices: boolean) => {
      const [g] = grad(loss, [x], { joinSlices });
      const s = await Session.create(serializeGraph({ outputs: { g: g! }, paramMode: 'inputs' }));
      const rng = new Rng(3);
      const r = await s.run({ x: HostTensor.f32(rng.fillUniform(new Float32Array(2 * 7 * 6), -1, 1), [2, 7, 6]), w: HostTensor.f32(rng.fillUniform(new Float32Array(2 * 4 * 6), -1, 1), [2, 4, 6]) });
      await s.release();
      const ops = topoSort([g!]).order.map((t) => t.op);
      return { g: r.g!.data as Float32Array, shape: r.g!.shape, pads: ops.filter((op) => op === 'Pad').length };
    };
    const joined = await run(true);
    const padded = await run(false);
    assert.deepEqual([...joined.shape], [2, 7, 6]);
    joined.g.forEach((v, k) => assert.ok(Math.abs(v - padded.g[k]!) <= 1e-6 * (1 + Math.abs(v)), `element ${k}: ${v} vs ${padded.g[k]}`));
    // Padded: txt, img, h1, h2, the two gapped slices. Joined: only the gapped pair stays apart.
    assert.equal(padded.pads, 6);
    assert.equal(joined.pads, 2);
  });
});
