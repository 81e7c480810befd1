import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../at.ts';
import { Rng } from '../engine/index.ts';
import { asDenoiser, sampleEuler, sampleHeun, SamplingAbortedError, type Denoiser, type StepInfo } from './sampler.ts';
import { samplingSchedule } from './timesteps.ts';

// An analytic flow with a known exact velocity field.
//
// Data x0 ~ N(μ, σ²) and noise ε ~ N(0, 1), independent, per dimension. On the straight path
// x_t = (1 − t)·x0 + t·ε the pair (x_t, v = ε − x0) is jointly Gaussian with
//   E[x_t] = m_t = (1 − t)·μ,            Var[x_t] = s_t² = (1 − t)²σ² + t²,
//   E[v]   = −μ = dm_t/dt,                Cov[v, x_t] = t − (1 − t)σ² = ½·d(s_t²)/dt = s_t·ds_t/dt.
// The marginal velocity field a perfect model learns is the conditional mean, and for jointly
// Gaussian variables that is linear regression:
//   v(x, t) = E[v | x_t = x] = E[v] + Cov[v, x_t]/Var[x_t]·(x − m_t)
//           = dm_t/dt + (ds_t/dt / s_t)·(x − m_t)
//           = −μ + (t − (1 − t)σ²)/s_t² · (x − m_t).
// The ODE dx/dt = v(x, t) is solved exactly by x(t) = m_t + s_t·z for constant z: then
// dx/dt = dm_t/dt + (ds_t/dt)·z = dm_t/dt + (ds_t/dt / s_t)(x − m_t). At t = 1, m = 0 and
// s = 1, so z is the starting noise sample; at t = 0 the exact endpoint is μ + σ·z.
function gaussianFlow(mu: Float64Array, sigma: Float64Array): Denoiser {
  return async (x, t) => {
    const v = new Float32Array(x.length);
    x.forEach((xd, d) => {
      const [m, sd] = [at(mu, d, 'mu'), at(sigma, d, 'sigma')];
      const s2 = (1 - t) ** 2 * sd ** 2 + t * t;
      v[d] = -m + ((t - (1 - t) * sd ** 2) / s2) * (xd - (1 - t) * m);
    });
    return v;
  };
}

function problem(seed: number, dims = 32) {
  const rng = new Rng(seed);
  const mu = new Float64Array(dims);
  const sigma = new Float64Array(dims);
  for (let d = 0; d < dims; d++) {
    mu[d] = 3 * (rng.uniform() - 0.5);
    sigma[d] = 0.3 + 1.2 * rng.uniform(); // bounded away from 0, where the field becomes stiff at t → 0
  }
  const z = rng.fillNormal(new Float32Array(dims));
  const exact = Float64Array.from(z, (zd, d) => at(mu, d, 'mu') + at(sigma, d, 'sigma') * zd);
  return { denoise: gaussianFlow(mu, sigma), z, exact, mu, sigma };
}

function rmsError(x: Float32Array, exact: Float64Array): number {
  let s = 0;
  x.forEach((xd, d) => (s += (xd - at(exact, d, 'exact')) ** 2));
  return Math.sqrt(s / x.length);
}

type Sampler = typeof sampleEuler;

async function errorsFor(sampler: Sampler, stepCounts: number[], shift: number, seed: number): Promise<number[]> {
  const { denoise, z, exact } = problem(seed);
  const out: number[] = [];
  for (const n of stepCounts) out.push(rmsError(await sampler(z, samplingSchedule(n, shift), denoise), exact));
  return out;
}

function ratios(errs: number[]): number[] {
  return errs.slice(1).map((e, i) => at(errs, i, 'errors') / e);
}

test('the analytic velocity field carries noise to μ + σ·z (checked with a fine Heun run)', async () => {
  const [err] = await errorsFor(sampleHeun, [1024], 1, 1);
  assert.ok(err !== undefined && err < 1e-5, `error ${err}`);
});

