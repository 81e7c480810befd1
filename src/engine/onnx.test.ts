import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { grad } from './autodiff.ts';
import { HostTensor } from './host.ts';
import { serializeGraph, writeOnnxFile } from './onnx.ts';
import * as o from './ops.ts';
import { Session } from './runtime.ts';

describe('ONNX writer', () => {
  test('baked-in weights and weights in a side file give the same results', async () => {
    const x = o.input('x', ['n', 4]);
    const w = o.param('w', [4, 3]);
    const y = o.softmax(o.matmul(x, w), -1);
    const wv = HostTensor.f32(Float32Array.from({ length: 12 }, (_, i) => (i - 6) / 5), [4, 3]);
    const spec = { outputs: { y }, paramMode: 'initializers' as const, weights: () => wv.data };
    const dir = mkdtempSync(join(tmpdir(), 'onnx-'));
    const path = join(dir, 'model.onnx');
    writeOnnxFile(path, spec, 16); // tiny threshold: every initializer goes to the side file
    assert.ok(existsSync(`${path}.data`));
    assert.ok(statSync(path).size < 1000);
    const feed = { x: HostTensor.f32([1, 2, 3, 4, -1, 0, 1, 0], [2, 4]) };
    const a = await (await Session.create(path)).run(feed);
    const b = await (await Session.create(serializeGraph(spec))).run(feed);
    assert.deepEqual([...a.y!.data], [...b.y!.data]);
    assert.deepEqual([...a.y!.shape], [2, 3]);
  });

  test('an output may be a graph input itself, or the same tensor twice', async () => {
    const x = o.input('x', [2]);
    const y = o.exp(x);
    const s = await Session.create(serializeGraph({ outputs: { same: x, y, y2: y }, paramMode: 'inputs' }));
    const r = await s.run({ x: HostTensor.f32([0, 1], [2]) });
    assert.deepEqual([...r.same!.data], [0, 1]);
    assert.deepEqual([...r.y!.data], [...r.y2!.data]);
  });

  test("a node's further outputs are named on the node: a layer norm's mean and 1/s, skipping none or one", async () => {
    const x = o.input('x', [2, 4]);
    const y = o.layerNorm(x);
    const invStd = o.extraOutput(y, 2, 'float32', [2, 1]);
    assert.equal(o.extraOutput(y, 2, 'float32', [2, 1]), invStd, 'one tensor per node and index');
    const s = await Session.create(serializeGraph({ outputs: { y, invStd }, paramMode: 'inputs' })); // output 1 skipped
    const r = await s.run({ x: HostTensor.f32([1, 2, 3, 4, -2, 0, 2, 4], [2, 4]) });
    const want = [1 / Math.sqrt(1.25 + 1e-5), 1 / Math.sqrt(5 + 1e-5)];
    [...(r.invStd!.data as Float32Array)].forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-5, `1/s of row ${i}: ${v} vs ${want[i]}`));
    await s.release();
    assert.throws(() => o.extraOutput(x, 1, 'float32', [2]), /extraOutput/);
  });

  test('name clashes, missing weights and missing feeds are reported', async () => {
    assert.throws(() => serializeGraph({ outputs: { y: o.add(o.input('a', [1]), o.input('a', [1])) }, paramMode: 'inputs' }), /two tensors are named 'a'/);
    assert.throws(() => serializeGraph({ outputs: { y: o.exp(o.param('w', [1])) }, paramMode: 'initializers' }), /needs weights/);
    assert.throws(
      () => serializeGraph({ outputs: { y: o.exp(o.param('w', [2])) }, paramMode: 'initializers', weights: () => new Float32Array(3) }),
      /initializer 'w': 12 bytes of data for float32\[2\] \(expected 8\)/,
    );
    const s = await Session.create(serializeGraph({ outputs: { y: o.exp(o.input('x', [1])) }, paramMode: 'inputs' }));
    await assert.rejects(s.run({}), /input 'x' was not fed/);
    await assert.rejects(Session.create(new Uint8Array([1, 2, 3])), /ONNX Runtime rejected the graph/);
    await assert.rejects(Session.create(serializeGraph({ outputs: { y: o.exp(o.input('x', [1])) }, paramMode: 'inputs' }), { provider: 'cuda' }), /execution provider 'cuda' is not available here \(available: cpu/);
  });

  test('sessions with sleeping (non-spinning) threads give the same results', async () => {
    const spec = { outputs: { y: o.matmul(o.input('a', [64, 64]), o.input('b', [64, 64])) }, paramMode: 'inputs' as const };
    const a = HostTensor.f32(Float32Array.from({ length: 4096 }, (_, i) => Math.sin(i)), [64, 64]);
    const b = HostTensor.f32(Float32Array.from({ length: 4096 }, (_, i) => Math.cos(i)), [64, 64]);
    const spin = await Session.create(serializeGraph(spec), { spinning: true });
    const sleep = await Session.create(serializeGraph(spec), { spinning: false });
    const [slept, spun] = [(await sleep.run({ a, b })).y, (await spin.run({ a, b })).y];
    assert.ok(slept && spun, 'both sessions return y');
    assert.deepEqual(slept.f32(), spun.f32());
  });

  test('gradients through a mean over a symbolic batch dim', async () => {
    const x = o.input('x', ['batch', 2]);
    const w = o.input('w', [2, 1]);
    const [gw] = grad(o.mean(o.matmul(x, w)), [w]);
    const s = await Session.create(serializeGraph({ outputs: { gw: gw! }, paramMode: 'inputs' }));
    const r = await s.run({ x: HostTensor.f32([1, 2, 3, 4, 5, 6], [3, 2]), w: HostTensor.f32([0, 0], [2, 1]) });
    assert.deepEqual([...r.gw!.data], [3, 4]); // column means of x
  });
});
