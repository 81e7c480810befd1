// What the parity tests of the diffusers pipelines share: reading the reference's fixtures and the
// one error measure every comparison states its bound in, max |a − b| / max |b| (scale-aware, and
// it does not blow up on values near zero).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { type HostTensor, readSafetensors } from '../../engine/index.ts';

/** The tensors of a fixture file in `dir`. */
export function fixture(dir: string, name: string): Map<string, HostTensor> {
  return readSafetensors(join(dir, name)).tensors;
}

/** A fixture tensor as float32 (integer tensors converted). */
export function f32(t: HostTensor | undefined): Float32Array {
  assert.ok(t, 'fixture tensor missing');
  return t.dtype === 'float32' ? (t.data as Float32Array) : Float32Array.from(t.data as ArrayLike<number | bigint>, Number);
}

/** max |a − b| / max |b|. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

/** Asserts relErr(a, b) ≤ tol and returns it (for the test's diagnostics). */
export function assertClose(name: string, a: ArrayLike<number>, b: ArrayLike<number>, tol: number): number {
  const e = relErr(a, b);
  assert.ok(e <= tol, `${name}: max relative error ${e.toExponential(2)} exceeds ${tol}`);
  return e;
}

/** The reference's output_type="pt" postprocess: (x/2 + 0.5) clamped to [0, 1]. */
export function postprocess(x: Float32Array): Float32Array {
  return x.map((v) => Math.min(1, Math.max(0, v / 2 + 0.5)));
}
