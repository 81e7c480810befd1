import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { HostTensor } from './host.ts';
import { asFloat32, castForStorage, parseSafetensors, readSafetensors, serializeSafetensors, writeSafetensors } from './safetensors.ts';

function sample(): Map<string, HostTensor> {
  return new Map<string, HostTensor>([
    ['w', HostTensor.f32([1.5, -2, 3.25, 0, -0, 1e-30], [2, 3])],
    ['ids', HostTensor.i64([1, -2, 9007199254740991], [3])],
    ['q', new HostTensor('int8', [4], Int8Array.of(-128, -1, 0, 127))],
    ['empty', HostTensor.zeros([0, 4])],
    ['scalar', HostTensor.scalar(7)],
  ]);
}

function header(json: object, data = new Uint8Array(0)): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(json));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

describe('safetensors', () => {
  test('write → read is exact for every dtype, with metadata', () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    const path = join(dir, 'w.safetensors');
    writeSafetensors(path, sample(), { format: 'pt', note: 'x' });
    const { tensors, metadata } = readSafetensors(path);
    assert.deepEqual(metadata, { format: 'pt', note: 'x' });
    for (const [k, t] of sample()) {
      const got = tensors.get(k)!;
      assert.equal(got.dtype, t.dtype, k);
      assert.deepEqual([...got.shape], [...t.shape], k);
      assert.deepEqual(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength), Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength), k);
    }
    // The data starts 8-byte aligned and no temp file is left behind.
    const bytes = readFileSync(path);
    assert.equal((8 + Number(bytes.readBigUInt64LE(0))) % 8, 0);
    assert.deepEqual(readdirSync(dir), ['w.safetensors']);
  });

  test('float16 and bfloat16 storage round to nearest and read back as float32', () => {
    const t = HostTensor.f32([1, -2.5, 0.1, 65504, 1e-8, 3.140625], [6]);
    const f16 = asFloat32(parseSafetensors(serializeSafetensors(new Map([['t', castForStorage(t, 'float16')]]))).tensors.get('t')!);
    assert.deepEqual([...f16.data], [1, -2.5, 0.0999755859375, 65504, 0, 3.140625]);
    // bfloat16: ties (1 + 2^-8, 1 + 3·2^-8) go to the even neighbour.
    const tb = HostTensor.f32([0.1, 65504, 3.140625, 1 + 2 ** -8, 1 + 3 * 2 ** -8], [5]);
    const bf = asFloat32(parseSafetensors(serializeSafetensors(new Map([['t', castForStorage(tb, 'bfloat16')]]))).tensors.get('t')!);
    assert.deepEqual([...bf.data], [0.10009765625, 65536, 3.140625, 1, 1.015625]);
  });

  test('malformed files give errors that say what is wrong', () => {
    const ok = serializeSafetensors(sample());
    assert.throws(() => parseSafetensors(ok.subarray(0, 5), 'f'), /f: file is 5 bytes, too short/);
    assert.throws(() => parseSafetensors(ok.subarray(0, ok.length - 3), 'f'), /truncated\?/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    assert.throws(() => parseSafetensors(huge, 'f'), /exceeds the 100000000-byte limit/);
    const junk = new Uint8Array(12);
    new DataView(junk.buffer).setBigUint64(0, 4n, true);
    junk.set([0x7b, 0x7b, 0x7b, 0x7b], 8);
    assert.throws(() => parseSafetensors(junk, 'f'), /header is not valid JSON/);
    assert.throws(() => parseSafetensors(header({ a: { dtype: 'F99', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4))), /tensor 'a': unknown dtype "F99"/);
    assert.throws(() => parseSafetensors(header({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4))), /tensor 'a': 4 bytes for F32\[2\], expected 8/);
    assert.throws(() => parseSafetensors(header({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(4))), /run past the 4 data bytes/);
    assert.throws(
      () => parseSafetensors(header({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(8))),
      /overlap or hole/,
    );
    assert.throws(() => parseSafetensors(header({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4))), /shape \[-1\] is not a list/);
    assert.throws(() => readSafetensors('/nonexistent/w.safetensors'), /\/nonexistent\/w.safetensors: cannot read \(ENOENT\)/);
  });

  test('a failed write leaves the previous file intact', () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    const path = join(dir, 'w.safetensors');
    writeFileSync(path, serializeSafetensors(sample()));
    const before = readFileSync(path);
    const bad = new Map([['x', { dtype: 'float32', shape: [1], data: null } as unknown as HostTensor]]);
    assert.throws(() => writeSafetensors(path, bad));
    assert.deepEqual(readFileSync(path), before);
  });
});
