// The denoiser's noise gates: what a token can read of its noisy pixels at high t.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostTensor, Rng, Session, ops as o, serializeGraph, type Tensor } from '../engine/index.ts';
import { Scope } from '../nn/index.ts';
import { type ModelConfig, PRESETS } from './config.ts';
import { denoise, denoiserInputs } from './denoiser.ts';
import { layoutFeeds } from './layout.ts';

/** The denoiser with every parameter random (zero-initialised heads included), run on `image` at `t`. */
async function predict(c: ModelConfig, image: Float32Array, t: number): Promise<Float32Array> {
  const s = Scope.root();
  const inp = denoiserInputs(c, 1, 'N');
  const tokens = o.input('cond_tokens', [1, c.text.resamplerTokens, c.text.width]);
  const pooled = o.input('cond_pooled', [1, c.text.width]);
  const y = denoise(s.child('denoiser'), c, inp, { tokens, pooled });
  const rng = new Rng(5);
  const weights = (_name: string, p: Tensor) => rng.fillNormal(new Float32Array(p.shape.reduce<number>((a, b) => a * Number(b), 1)), 0.2);
  const session = await Session.create(serializeGraph({ outputs: { y }, paramMode: 'initializers', weights }), { threads: 1 });
  const N = image.length / (c.patchSize * c.patchSize * 3);
  const feeds = {
    image: HostTensor.f32(image, [1, N, c.patchSize * c.patchSize * 3]),
    mask: HostTensor.zeros([1, N, c.patchSize * c.patchSize]),
    ...layoutFeeds(c, [{ grid: { rows: 2, cols: N / 2 }, segment: 0 }]),
    t: HostTensor.f32([t], [1]),
    cond_tokens: HostTensor.f32(new Rng(6).fillNormal(new Float32Array(c.text.resamplerTokens * c.text.width)), [1, c.text.resamplerTokens, c.text.width]),
    cond_pooled: HostTensor.f32(new Rng(7).fillNormal(new Float32Array(c.text.width)), [1, c.text.width]),
  };
  try {
    return (await session.run(feeds)).y!.f32();
  } finally {
    await session.release();
  }
}

const base: ModelConfig = { ...PRESETS.tiny!, inputGate: true, pixelHead: 16 };
const P = base.patchSize * base.patchSize * 3;
const noiseA = new Rng(1).fillNormal(new Float32Array(8 * P));
const noiseB = new Rng(2).fillNormal(new Float32Array(8 * P));
const largest = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

test('pixelHeadGate: at t = 1 the prediction no longer depends on the noise (ungated, the pixel head passes it through)', async () => {
  const gated = { ...base, pixelHeadGate: true };
  assert.ok(largest(await predict(gated, noiseA, 1), await predict(gated, noiseB, 1)) < 1e-5, 'gated: two noise draws at t = 1 give different predictions');
  assert.ok(largest(await predict(base, noiseA, 1), await predict(base, noiseB, 1)) > 1e-2, 'ungated: the pixel head should read the noise at t = 1');
});

test('pixelHeadGate: at low t the pixel head still reads its pixels', async () => {
  const gated = { ...base, pixelHeadGate: true };
  assert.ok(largest(await predict(gated, noiseA, 0.1), await predict(gated, noiseB, 0.1)) > 1e-2);
});
