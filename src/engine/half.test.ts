// fromF16's table gives exactly the arithmetic conversion for every one of the 65,536 bit patterns.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { f16BitsToF32, f32ToF16Bits, fromF16 } from './half.ts';

test('fromF16 equals f16BitsToF32 on every float16, NaNs included, and round-trips f32ToF16Bits', () => {
  const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
  const out = fromF16(all);
  for (let h = 0; h < 65536; h++) {
    const want = f16BitsToF32(h);
    if (Number.isNaN(want)) assert.ok(Number.isNaN(out[h]!), `0x${h.toString(16)}`);
    else {
      assert.ok(Object.is(out[h], want), `0x${h.toString(16)}: ${out[h]} vs ${want}`);
      assert.equal(f32ToF16Bits(out[h]!), h);
    }
  }
});
