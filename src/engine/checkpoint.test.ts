// The on-demand checkpoint reader on small files written here: single files and sharded ones
// with an index, dtype conversion in and out of bf16/f16, chunked reads, and the errors for
// missing and mismatched files and tensors (each must name the file and the tensor).
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Checkpoint, SafetensorsReader } from './checkpoint.ts';
import { fromBf16, fromF16, toBf16, toF16 } from './half.ts';
import { HostTensor } from './host.ts';
import { Rng } from './random.ts';
import { castForStorage, writeSafetensors } from './safetensors.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'ckpt-'));
const rng = new Rng(3);
const randn = (n: number) => rng.fillNormal(new Float32Array(n));

/** Writes shards and an index the way diffusers/transformers lay them out. */
function writeSharded(d: string, shards: Record<string, Map<string, HostTensor>>, extra: Record<string, string> = {}): string {
  const weightMap: Record<string, string> = { ...extra };
  for (const [file, tensors] of Object.entries(shards)) {
    writeSafetensors(join(d, file), tensors);
    for (const name of tensors.keys()) weightMap[name] = file;
  }
  const index = join(d, 'diffusion_pytorch_model.safetensors.index.json');
  writeFileSync(index, JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
  return index;
}

describe('SafetensorsReader', () => {
  test('reads each tensor by offset, as stored or converted, equal to the in-memory conversion', () => {
    const d = dir();
    const w = HostTensor.f32(randn(6 * 5), [6, 5]);
    const ids = HostTensor.i64([1, -2, 3], [3]);
    writeSafetensors(join(d, 'a.safetensors'), new Map([
      ['w.f32', w],
      ['w.bf16', castForStorage(w, 'bfloat16')],
      ['w.f16', castForStorage(w, 'float16')],
      ['ids', ids],
    ]), { format: 'pt' });
    const r = SafetensorsReader.open(join(d, 'a.safetensors'));
    try {
      assert.deepEqual(r.metadata, { format: 'pt' });
      assert.deepEqual(r.read('w.f32').f32(), w.f32());
      assert.deepEqual(r.read('ids').data, ids.data);
      // bf16 → f32 is exact widening; f32 → bf16/f16 rounds as castForStorage does.
      assert.deepEqual(r.read('w.bf16', { dtype: 'float32' }).f32(), fromBf16(toBf16(w.f32())));
      assert.deepEqual(r.read('w.f16', { dtype: 'float32' }).f32(), fromF16(toF16(w.f32())));
      assert.deepEqual(r.read('w.f32', { dtype: 'bfloat16' }).data, toBf16(w.f32()));
      assert.deepEqual(r.read('w.f32', { dtype: 'float16' }).data, toF16(w.f32()));
      assert.deepEqual(r.read('w.bf16', { dtype: 'float16' }).data, toF16(fromBf16(toBf16(w.f32()))));
      assert.deepEqual(r.read('w.f32', { shape: [6, 5] }).shape, [6, 5]);
      assert.throws(() => r.read('w.f32', { shape: [5, 6] }), /a\.safetensors: tensor 'w\.f32' is float32\[6, 5\] but \[5, 6\] is expected/);
      assert.throws(() => r.read('ids', { dtype: 'float32' }), /a\.safetensors: tensor 'ids' is int64; cannot convert/);
      assert.throws(() => r.read('w.f33'), /a\.safetensors: no tensor 'w\.f33'; did you mean 'w\.f32'\?/);
    } finally {
      r.close();
    }
    assert.throws(() => r.read('w.f32'), /after close/);
  });

  test('a tensor larger than one read chunk (16 MiB) converts across chunk edges', () => {
    const d = dir();
    const n = 9_000_000; // 18 MB as bf16, 36 MB as f32
    const bits = new Uint16Array(n);
    for (let i = 0; i < n; i++) bits[i] = (i * 2654435761) >>> 16;
    writeSafetensors(join(d, 'big.safetensors'), new Map<string, HostTensor>([['pad', HostTensor.f32([1, 2, 3], [3])], ['big', new HostTensor('bfloat16', [n], bits)]]));
    const r = SafetensorsReader.open(join(d, 'big.safetensors'));
    try {
      const got = r.read('big', { dtype: 'float32' }).f32();
      const want = fromBf16(bits);
      for (const i of [0, 1, 8_388_607, 8_388_608, 8_388_609, n - 1]) assert.ok(Object.is(got[i], want[i]), `element ${i}`);
      let differ = 0;
      for (let i = 0; i < n; i++) if (!Object.is(got[i], want[i])) differ++;
      assert.equal(differ, 0);
    } finally {
      r.close();
    }
  });

  test('a truncated or damaged file is refused when opened, naming the file', () => {
    const d = dir();
    const p = join(d, 'cut.safetensors');
    writeSafetensors(p, new Map([['x', HostTensor.f32(randn(64), [64])]]));
    truncateSync(p, 100);
    assert.throws(() => SafetensorsReader.open(p), /cut\.safetensors: tensor 'x': data_offsets \[0, 256\] run past/);
    writeFileSync(p, new Uint8Array(4));
    assert.throws(() => SafetensorsReader.open(p), /cut\.safetensors: file is 4 bytes, too short/);
    assert.throws(() => SafetensorsReader.open(join(d, 'none.safetensors')), /none\.safetensors: cannot open \(ENOENT\)/);
  });
});

describe('Checkpoint', () => {
  test('a sharded checkpoint opens by index or by folder, and reads across shards', () => {
    const d = dir();
    const a = HostTensor.f32(randn(8), [2, 4]);
    const b = castForStorage(HostTensor.f32(randn(3), [3]), 'bfloat16');
    const index = writeSharded(d, {
      'diffusion_pytorch_model-00001-of-00002.safetensors': new Map([['blocks.0.w', a]]),
      'diffusion_pytorch_model-00002-of-00002.safetensors': new Map([['blocks.1.w', b]]),
    });
    for (const src of [index, d]) {
      const c = Checkpoint.open(src);
      try {
        assert.deepEqual(c.names().sort(), ['blocks.0.w', 'blocks.1.w']);
        assert.equal(c.files.length, 2);
        assert.deepEqual(c.read('blocks.0.w').f32(), a.f32());
        assert.deepEqual(c.read('blocks.1.w', { dtype: 'float32' }).f32(), fromBf16(b.data as Uint16Array));
        assert.match(c.info('blocks.1.w').file, /00002-of-00002/);
        assert.deepEqual(c.compare(['blocks.0.w', 'blocks.2.w']), { missing: ['blocks.2.w'], unused: ['blocks.1.w'] });
        assert.throws(() => c.read('blocks.2.w'), /index\.json: no tensor 'blocks\.2\.w' \(2 tensors in 2 shards\); did you mean/);
      } finally {
        c.close();
      }
    }
  });

  test('a single file, or a folder with one file, is a checkpoint too', () => {
    const d = dir();
    writeSafetensors(join(d, 'model.safetensors'), new Map([['x', HostTensor.f32([1, 2], [2])]]));
    const c = Checkpoint.open(d);
    assert.deepEqual(c.read('x').f32(), Float32Array.of(1, 2));
    c.close();
  });

  test('missing and mismatched shards fail at open, naming the index, the shard and a tensor', () => {
    const t = HostTensor.f32([1], [1]);
    let d = dir();
    let index = writeSharded(d, { 's1.safetensors': new Map([['a', t]]) }, { b: 's2.safetensors' });
    assert.throws(() => Checkpoint.open(index), /index\.json: shard s2\.safetensors is missing \(expected at .*s2\.safetensors; it should hold 1 tensors, e\.g\. 'b'\)/);

    d = dir();
    writeSafetensors(join(d, 's2.safetensors'), new Map([['c', t]]));
    index = writeSharded(d, { 's1.safetensors': new Map([['a', t]]) }, { b: 's2.safetensors' });
    assert.throws(() => Checkpoint.open(index), /tensor 'b' is listed in shard s2\.safetensors, but .*s2\.safetensors has no such tensor/);

    d = dir();
    writeSafetensors(join(d, 's1.safetensors'), new Map([['a', t], ['stray', t]]));
    writeFileSync(join(d, 'm.safetensors.index.json'), JSON.stringify({ weight_map: { a: 's1.safetensors' } }));
    assert.throws(() => Checkpoint.open(join(d, 'm.safetensors.index.json')), /s1\.safetensors: tensor 'stray' is in the shard but not in m\.safetensors\.index\.json's weight_map/);

    writeFileSync(join(d, 'm.safetensors.index.json'), JSON.stringify({ weight_map: { a: '../s1.safetensors' } }));
    assert.throws(() => Checkpoint.open(join(d, 'm.safetensors.index.json')), /weight_map\["a"\] is "\.\.\/s1\.safetensors", not a file name beside the index/);
    writeFileSync(join(d, 'm.safetensors.index.json'), '{"metadata": {}}');
    assert.throws(() => Checkpoint.open(join(d, 'm.safetensors.index.json')), /has no "weight_map" object/);

    d = dir();
    mkdirSync(join(d, 'empty'));
    assert.throws(() => Checkpoint.open(join(d, 'empty')), /empty: no \.safetensors file or \*\.safetensors\.index\.json/);
    writeSafetensors(join(d, 'x.safetensors'), new Map([['a', t]]));
    writeSafetensors(join(d, 'y.safetensors'), new Map([['b', t]]));
    assert.throws(() => Checkpoint.open(d), /2 \.safetensors files and no \*\.safetensors\.index\.json/);
    assert.throws(() => Checkpoint.open(join(d, 'nope')), /nope: no such file or folder/);
  });

  test('weights for a graph come straight from the reader, converted to what the graph declares', async () => {
    const { ops: o, serializeGraph, Session } = await import('./index.ts');
    const d = dir();
    const wv = randn(4 * 3);
    writeSafetensors(join(d, 'model.safetensors'), new Map([['lin.weight', castForStorage(HostTensor.f32(wv, [4, 3]), 'bfloat16')]]));
    const c = Checkpoint.open(d);
    const x = o.input('x', [1, 4]);
    const y = o.matmul(x, o.param('lin.weight', [4, 3]));
    const g = serializeGraph({ outputs: { y }, paramMode: 'initializers', weights: (name, t) => c.read(name, { dtype: t.dtype, shape: t.shape as number[] }).data });
    c.close();
    const s = await Session.create(g);
    const out = await s.run({ x: HostTensor.f32([1, 0, 0, 0], [1, 4]) });
    await s.release();
    assert.deepEqual(out.y!.f32(), fromBf16(toBf16(wv.subarray(0, 3))));
  });
});
