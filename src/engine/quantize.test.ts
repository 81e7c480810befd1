// Quantized linear layers through ONNX Runtime against plain-TypeScript references: the int4
// layout exactly (float32 compute against the dequantized weight), int8 against a simulation of
// dynamic activation quantization, and the graph rewrite on a small MLP against float32.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { topoSort } from './graph.ts';
import { HostTensor } from './host.ts';
import { serializeGraph } from './onnx.ts';
import * as o from './ops.ts';
import { dequantizeInt4, dequantizeInt8, int4MatMul, int8MatMul, quantizeInt4, quantizeInt8, quantizeLinears } from './quantize.ts';
import { Rng } from './random.ts';
import { evaluate, Session } from './runtime.ts';
import { relErr } from '../testing/rel-err.ts';

const rng = new Rng(7);
const randn = (n: number, std = 1) => rng.fillNormal(new Float32Array(n), std);

/** [M, K] @ [K, N] in float64. */
function matmulRef(a: ArrayLike<number>, b: ArrayLike<number>, M: number, K: number, N: number): Float64Array {
  const out = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++) {
      const av = a[m * K + k]!;
      for (let n = 0; n < N; n++) out[m * N + n]! += av * b[k * N + n]!;
    }
  }
  return out;
}


const roundHalfEven = (v: number) => {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

describe('quantize: weight packing', () => {
  test('int8 per column: every value within half a step, zero columns stay zero', () => {
    const K = 5;
    const N = 3;
    const w = randn(K * N);
    for (let k = 0; k < K; k++) w[k * N + 2] = 0;
    const q = quantizeInt8(w, K, N);
    const back = dequantizeInt8(q, K, N);
    for (let i = 0; i < w.length; i++) assert.ok(Math.abs(back[i]! - w[i]!) <= q.scale[i % N]! / 2 + 1e-7);
    for (let k = 0; k < K; k++) assert.equal(back[k * N + 2], 0);
  });

  test('int4 blocks: within half a step, K padded to whole blocks, nibble order as MatMulNBits reads it', () => {
    const K = 40; // 2 blocks of 32 → the second is padded
    const N = 3;
    const w = randn(K * N);
    const q = quantizeInt4(w, K, N, 32);
    assert.equal(q.blocks, 2);
    assert.equal(q.packed.length, N * 2 * 16);
    assert.equal(q.zeroPoints.length, N);
    const back = dequantizeInt4(q);
    for (let k = 0; k < K; k++) {
      for (let n = 0; n < N; n++) {
        const step = q.scales[n * q.blocks + Math.floor(k / 32)]!;
        assert.ok(Math.abs(back[k * N + n]! - w[k * N + n]!) <= step / 2 + 1e-6, `k=${k} n=${n}`);
      }
    }
    // Element 1 of column 0 is the high nibble of the first byte.
    const zp0 = q.zeroPoints[0]! & 15;
    assert.ok(Math.abs(((q.packed[0]! >> 4) - zp0) * q.scales[0]! - w[1 * N]!) <= q.scales[0]! / 2 + 1e-6);
    assert.throws(() => quantizeInt4(w, K, N, 24), /power of two/);
  });
});

describe('quantize: ONNX Runtime kernels', () => {
  test('int4 MatMulNBits (float32 compute) equals x @ dequantized W (rel 1e-5), rank-3 input, K not a block multiple', async () => {
    const [B, M, K, N] = [2, 3, 48, 20];
    const xData = randn(B * M * K);
    const wData = randn(K * N, 0.1);
    const q = quantizeInt4(wData, K, N, 32);
    const x = o.input('x', [B, M, K]);
    const out = await evaluate({ y: int4MatMul(x, q, 0) }, { x: HostTensor.f32(xData, [B, M, K]) });
    assert.deepEqual(out.y!.shape, [B, M, N]);
    const want = matmulRef(xData, dequantizeInt4(q), B * M, K, N);
    const err = relErr(out.y!.f32(), want);
    assert.ok(err <= 1e-5, `rel err ${err}`);
    // Against the float weight, 4 bits cost a few percent.
    const vsFloat = relErr(out.y!.f32(), matmulRef(xData, wData, B * M, K, N));
    assert.ok(vsFloat < 0.1, `int4 vs float32: rel err ${vsFloat}`);
  });

  test('int4 MatMulNBits with int8 compute (accuracy level 4) stays within 2% of the dequantized reference', async () => {
    const [M, K, N] = [8, 64, 16];
    const xData = randn(M * K);
    const q = quantizeInt4(randn(K * N, 0.1), K, N, 32);
    const out = await evaluate({ y: int4MatMul(o.input('x', [M, K]), q, 4) }, { x: HostTensor.f32(xData, [M, K]) });
    const err = relErr(out.y!.f32(), matmulRef(xData, dequantizeInt4(q), M, K, N));
    assert.ok(err < 0.02, `rel err ${err}`);
  });

  test('int8 DynamicQuantizeMatMul equals a TypeScript simulation of dynamic uint8 activations (rel 1e-5)', async () => {
    const [M, K, N] = [6, 40, 12];
    const xData = randn(M * K);
    const wData = randn(K * N, 0.2);
    const q = quantizeInt8(wData, K, N);
    const out = await evaluate({ y: int8MatMul(o.input('x', [M, K]), q, K, N) }, { x: HostTensor.f32(xData, [M, K]) });
    // DynamicQuantizeLinear: uint8 over a range that includes 0, rounding half to even.
    let lo = 0;
    let hi = 0;
    for (const v of xData) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const s = Math.fround((hi - lo) / 255);
    const zp = Math.max(0, Math.min(255, roundHalfEven(-lo / s)));
    const xq = Array.from(xData, (v) => Math.max(0, Math.min(255, roundHalfEven(v / s) + zp)) - zp);
    const acc = matmulRef(xq, q.q, M, K, N);
    const want = Array.from(acc, (v, i) => v * s * q.scale[i % N]!);
    const err = relErr(out.y!.f32(), want);
    assert.ok(err <= 1e-5, `rel err ${err}`);
    const vsFloat = relErr(out.y!.f32(), matmulRef(xData, wData, M, K, N));
    assert.ok(vsFloat < 0.03, `int8 vs float32: rel err ${vsFloat}`);
  });
});

describe('quantize: graph rewrite', () => {
  // A two-layer MLP plus a matmul between activations (attention-like), which must stay float.
  const D = 32;
  const H = 64;
  const x = o.input('x', ['B', D]);
  const w1 = o.param('fc1.weight', [D, H]);
  const w2 = o.param('fc2.weight', [H, D]);
  const b1 = o.param('fc1.bias', [H]);
  const h = o.gelu(o.add(o.matmul(x, w1), b1));
  const y = o.matmul(h, w2);
  const gram = o.matmul(o.unsqueeze(y, 0), o.transposeLast(o.unsqueeze(y, 0)));
  const values = new Map<string, Float32Array>([
    ['fc1.weight', randn(D * H, 1 / Math.sqrt(D))],
    ['fc2.weight', randn(H * D, 1 / Math.sqrt(H))],
    ['fc1.bias', randn(H, 0.1)],
  ]);
  const weights = (name: string) => values.get(name)!;
  const xData = randn(4 * D);

  async function run(mode: 'none' | 'int8' | 'int4', exclude?: (n: string) => boolean): Promise<{ y: Float32Array; gram: Float32Array }> {
    const g = serializeGraph({ outputs: { y, gram }, paramMode: 'initializers', weights, quantize: { mode, exclude } });
    const s = await Session.create(g);
    try {
      const out = await s.run({ x: HostTensor.f32(xData, [4, D]) });
      return { y: out.y!.f32(), gram: out.gram!.f32() };
    } finally {
      await s.release();
    }
  }

  test('rewrites exactly the matmuls by rank-2 parameters; bias, activation and activation×activation stay', () => {
    const q = quantizeLinears({ y, gram }, weights, { mode: 'int8' });
    assert.deepEqual(q.quantized.sort(), ['fc1.weight', 'fc2.weight']);
    const ops = topoSort(Object.values(q.outputs)).order.filter((t) => t.kind === 'op').map((t) => t.op);
    assert.equal(ops.filter((op) => op === 'DynamicQuantizeMatMul').length, 2);
    assert.equal(ops.filter((op) => op === 'MatMul').length, 1);
    assert.ok(!ops.includes('Add'), `fc1's bias rides in its int8 kernel: ${ops.join(' ')}`);
    assert.ok(topoSort(Object.values(q.outputs)).params.every((p) => p.name === 'fc1.bias'));
    // A bias on a matmul that something else also reads stays a separate Add.
    const shared = o.matmul(x, w1);
    const both = quantizeLinears({ a: o.add(shared, b1), b: o.gelu(shared) }, weights, { mode: 'int8' });
    const sharedOps = topoSort(Object.values(both.outputs)).order.filter((t) => t.kind === 'op').map((t) => t.op);
    assert.deepEqual([sharedOps.filter((op) => op === 'DynamicQuantizeMatMul').length, sharedOps.filter((op) => op === 'Add').length], [1, 1]);
    // The original graph is untouched.
    assert.equal(y.op, 'MatMul');
    assert.equal(quantizeLinears({ y }, weights, { mode: 'none' }).outputs.y, y);
  });

  test('int8 and int4 MLPs stay close to float32; exclude keeps a layer float', async () => {
    const ref = await run('none');
    const e8 = relErr((await run('int8')).y, ref.y);
    const e4 = relErr((await run('int4')).y, ref.y);
    assert.ok(e8 < 0.03, `int8 rel err ${e8}`);
    assert.ok(e4 < 0.15, `int4 rel err ${e4}`);
    const partial = relErr((await run('int4', (n) => n === 'fc1.weight')).y, ref.y);
    assert.ok(partial < e4, `excluding fc1 should help: ${partial} vs ${e4}`);
  });

  test('training graphs are refused', () => {
    assert.throws(() => serializeGraph({ outputs: { y }, paramMode: 'inputs', quantize: { mode: 'int8' } }), /initializers/);
  });
});
