// What the parity tests of the diffusers pipelines share: reading the reference's fixtures (the
// inpainting run's included, with its mask turned into flowpaint's pinned cells) and the one error
// measure every comparison states its bound in, max |a − b| / max |b| (scale-aware, and
// it does not blow up on values near zero).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type HostTensor, readSafetensors } from '../../engine/index.ts';
import { relErr } from '../../testing/rel-err.ts';

export { relErr };
import { pinnedCells } from '../../pipeline/diffusers.ts';
import { fromRgb8 } from './pixels.ts';

/** The tensors of a fixture file in `dir`. */
export function fixture(dir: string, name: string): Map<string, HostTensor> {
  return readSafetensors(join(dir, name)).tensors;
}

/** A fixture tensor as float32 (integer tensors converted). */
export function f32(t: HostTensor | undefined): Float32Array {
  assert.ok(t, 'fixture tensor missing');
  return t.dtype === 'float32' ? (t.data as Float32Array) : Float32Array.from(t.data as ArrayLike<number | bigint>, Number);
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

/** The reference inpainting run of scripts/parity/make_inpaint_fixtures.py (inpaint.safetensors/.json in `dir`). */
export interface InpaintFixture {
  prompt: string;
  width: number;
  height: number;
  steps: number;
  /** The input picture [3, H, W] in [-1, 1]. */
  pixels: Float32Array;
  /** The mask (H × W, nonzero = repaint) as the latent cells flowpaint keeps (1 = keep), `cell` pixels a side. */
  pinned: Uint8Array;
  /** The run's initial noise, as the reference drew it. */
  noise: Float32Array;
  /** The reference's decoded result after output_type="pt" ([3, H, W] in [0, 1]). */
  image: Float32Array;
}

export function inpaintFixture(dir: string, cell: number): InpaintFixture {
  const meta = JSON.parse(readFileSync(join(dir, 'inpaint.json'), 'utf8')) as { prompt: string; width: number; height: number; steps: number };
  const t = fixture(dir, 'inpaint.safetensors');
  const { width, height } = meta;
  return {
    ...meta,
    pixels: fromRgb8(t.get('pixels')!.data as Uint8Array, width, height),
    pinned: pinnedCells({ width, height, data: t.get('mask')!.data as Uint8Array }, cell),
    noise: f32(t.get('noise')),
    image: f32(t.get('image')),
  };
}
