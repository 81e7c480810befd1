import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../engine/index.ts';
import { POSITION_FEATURES, PRESETS } from './config.ts';
import { gridFor, imageRope, layoutFeeds, maskPatches, padPrompt, patchify, positionFeatures, segmentIds, unpatchify } from './layout.ts';

test('patchify → unpatchify returns the same bytes, for non-square images too', () => {
  const rng = new Rng(4);
  for (const [w, h] of [[64, 64], [128, 32], [32, 96]] as const) {
    const data = Uint8Array.from({ length: w * h * 3 }, () => rng.int(256));
    const back = unpatchify(patchify({ width: w, height: h, data }, 16), w, h, 16);
    assert.deepEqual(back.data, data);
  }
  assert.throws(() => gridFor(100, 64, 16), /100×64 is not a multiple of the 16-pixel patch size/);
});

test('a token holds one patch: pixel (x, y) of patch (r, c) lands in token r·cols + c', () => {
  const w = 32;
  const h = 16;
  const data = new Uint8Array(w * h * 3);
  data[(5 * w + 20) * 3] = 255; // x=20, y=5 → patch row 0, column 1, local (4, 5)
  const p = patchify({ width: w, height: h, data }, 16);
  const P = 16 * 16 * 3;
  assert.equal(p[1 * P + (5 * 16 + 4) * 3], 1);
  assert.equal(p[0], -1);
  const m = maskPatches({ width: w, height: h, data: Uint8Array.from({ length: w * h }, (_, i) => (i % w >= 16 ? 255 : 0)) }, 16);
  assert.deepEqual([m[0], m[256]], [0, 1]);
});

test('rotary tables: text tokens sit at the origin (no rotation); positions are resolution-normalised', () => {
  const c = PRESETS.small!;
  const K = c.text.resamplerTokens;
  const small = imageRope(c, [{ grid: { rows: 8, cols: 8 }, segment: 0 }]);
  const big = imageRope(c, [{ grid: { rows: 64, cols: 64 }, segment: 0 }]);
  const dh = 64;
  for (let i = 0; i < K * dh; i++) {
    assert.equal(small.cos[i], 1);
    assert.equal(small.sin[i], 0);
  }
  assert.equal(small.tokens, 64);
  assert.equal(big.tokens, 4096);
  // The last token of an 8×8 grid and of a 64×64 grid sit near the same (normalised) position.
  const lastSmall = small.cos.subarray((K + 63) * dh, (K + 64) * dh);
  const lastBig = big.cos.subarray((K + 4095) * dh, (K + 4096) * dh);
  assert.ok(Math.abs(lastSmall[16 + 1]! - lastBig[16 + 1]!) < 0.05);
  assert.deepEqual([...segmentIds([{ grid: { rows: 1, cols: 2 }, segment: 0 }, { grid: { rows: 1, cols: 2 }, segment: 1 }])], [0n, 0n, 1n, 1n]);
});

test('Fourier position features tell every token of a grid apart, and name the same place at every resolution', () => {
  const row = (f: Float32Array, t: number) => Array.from(f.subarray(t * POSITION_FEATURES, (t + 1) * POSITION_FEATURES));
  const eight = positionFeatures([{ grid: { rows: 8, cols: 8 }, segment: 0 }]);
  const seen = new Set<string>();
  for (let t = 0; t < 64; t++) {
    const r = row(eight, t);
    assert.ok(r.every((v) => v >= -1 && v <= 1));
    seen.add(r.map((v) => v.toFixed(3)).join());
  }
  assert.equal(seen.size, 64, 'two tokens share their features');
  // Mirror images differ (sin and cos of each period): top left is not bottom left.
  assert.notDeepEqual(row(eight, 0), row(eight, 56));
  // The coarsest period: sin(πu) for the row's place u in [0, 1], whatever the grid.
  const sixteen = positionFeatures([{ grid: { rows: 16, cols: 16 }, segment: 0 }]);
  assert.ok(Math.abs(eight[0]! - Math.sin(Math.PI * 0.5 / 8)) < 1e-6);
  assert.ok(Math.abs(sixteen[0]! - Math.sin(Math.PI * 0.5 / 16)) < 1e-6);
  // An edit's source tokens carry the features of the target token at the same place.
  const both = positionFeatures([{ grid: { rows: 8, cols: 8 }, segment: 0 }, { grid: { rows: 8, cols: 8 }, segment: 1 }]);
  assert.deepEqual(row(both, 64 + 9), row(both, 9));
});

test('the denoiser is fed position features exactly when its config asks for Fourier positions', () => {
  const segments = [{ grid: { rows: 4, cols: 6 }, segment: 0 as const }];
  const rope = layoutFeeds({ ...PRESETS.tiny!, positionFeatures: 'rope' }, segments);
  assert.equal(rope.pos_features, undefined);
  const fourier = layoutFeeds({ ...PRESETS.tiny!, positionFeatures: 'fourier' }, segments);
  assert.deepEqual(fourier.pos_features!.shape, [24, POSITION_FEATURES]);
});

test('prompts pad to a multiple of the window with a keep mask', () => {
  const p = padPrompt([5, 6, 7], 4, 0);
  assert.deepEqual([...p.ids], [5n, 6n, 7n, 0n]);
  assert.deepEqual([...p.keep], [1, 1, 1, 0]);
  assert.throws(() => padPrompt([1, 2, 3], 4, 0, 6), /not a multiple of the window/);
});
