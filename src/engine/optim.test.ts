// The in-graph AdamW against a plain-TypeScript AdamW (PyTorch's formulation) over several steps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostTensor } from './host.ts';
import * as o from './ops.ts';
import { compileTrainStep, initialTrainState, TrainStep } from './train-step.ts';

test('AdamW with clipping, bias correction and decoupled decay matches a reference', async () => {
  const cfg = { beta1: 0.8, beta2: 0.95, eps: 1e-6, weightDecay: 0.1, maxGradNorm: 0.5 };
  // loss = sum(w ⊙ x)² / 2 + sum(b ⊙ x) — gradients known in closed form.
  const w = o.param('w', [2, 2]);
  const b = o.param('b', [2]);
  const x = o.input('x', [2, 2]);
  const s = o.sum(o.mul(w, x));
  const loss = o.add(o.mul(o.mul(s, s), 0.5), o.sum(o.mul(b, o.sum(x, [0]))));
  const compiled = compileTrainStep({ loss, params: [w, b], optimizer: cfg });
  const w0 = [0.5, -1, 2, 0.25];
  const b0 = [1, -2];
  const stepper = await TrainStep.create(
    compiled,
    initialTrainState(new Map([['w', HostTensor.f32(w0, [2, 2])], ['b', HostTensor.f32(b0, [2])]])),
  );
  // Reference.
  const P = { w: [...w0], b: [...b0] };
  const M = { w: [0, 0, 0, 0], b: [0, 0] };
  const Vv = { w: [0, 0, 0, 0], b: [0, 0] };
  const xs = [[1, 2, 3, 4], [0.5, -1, 1, 0], [2, 0, -1, 1]];
  const lrs = [0.1, 0.05, 0.02];
  for (let t = 1; t <= 3; t++) {
    const xv = xs[t - 1]!;
    const lr = lrs[t - 1]!;
    const r = await stepper.run({ x: HostTensor.f32(xv, [2, 2]) }, lr);
    const sv = P.w.reduce((acc, wi, i) => acc + wi * xv[i]!, 0);
    const gw = xv.map((xi) => sv * xi);
    const gb = [xv[0]! + xv[2]!, xv[1]! + xv[3]!];
    const norm = Math.sqrt([...gw, ...gb].reduce((a, g) => a + g * g, 0));
    assert.ok(Math.abs(r.gradNorm - norm) < 1e-4 * norm, `grad norm ${r.gradNorm} vs ${norm}`);
    const clip = Math.min(1, cfg.maxGradNorm / (norm + 1e-6));
    for (const [key, g, decay] of [['w', gw, true], ['b', gb, false]] as const) {
      for (let i = 0; i < g.length; i++) {
        const gi = g[i]! * clip;
        M[key][i] = cfg.beta1 * M[key][i]! + (1 - cfg.beta1) * gi;
        Vv[key][i] = cfg.beta2 * Vv[key][i]! + (1 - cfg.beta2) * gi * gi;
        const mh = M[key][i]! / (1 - cfg.beta1 ** t);
        const vh = Vv[key][i]! / (1 - cfg.beta2 ** t);
        if (decay) P[key][i]! *= 1 - lr * cfg.weightDecay;
        P[key][i] = P[key][i]! - (lr * mh) / (Math.sqrt(vh) + cfg.eps);
      }
    }
  }
  const st = stepper.state();
  for (const key of ['w', 'b'] as const) {
    const got = st.params.get(key)!.f32();
    P[key].forEach((want, i) => assert.ok(Math.abs(got[i]! - want) < 1e-5, `${key}[${i}] ${got[i]} vs ${want}`));
  }
  await stepper.release();
});