test('Euler converges at order 1: error halves when steps double', async () => {
  for (const seed of [1, 2, 3]) {
    const errs = await errorsFor(sampleEuler, [16, 32, 64, 128, 256], 1, seed);
    for (const r of ratios(errs)) assert.ok(r > 1.8 && r < 2.2, `seed ${seed}: ratios ${ratios(errs)}`);
    assert.ok(errs.at(-1)! < 0.02, `seed ${seed}: final error ${errs.at(-1)}`);
  }
});

test('Heun converges at order 2: error quarters when steps double', async () => {
  for (const seed of [1, 2, 3]) {
    const errs = await errorsFor(sampleHeun, [16, 32, 64, 128, 256], 1, seed);
    for (const r of ratios(errs)) assert.ok(r > 3.5 && r < 4.6, `seed ${seed}: ratios ${ratios(errs)}`);
    assert.ok(errs.at(-1)! < 2e-4, `seed ${seed}: final error ${errs.at(-1)}`);
  }
});

test('with a shifted schedule both still converge at their orders', async () => {
  const euler = ratios(await errorsFor(sampleEuler, [64, 128, 256], 3, 4));
  const heun = ratios(await errorsFor(sampleHeun, [64, 128, 256], 3, 4));
  for (const r of euler) assert.ok(r > 1.8 && r < 2.2, `euler ratios ${euler}`);
  for (const r of heun) assert.ok(r > 3.5 && r < 4.6, `heun ratios ${heun}`);
});

test('Heun uses two evaluations per step except the last step to t = 0', async () => {
  const calls: number[] = [];
  const denoise: Denoiser = async (x, t) => {
    calls.push(t);
    return new Float32Array(x.length);
  };
  const schedule = samplingSchedule(4);
  await sampleHeun(new Float32Array(3), schedule, denoise);
  assert.equal(calls.length, 2 * 4 - 1);
  assert.ok(!calls.includes(0), 'the model is never evaluated at t = 0');
  calls.length = 0;
  await sampleEuler(new Float32Array(3), schedule, denoise);
  assert.deepEqual(calls, Array.from(schedule.slice(0, 4)));
});

test('a sampler does not modify the noise it is given', async () => {
  const { denoise, z } = problem(5, 4);
  const copy = new Float32Array(z);
  await sampleHeun(z, samplingSchedule(3), denoise);
  await sampleEuler(z, samplingSchedule(3), denoise);
  assert.deepEqual(z, copy);
});

test('onStep is called once per step with the step index, time and data estimate', async () => {
  const { denoise, z } = problem(6, 8);
  for (const sampler of [sampleEuler, sampleHeun]) {
    const seen: StepInfo[] = [];
    const schedule = samplingSchedule(5, 2);
    const final = await sampler(z, schedule, denoise, { onStep: (s) => void seen.push(s) });
    assert.deepEqual(seen.map((s) => s.step), [0, 1, 2, 3, 4]);
    assert.ok(seen.every((s) => s.steps === 5));
    assert.deepEqual(seen.map((s) => s.t), Array.from(schedule.slice(1)));
    assert.deepEqual(seen.at(-1)!.x, final);
    assert.deepEqual(seen.at(-1)!.predictedData, final, 'at t = 0 the data estimate is the sample');
  }
});

test('with Euler, predictedData is the model’s own x̂0 = x_t − t·v at the step start', async () => {
  const { denoise, z } = problem(7, 8);
  const schedule = samplingSchedule(4);
  const expected: Float32Array[] = [];
  const recording: Denoiser = async (x, t) => {
    const v = await denoise(x, t);
    expected.push(Float32Array.from(x, (xi, i) => xi - t * at(v, i, 'v')));
    return v;
  };
  const got: Float32Array[] = [];
  await sampleEuler(z, schedule, recording, { onStep: (s) => void got.push(s.predictedData) });
  assert.equal(got.length, expected.length);
  got.forEach((g, i) => {
    const e = at(expected, i, 'expected');
    g.forEach((gd, d) => assert.ok(Math.abs(gd - at(e, d, 'expected x̂0')) < 1e-5));
  });
});

