// Quantized Z-Image: the transformer's linear layers in int8 (dynamic activation quantization) and
// int4 (4-bit weight blocks), against the float32 reference output of the parity fixture. The
// errors are reported (test diagnostics) and bounded; the tiny model's 32-wide layers and random
// weights are a harsh case for per-tensor activation scales and 4-bit blocks (measured: int8 5.2e-2,
// int4 3.3e-1, where klein's tiny model gives less), so the bounds are loose: they catch a rewrite
// that breaks the graph, not a few percent of accuracy.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { f32, fixture, relErr } from '../diffusers/parity-support.ts';
import { ZImageModel } from './zimage.ts';

const DATA = join(import.meta.dirname, 'testdata');
const BOUNDS = { none: 1e-4, int8: 0.1, int4: 0.5 } as const;

for (const mode of ['none', 'int8', 'int4'] as const) {
  test(`transformer output with ${mode} linear layers: max relative error ≤ ${BOUNDS[mode]} against the float32 reference`, async (t) => {
    const fx = fixture(DATA, 'transformer.safetensors');
    const model = ZImageModel.open(join(DATA, 'zimage-tiny'), { threads: 1, quantize: mode, cache: false });
    try {
      const latents = fx.get('latents')!;
      const [, H, W] = latents.shape as [number, number, number];
      const out = await model.transformerOutput(f32(latents), H, W, f32(fx.get('cap_feats')), f32(fx.get('t'))[0]!);
      const err = relErr(out, f32(fx.get('output')));
      t.diagnostic(`${mode}: max relative error ${err.toExponential(2)}`);
      assert.ok(err <= BOUNDS[mode], `${mode}: ${err} > ${BOUNDS[mode]}`);
      if (mode !== 'none') assert.ok(err > 0, 'a quantized graph that matches float32 exactly was not quantized');
    } finally {
      await model.release();
    }
  });
}
