// The relative error shared by tests that compare an output with a reference (parity fixtures,
// quantized layers, runner checks). Test-only; nothing in the product imports it.
import assert from 'node:assert/strict';

/** max |got − want| / max |want|: the relative error the parity and quantization bounds are stated in. */
export function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  assert.equal(got.length, want.length, 'lengths differ');
  let num = 0;
  let den = 0;
  for (let i = 0; i < want.length; i++) {
    num = Math.max(num, Math.abs(got[i]! - want[i]!));
    den = Math.max(den, Math.abs(want[i]!));
  }
  return num / den;
}
