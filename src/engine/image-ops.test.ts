// The image ops a VAE needs (convolution, group/instance norm, 2× upsampling) through ONNX
// Runtime against plain-TypeScript references, including symbolic spatial sizes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HostTensor } from './host.ts';
import * as o from './ops.ts';
import { Rng } from './random.ts';
import { evaluate } from './runtime.ts';

const rng = new Rng(11);
const randn = (n: number) => rng.fillNormal(new Float32Array(n));
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

type Shape4 = [number, number, number, number];

function conv2dRef(x: Float32Array, [B, C, H, W]: Shape4, w: Float32Array, [O, Cg, KH, KW]: Shape4, bias: Float32Array | undefined, s: number, p: number, d: number, groups: number) {
  const Ho = Math.floor((H + 2 * p - d * (KH - 1) - 1) / s) + 1;
  const Wo = Math.floor((W + 2 * p - d * (KW - 1) - 1) / s) + 1;
  const out = new Float64Array(B * O * Ho * Wo);
  const og = O / groups;
  for (let b = 0; b < B; b++)
    for (let oc = 0; oc < O; oc++) {
      const g = Math.floor(oc / og);
      for (let i = 0; i < Ho; i++)
        for (let j = 0; j < Wo; j++) {
          let acc = bias ? bias[oc]! : 0;
          for (let c = 0; c < Cg; c++)
            for (let ki = 0; ki < KH; ki++)
              for (let kj = 0; kj < KW; kj++) {
                const y = i * s - p + ki * d;
                const xx = j * s - p + kj * d;
                if (y < 0 || y >= H || xx < 0 || xx >= W) continue;
                acc += x[((b * C + g * Cg + c) * H + y) * W + xx]! * w[((oc * Cg + c) * KH + ki) * KW + kj]!;
              }
          out[((b * O + oc) * Ho + i) * Wo + j] = acc;
        }
    }
  return { out, shape: [B, O, Ho, Wo] };
}

