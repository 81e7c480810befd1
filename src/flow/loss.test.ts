// The loss graph against the same arithmetic done by hand on arrays.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostTensor, evaluate, ops as o } from '../engine/index.ts';
import { flowMatchingLoss } from './loss.ts';
import { DEFAULT_T_MIN, noisyAt } from './path.ts';

const B = 2;
const N = 3;
const P = 4;
const ts = [0.02, 0.6]; // one below the clamp

function inputs(prediction: 'x' | 'v', tMin?: number) {
  const t = o.input('t', [B]);
  const noisy = o.input('noisy', [B, N, P]);
  const output = o.input('output', [B, N, P]);
  const velocity = o.input('velocity', [B, N, P]);
  const lossMask = o.input('loss_mask', [B, N]);
  return flowMatchingLoss({ prediction, noisy, output, t, velocity, lossMask, tMin });
}

const x0 = Float32Array.from({ length: B * N * P }, (_, i) => Math.sin(i));
const eps = Float32Array.from({ length: B * N * P }, (_, i) => Math.cos(3 * i));
const xt = new Float32Array(B * N * P);
for (let b = 0; b < B; b++) xt.set(noisyAt(x0.subarray(b * N * P, (b + 1) * N * P), eps.subarray(b * N * P, (b + 1) * N * P), ts[b]!), b * N * P);
// The clamped target train/batch.ts makes: (x_t − x0)/max(t, T_MIN).
const target = xt.map((v, i) => (v - x0[i]!) / Math.max(ts[Math.floor(i / (N * P))]!, DEFAULT_T_MIN));
const mask = Float32Array.from([1, 1, 0, 1, 0, 1]);

const feeds = (output: Float32Array) => ({
  t: HostTensor.f32(ts, [B]),
  noisy: HostTensor.f32(xt, [B, N, P]),
  output: HostTensor.f32(output, [B, N, P]),
  velocity: HostTensor.f32(target, [B, N, P]),
  loss_mask: HostTensor.f32(mask, [B, N]),
});

test('x-prediction: a perfect x̂ has zero loss, below T_MIN too', async () => {
  const loss = Number((await evaluate({ loss: inputs('x') }, feeds(x0))).loss!.data[0]);
  assert.ok(Math.abs(loss) < 1e-10, `loss ${loss}`);
});

test('v-prediction: the mean squared error per token, averaged over the masked-in tokens', async () => {
  const output = target.map((v, i) => v + (i % P === 0 ? 2 : 0)); // error 2 in one of P values per token
  const loss = Number((await evaluate({ loss: inputs('v') }, feeds(output))).loss!.data[0]);
  // Each token's mean squared error is 4/P; masked-out tokens do not count.
  assert.ok(Math.abs(loss - 4 / P) < 1e-5, `loss ${loss}`);
});

test('x-prediction with a larger tMin: an error in x̂ weighs 1/max(t, tMin)², so low noise no longer dominates', async () => {
  const tMin = 0.3;
  const clamped = xt.map((v, i) => (v - x0[i]!) / Math.max(ts[Math.floor(i / (N * P))]!, tMin));
  const withError = x0.map((v, i) => v + (i % P === 0 ? 0.1 : 0)); // error 0.1 in one of P values per token
  const result = await evaluate({ loss: inputs('x', tMin) }, { ...feeds(withError), velocity: HostTensor.f32(clamped, [B, N, P]) });
  const loss = Number(result.loss!.data[0]);
  // Masked-in tokens: two at t = 0.02 (weight 1/0.3², not 1/0.05²), two at t = 0.6 (1/0.6²); each token's squared error 0.01/P.
  const expected = ((2 / 0.09 + 2 / 0.36) * (0.01 / P)) / 4;
  assert.ok(Math.abs(loss - expected) / expected < 1e-4, `loss ${loss}, expected ${expected}`);
  const perfect = await evaluate({ loss: inputs('x', tMin) }, { ...feeds(x0), velocity: HostTensor.f32(clamped, [B, N, P]) });
  assert.ok(Math.abs(Number(perfect.loss!.data[0])) < 1e-10);
});
