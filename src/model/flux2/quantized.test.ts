// Quantized FLUX.2 [klein]: the transformer's linear layers in int8 (dynamic activation
// quantization) and int4 (4-bit weight blocks), against the float32 reference output of the
// parity fixture. The errors are reported (test diagnostics) and bounded; the tiny model's
// 16-wide layers are a harsh case for per-tensor activation scales, so the bounds are loose.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, relErr } from '../diffusers/parity-support.ts';
import { KleinModel } from './klein.ts';

const DATA = join(import.meta.dirname, 'testdata');

const BOUNDS = { none: 1e-4, int8: 0.05, int4: 0.15 } as const;

for (const mode of ['none', 'int8', 'int4'] as const) {
  test(`transformer velocity with ${mode} linear layers: max relative error ≤ ${BOUNDS[mode]} against the float32 reference`, async (t) => {
    const fx = fixture(DATA, 'transformer.safetensors');
    const model = KleinModel.open(join(DATA, 'klein-tiny'), { threads: 1, quantize: mode, cache: false });
    try {
      const hidden = fx.get('hidden_states')!.data as Float32Array;
      const ids = Int32Array.from(fx.get('img_ids')!.data as BigInt64Array, Number);
      const text = fx.get('encoder_hidden_states')!.data as Float32Array;
      const t0 = (fx.get('timestep')!.data as Float32Array)[0]!;
      const v = await model.velocity(hidden, ids, hidden.length / model.folder.transformer.inChannels, text, t0);
      const err = relErr(v, fx.get('output')!.data as Float32Array);
      t.diagnostic(`${mode}: max relative error ${err.toExponential(2)}`);
      assert.ok(err <= BOUNDS[mode], `${mode}: ${err} > ${BOUNDS[mode]}`);
      if (mode !== 'none') assert.ok(err > 0, 'a quantized graph that matches float32 exactly was not quantized');
    } finally {
      await model.release();
    }
  });
}