describe('image ops', () => {
  for (const [label, s, p, d, groups] of [
    ['3×3 same padding', 1, 1, 1, 1],
    ['stride 2 (downsampling)', 2, 0, 1, 1],
    ['dilation 2, groups 2', 1, 2, 2, 2],
  ] as Array<[string, number, number, number, number]>) {
    test(`conv2d ${label} matches the reference (abs 1e-4)`, async () => {
      const xs: Shape4 = [2, 4, 9, 7];
      const ws: Shape4 = [6, 4 / groups, 3, 3];
      const xv = randn(size(xs));
      const wv = randn(size(ws));
      const bv = randn(6);
      const y = o.conv2d(o.input('x', xs), o.input('w', ws), o.input('b', [6]), { stride: s, padding: p, dilation: d, groups });
      const ref = conv2dRef(xv, xs, wv, ws, bv, s, p, d, groups);
      assert.deepEqual(y.shape, ref.shape);
      const out = await evaluate({ y }, { x: HostTensor.f32(xv, xs), w: HostTensor.f32(wv, ws), b: HostTensor.f32(bv, [6]) });
      assert.deepEqual(out.y!.shape, ref.shape);
      assert.ok(maxAbsDiff(out.y!.f32(), ref.out) < 1e-4);
    });
  }

  test('conv2d shapes: symbolic H, W keep their names under same padding; errors name the shapes', () => {
    const x = o.input('x', ['B', 4, 'H', 'W']);
    assert.deepEqual(o.conv2d(x, o.input('w', [8, 4, 3, 3]), undefined, { padding: 1 }).shape, ['B', 8, 'H', 'W']);
    assert.deepEqual(o.conv2d(x, o.input('w', [8, 4, 1, 1])).shape, ['B', 8, 'H', 'W']);
    assert.throws(() => o.conv2d(x, o.input('w', [8, 3, 3, 3])), /conv2d: .* has 4 channels, weight .* expects 3 per group/);
    assert.throws(() => o.conv2d(o.input('x', [1, 4, 2, 2]), o.input('w', [8, 4, 5, 5])), /too small for kernel 5/);
  });

  test('groupNorm and instanceNorm match the reference, with symbolic spatial dims (abs 1e-5)', async () => {
    const xs = [2, 6, 5, 3];
    const xv = randn(size(xs));
    const wv = randn(6);
    const bv = randn(6);
    const x = o.input('x', ['B', 6, 'H', 'W']);
    const feeds = { x: HostTensor.f32(xv, xs), w: HostTensor.f32(wv, [6]), b: HostTensor.f32(bv, [6]) };
    for (const groups of [3, 6]) {
      const y = groups === 6 ? o.instanceNorm(x, o.input('w', [6]), o.input('b', [6]), 1e-6) : o.groupNorm(x, groups, o.input('w', [6]), o.input('b', [6]), 1e-6);
      assert.deepEqual(y.shape, ['B', 6, 'H', 'W']);
      const out = (await evaluate({ y }, feeds)).y!.f32();
      const [B, C, H, W] = xs as [number, number, number, number];
      const per = (C / groups) * H * W;
      const want = new Float64Array(xv.length);
      for (let b = 0; b < B; b++)
        for (let g = 0; g < groups; g++) {
          const start = (b * C + g * (C / groups)) * H * W;
          let mu = 0;
          for (let i = 0; i < per; i++) mu += xv[start + i]!;
          mu /= per;
          let v = 0;
          for (let i = 0; i < per; i++) v += (xv[start + i]! - mu) ** 2;
          v /= per;
          for (let i = 0; i < per; i++) {
            const c = g * (C / groups) + Math.floor(i / (H * W));
            want[start + i] = ((xv[start + i]! - mu) / Math.sqrt(v + 1e-6)) * wv[c]! + bv[c]!;
          }
        }
      assert.ok(maxAbsDiff(out, want) < 1e-5, `groups ${groups}`);
    }
    assert.throws(() => o.groupNorm(x, 4), /divisible by 4 groups/);
  });

  test('upsample2d ×2: nearest repeats values; linear matches half-pixel bilinear (abs 1e-5)', async () => {
    const xs = [1, 2, 3, 4];
    const xv = randn(size(xs));
    const x = o.input('x', ['B', 2, 'H', 'W']);
    const near = o.upsample2d(x, 2);
    const lin = o.upsample2d(x, 2, { mode: 'linear' });
    assert.deepEqual(near.shape, ['B', 2, 'H*2', 'W*2']);
    const out = await evaluate({ near, lin }, { x: HostTensor.f32(xv, xs) });
    const [, C, H, W] = xs as [number, number, number, number];
    assert.deepEqual(out.near!.shape, [1, C, 2 * H, 2 * W]);
    const n = out.near!.f32();
    const l = out.lin!.f32();
    const src = (c: number, y: number, x2: number) => xv[(c * H + y) * W + x2]!;
    let worst = 0;
    for (let c = 0; c < C; c++)
      for (let i = 0; i < 2 * H; i++)
        for (let j = 0; j < 2 * W; j++) {
          assert.equal(n[(c * 2 * H + i) * 2 * W + j], src(c, i >> 1, j >> 1));
          const fy = Math.max(0, (i + 0.5) / 2 - 0.5);
          const fx = Math.max(0, (j + 0.5) / 2 - 0.5);
          const y0 = Math.floor(fy);
          const x0 = Math.floor(fx);
          const y1 = Math.min(H - 1, y0 + 1);
          const x1 = Math.min(W - 1, x0 + 1);
          const wy = fy - y0;
          const wx = fx - x0;
          const want = (1 - wy) * ((1 - wx) * src(c, y0, x0) + wx * src(c, y0, x1)) + wy * ((1 - wx) * src(c, y1, x0) + wx * src(c, y1, x1));
          worst = Math.max(worst, Math.abs(l[(c * 2 * H + i) * 2 * W + j]! - want));
        }
    assert.ok(worst < 1e-5, `linear: ${worst}`);
  });
});
