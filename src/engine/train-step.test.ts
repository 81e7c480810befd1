// A two-block transformer (attention + MLP), written with engine ops only, trained by the
// one-run training step on a small synthetic task: reverse a sequence of tokens.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HostTensor } from './host.ts';
import * as o from './ops.ts';
import { DEFAULT_ADAMW } from './optim.ts';
import { Rng } from './random.ts';
import type { Tensor } from './tensor.ts';
import { TrainStep, compileTrainStep, initialTrainState } from './train-step.ts';

const V = 12; // vocabulary
const T = 6; // sequence length
const D = 32; // width
const H = 2; // heads
const B = 16; // batch

function buildLoss(): { loss: Tensor; params: Tensor[]; accuracy: Tensor } {
  const params: Tensor[] = [];
  const p = (name: string, shape: number[]) => {
    const t = o.param(name, shape);
    params.push(t);
    return t;
  };
  const tokens = o.input('tokens', [B, T], 'int64');
  const targets = o.input('targets', [B, T, V]); // one-hot
  let x = o.add(o.gather(p('embed', [V, D]), tokens), p('pos', [T, D]));
  for (let l = 0; l < 2; l++) {
    const h = o.layerNorm(x, p(`b${l}.ln1`, [D]));
    const heads = (w: Tensor) => o.transpose(o.reshape(o.matmul(h, w), [B, T, H, D / H]), [0, 2, 1, 3]);
    const q = heads(p(`b${l}.wq`, [D, D]));
    const k = heads(p(`b${l}.wk`, [D, D]));
    const v = heads(p(`b${l}.wv`, [D, D]));
    const att = o.softmax(o.mul(o.matmul(q, o.transposeLast(k)), 1 / Math.sqrt(D / H)), -1);
    const merged = o.reshape(o.transpose(o.matmul(att, v), [0, 2, 1, 3]), [B, T, D]);
    x = o.add(x, o.matmul(merged, p(`b${l}.wo`, [D, D])));
    const m = o.layerNorm(x, p(`b${l}.ln2`, [D]));
    x = o.add(x, o.matmul(o.gelu(o.add(o.matmul(m, p(`b${l}.w1`, [D, 4 * D])), p(`b${l}.b1`, [4 * D]))), p(`b${l}.w2`, [4 * D, D])));
  }
  const logits = o.matmul(o.layerNorm(x, p('lnf', [D])), p('head', [D, V]));
  const logp = o.logSoftmax(logits, -1);
  const loss = o.neg(o.mean(o.sum(o.mul(logp, targets), -1)));
  const hit = o.cast(o.equal(o.max(logits, -1, true), logits), 'float32');
  const accuracy = o.mean(o.sum(o.mul(hit, targets), -1));
  return { loss, params, accuracy };
}

function initParams(params: Tensor[], seed: number): Map<string, HostTensor> {
  const rng = new Rng(seed);
  const m = new Map<string, HostTensor>();
  for (const t of params) {
    const shape = t.shape as number[];
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (t.name!.includes('ln')) data.fill(1);
    else if (t.name!.endsWith('.b1')) data.fill(0);
    else rng.fillNormal(data, t.name === 'embed' || t.name === 'pos' ? 0.5 : 1 / Math.sqrt(shape[0]!));
    m.set(t.name!, new HostTensor('float32', shape, data));
  }
  return m;
}

function batch(rng: Rng): Record<string, HostTensor> {
  const tokens = new BigInt64Array(B * T);
  const onehot = new Float32Array(B * T * V);
  for (let b = 0; b < B; b++) {
    const seq = Array.from({ length: T }, () => rng.int(V));
    for (let t = 0; t < T; t++) {
      tokens[b * T + t] = BigInt(seq[t]!);
      onehot[(b * T + t) * V + seq[T - 1 - t]!] = 1;
    }
  }
  return { tokens: new HostTensor('int64', [B, T], tokens), targets: HostTensor.f32(onehot, [B, T, V]) };
}

async function train(seed: number, steps: number) {
  const { loss, params, accuracy } = buildLoss();
  const compiled = compileTrainStep({ loss, params, optimizer: { ...DEFAULT_ADAMW, weightDecay: 0.0 }, metrics: { accuracy } });
  const stepper = await TrainStep.create(compiled, initialTrainState(initParams(params, seed)), { threads: 2 });
  const rng = new Rng(seed + 1);
  const losses: number[] = [];
  let acc = 0;
  for (let s = 0; s < steps; s++) {
    const lr = 3e-3 * Math.min(1, (s + 1) / 20);
    const r = await stepper.run(batch(rng), lr);
    losses.push(r.loss);
    acc = r.metrics.accuracy!;
  }
  const state = stepper.state();
  await stepper.release();
  return { losses, acc, state };
}

describe('one-run training step', () => {
  test('a two-block transformer learns to reverse sequences: loss falls over 10x, deterministically', async () => {
    const steps = 400;
    const a = await train(7, steps);
    const first = a.losses.slice(0, 5).reduce((p, q) => p + q) / 5;
    const last = a.losses.slice(-10).reduce((p, q) => p + q) / 10;
    assert.ok(last < first / 10, `loss went from ${first.toFixed(3)} to ${last.toFixed(4)}`);
    assert.ok(a.acc > 0.95, `accuracy ${a.acc}`);
    assert.equal(a.state.step, steps);

    // Same seed: bit-identical weights and optimizer state.
    const b = await train(7, steps);
    for (const [name, t] of a.state.params) {
      assert.deepEqual(Buffer.from(b.state.params.get(name)!.f32().buffer), Buffer.from(t.f32().buffer), `param ${name}`);
      assert.deepEqual(Buffer.from(b.state.v.get(name)!.f32().buffer), Buffer.from(a.state.v.get(name)!.f32().buffer), `v of ${name}`);
    }
  });

  test('resuming from a saved state continues exactly', async () => {
    const { loss, params } = buildLoss();
    const compiled = compileTrainStep({ loss, params, optimizer: DEFAULT_ADAMW });
    const run = async (state: ReturnType<typeof initialTrainState>, rng: Rng, n: number) => {
      const s = await TrainStep.create(compiled, state, { threads: 2 });
      for (let i = 0; i < n; i++) await s.run(batch(rng), 1e-3);
      const out = s.state();
      await s.release();
      return out;
    };
    const init = initialTrainState(initParams(params, 3));
    const straight = await run(init, new Rng(99), 6);
    const rng = new Rng(99);
    const half = await run(init, rng, 3);
    const resumed = await run(half, rng, 3);
    assert.equal(resumed.step, 6);
    for (const [name, t] of straight.params) {
      assert.deepEqual(Buffer.from(resumed.params.get(name)!.f32().buffer), Buffer.from(t.f32().buffer), name);
    }
  });

  test('missing batch inputs and state are named', async () => {
    const { loss, params } = buildLoss();
    const compiled = compileTrainStep({ loss, params, optimizer: DEFAULT_ADAMW });
    assert.deepEqual(compiled.batchInputNames.sort(), ['targets', 'tokens']);
    const partial = initParams(params, 1);
    partial.delete('head');
    await assert.rejects(TrainStep.create(compiled, initialTrainState(partial)), /no value for parameter 'head'/);
    const s = await TrainStep.create(compiled, initialTrainState(initParams(params, 1)));
    await assert.rejects(s.run({ tokens: batch(new Rng(1)).tokens! }, 1e-3), /batch input 'targets' missing/);
    await s.release();
  });
});