test('an async onStep is awaited before the next step', async () => {
  const log: string[] = [];
  const denoise: Denoiser = async (x, t) => {
    log.push(`eval ${t}`);
    return new Float32Array(x.length);
  };
  await sampleEuler(new Float32Array(1), [1, 0.5, 0], denoise, {
    onStep: async ({ step }) => {
      await new Promise((r) => setImmediate(r));
      log.push(`step ${step}`);
    },
  });
  assert.deepEqual(log, ['eval 1', 'step 0', 'eval 0.5', 'step 1']);
});

test('an aborted signal stops sampling with an AbortError', async () => {
  const { denoise, z } = problem(8, 4);
  for (const sampler of [sampleEuler, sampleHeun]) {
    const controller = new AbortController();
    let evaluations = 0;
    const counting: Denoiser = (x, t) => {
      evaluations++;
      return denoise(x, t);
    };
    const steps: number[] = [];
    await assert.rejects(
      sampler(z, samplingSchedule(10), counting, {
        signal: controller.signal,
        onStep: ({ step }) => {
          steps.push(step);
          if (step === 2) controller.abort();
        },
      }),
      (err: Error) => err instanceof SamplingAbortedError && err.name === 'AbortError' && /step 4 of 10/.test(err.message),
    );
    assert.deepEqual(steps, [0, 1, 2]);
    assert.equal(evaluations, sampler === sampleEuler ? 3 : 6);
  }
});

test('an already-aborted signal stops before the first model call', async () => {
  const controller = new AbortController();
  controller.abort(new Error('user left'));
  let called = false;
  await assert.rejects(
    sampleEuler(new Float32Array(2), samplingSchedule(3), async (x) => ((called = true), x), { signal: controller.signal }),
    { name: 'AbortError' },
  );
  assert.equal(called, false);
});

test('an error thrown by onStep ends sampling with that error', async () => {
  await assert.rejects(
    sampleHeun(new Float32Array(2), samplingSchedule(3), async (x) => new Float32Array(x.length), {
      onStep: () => {
        throw new Error('stop here');
      },
    }),
    /stop here/,
  );
});

test('bad schedules and denoiser outputs are reported by name', async () => {
  const zero: Denoiser = async (x) => new Float32Array(x.length);
  const x = new Float32Array(2);
  await assert.rejects(sampleEuler(x, [1], zero), /schedule must have at least 2/);
  await assert.rejects(sampleEuler(x, [1, 0.5, 0.5, 0], zero), /strictly decreasing.*schedule\[2\]/);
  await assert.rejects(sampleEuler(x, [1.5, 0], zero), /schedule\[0\] must be in \[0, 1\]/);
  await assert.rejects(sampleEuler(x, [1, NaN], zero), /schedule\[1\]/);
  await assert.rejects(sampleHeun(x, [1, 0], async () => new Float32Array(3)), /velocity returned by the denoiser has length 3 but x has length 2/);
});

test('a schedule may start below 1 (partial denoising of a noised image)', async () => {
  const { denoise, z, exact, mu, sigma } = problem(9, 8);
  // Start on the exact trajectory at t0: x = m_t0 + s_t0·z.
  const t0 = 0.6;
  const start = Float32Array.from(z, (zd, d) => (1 - t0) * at(mu, d, 'mu') + Math.sqrt((1 - t0) ** 2 * at(sigma, d, 'sigma') ** 2 + t0 * t0) * zd);
  const schedule = Float32Array.from({ length: 129 }, (_, i) => t0 * (1 - i / 128));
  const x = await sampleHeun(start, schedule, denoise);
  assert.ok(rmsError(x, exact) < 1e-4, `error ${rmsError(x, exact)}`);
});

test('asDenoiser turns an x-predicting model into velocities', async () => {
  const xt = Float32Array.from([1, 2]);
  const x0 = Float32Array.from([0.5, -1]);
  const dn = asDenoiser(async () => x0, 'x');
  const v = await dn(xt, 0.5);
  assert.deepEqual(Array.from(v), [1, 6]);
  const vn = asDenoiser(async () => x0, 'v');
  assert.equal(await vn(xt, 0.5), x0);
});
