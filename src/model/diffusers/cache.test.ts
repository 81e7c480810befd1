// The compiled-component cache: initializers go to external data, a second start reuses the files,
// and a changed weight file (or option) makes a new one.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { HostTensor, ops as o, Session } from '../../engine/index.ts';
import { cachedOnnx, cacheKey } from './cache.ts';

test('a matmul graph is written with external data, run from the file, reused, and rebuilt when its weights file changes', async () => {
  const root = mkdtempSync(join(tmpdir(), 'flux2-cache-'));
  const weightsFile = join(root, 'w.safetensors');
  writeFileSync(weightsFile, 'stand-in for a weight file');
  const w = Float32Array.from({ length: 64 * 8 }, (_, i) => (i % 7) - 3);
  let built = 0;
  const spec = () => {
    built++;
    const x = o.input('x', [1, 64]);
    return { outputs: { y: o.matmul(x, o.param('w', [64, 8])) }, inputs: [x], paramMode: 'initializers' as const, weights: () => w };
  };
  const key = () => cacheKey({ component: 'test', files: [weightsFile], extra: { quantize: 'none' } });
  const path = cachedOnnx(key(), spec, root);
  assert.equal(built, 1);
  const dir = join(path, '..');
  assert.deepEqual(readdirSync(dir).sort(), ['key.json', 'model.onnx', 'model.onnx.data']);
  assert.equal(statSync(`${path}.data`).size, w.byteLength, 'the weight lives in the external data file');
  assert.ok(statSync(path).size < 1024, 'the protobuf holds no weights');
  const session = await Session.create(path, { threads: 1 });
  try {
    const y = (await session.run({ x: HostTensor.f32(new Float32Array(64).fill(1), [1, 64]) })).y!.f32();
    const want = Array.from({ length: 8 }, (_, n) => Array.from({ length: 64 }, (_, k) => w[k * 8 + n]!).reduce((a, b) => a + b, 0));
    assert.deepEqual([...y], want);
  } finally {
    await session.release();
  }
  assert.equal(cachedOnnx(key(), spec, root), path);
  assert.equal(built, 1, 'the second start reuses the cached file');
  utimesSync(weightsFile, new Date(), new Date(Date.now() + 5000));
  const again = cachedOnnx(key(), spec, root);
  assert.equal(built, 2, 'a changed weight file is compiled again');
  assert.notEqual(again, path);
  cachedOnnx(cacheKey({ component: 'test', files: [weightsFile], extra: { quantize: 'int8' } }), spec, root);
  assert.equal(built, 3, 'another quantization is another entry');
});
