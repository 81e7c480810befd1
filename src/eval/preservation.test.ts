import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMask, makeEditPair, type RgbImage } from '../data/index.ts';
import { PSNR_IDENTICAL, preservation } from './preservation.ts';

function gradientImage(w: number, h: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([(x * 7) % 256, (y * 5) % 256, ((x + y) * 3) % 256], (y * w + x) * 3);
  return { width: w, height: h, data };
}

describe('preservation outside the mask', () => {
  test('an identical pair is 100%: SSIM 1 and PSNR at its ceiling', () => {
    const a = gradientImage(64, 64);
    const p = preservation(a, { ...a, data: a.data.slice() });
    assert.equal(p.ssim, 1);
    assert.equal(p.psnr, PSNR_IDENTICAL);
    assert.equal(p.pixels, 64 * 64);
  });

  test('a change outside the mask lowers both; the same change inside the mask does not count', () => {
    const a = gradientImage(64, 64);
    const b = { ...a, data: a.data.slice() };
    for (let y = 10; y < 30; y++) for (let x = 10; x < 30; x++) b.data[(y * 64 + x) * 3] = 255 - b.data[(y * 64 + x) * 3]!;
    const changed = preservation(a, b);
    assert.ok(changed.ssim! < 0.95, `ssim ${changed.ssim}`);
    assert.ok(changed.psnr < 30, `psnr ${changed.psnr}`);
    const mask = createMask(64, 64);
    for (let y = 10; y < 30; y++) for (let x = 10; x < 30; x++) mask.data[y * 64 + x] = 255;
    const masked = preservation(a, b, mask);
    assert.equal(masked.ssim, 1);
    assert.equal(masked.psnr, PSNR_IDENTICAL);
    assert.equal(masked.pixels, 64 * 64 - 400);
  });

  test("the data's own edit targets preserve their sources exactly outside the mask", () => {
    for (const kind of ['remove', 'recolor', 'move', 'background'] as const) {
      const pair = makeEditPair(11, { width: 128, height: 128, kind });
      const p = preservation(pair.source, pair.target, pair.mask);
      assert.equal(p.psnr, PSNR_IDENTICAL, kind);
      if (p.ssim !== null) assert.equal(p.ssim, 1, kind);
      const noisy = { ...pair.target, data: pair.target.data.map((v, i) => (i % 7 === 0 ? 255 - v : v)) };
      assert.ok(preservation(pair.source, noisy, pair.mask).psnr < 30, kind);
    }
  });

  test('mismatched sizes are refused', () => {
    assert.throws(() => preservation(gradientImage(64, 64), gradientImage(64, 32)), /images are 64x64 and 64x32/);
  });
});
