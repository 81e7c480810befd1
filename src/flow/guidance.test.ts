import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../at.ts';
import { editGuidance, textGuidance, type EditCondition } from './guidance.ts';
import type { Denoiser } from './sampler.ts';

// Distinct, x- and t-dependent fake velocity fields, with call counters.
function field(k: number): Denoiser & { count: number } {
  const fn = Object.assign(
    async (x: Float32Array, t: number) => {
      fn.count++;
      return Float32Array.from(x, (xi, i) => k * xi + t * (i + 1) - k);
    },
    { count: 0 },
  );
  return fn;
}

const xt = Float32Array.from([0.5, -1.25, 2, 0]);
const t = 0.375;

function close(a: Float32Array, b: Float32Array, tol = 1e-5) {
  assert.equal(a.length, b.length);
  a.forEach((ai, i) => {
    const bi = at(b, i, 'expected');
    assert.ok(Math.abs(ai - bi) <= tol * (1 + Math.abs(bi)), `[${i}] ${ai} vs ${bi}`);
  });
}

test('text guidance at scale 1 is the conditional velocity, and uncond is not called', async () => {
  const cond = field(2);
  const uncond = field(-3);
  const v = await textGuidance(cond, uncond, 1)(xt, t);
  close(v, await field(2)(xt, t), 0);
  assert.equal(cond.count, 1);
  assert.equal(uncond.count, 0);
});

test('text guidance at scale 0 is the unconditional velocity, and cond is not called', async () => {
  const cond = field(2);
  const uncond = field(-3);
  close(await textGuidance(cond, uncond, 0)(xt, t), await field(-3)(xt, t), 0);
  assert.equal(cond.count, 0);
});

test('text guidance is v_u + s·(v_c − v_u), linear in the scale', async () => {
  const vc = await field(2)(xt, t);
  const vu = await field(-3)(xt, t);
  for (const s of [-1, 0.5, 3, 7.5]) {
    const v = await textGuidance(field(2), field(-3), s)(xt, t);
    close(v, Float32Array.from(vc, (c, i) => at(vu, i, 'vu') + s * (c - at(vu, i, 'vu'))));
  }
  // Linear: g(a) + g(b) = g(a + b) + g(0) pointwise.
  const g = (s: number) => textGuidance(field(2), field(-3), s)(xt, t);
  const [a, b, ab, zero] = await Promise.all([g(1.5), g(4), g(5.5), g(0)]);
  close(Float32Array.from(a, (ai, i) => ai + at(b, i, 'g(4)')), Float32Array.from(ab, (x, i) => x + at(zero, i, 'g(0)')));
});

test('a guidance interval guides inside [lo, hi] and runs the conditional model alone outside it', async () => {
  const cond = field(2);
  const uncond = field(-3);
  const guided = textGuidance(cond, uncond, 4, { interval: [0.2, 0.8] });
  const reference = textGuidance(field(2), field(-3), 4);
  for (const time of [0.2, 0.5, 0.8]) close(await guided(xt, time), await reference(xt, time));
  const calls = uncond.count;
  for (const time of [0, 0.1, 0.85, 1]) close(await guided(xt, time), await field(2)(xt, time), 0);
  assert.equal(uncond.count, calls, 'outside the interval the unconditional model is not called');
  assert.throws(() => textGuidance(cond, uncond, 4, { interval: [0.8, 0.2] }), /0 ≤ lo ≤ hi ≤ 1/);
  assert.throws(() => textGuidance(cond, uncond, 4, { interval: [0, 1.5] }), /0 ≤ lo ≤ hi ≤ 1/);
});

test('text guidance uses the batched function for both conditions in one call', async () => {
  const cond = field(2);
  const uncond = field(-3);
  const requested: string[][] = [];
  const batched = async (x: Float32Array, tt: number, which: readonly ('cond' | 'uncond')[]) => {
    requested.push([...which]);
    return Promise.all(which.map((c) => (c === 'cond' ? field(2) : field(-3))(x, tt)));
  };
  const v = await textGuidance(cond, uncond, 4, { batched })(xt, t);
  const expected = await textGuidance(field(2), field(-3), 4)(xt, t);
  close(v, expected, 0);
  assert.deepEqual(requested, [['cond', 'uncond']]);
  assert.equal(cond.count + uncond.count, 0);
  // With scale 1 only one condition is needed: the plain function, not the batch.
  await textGuidance(cond, uncond, 1, { batched })(xt, t);
  assert.equal(requested.length, 1);
  assert.equal(cond.count, 1);
});

function editFields() {
  return { full: field(2), imageOnly: field(-1), none: field(5) };
}

test('edit guidance reduces to the right single function at the corner scales', async () => {
  const cases: [number, number, EditCondition][] = [
    [1, 1, 'full'], // sT = sI = 1: the fully conditioned model
    [0, 1, 'imageOnly'], // no text guidance, image at face value
    [0, 0, 'none'], // nothing: unconditional
  ];
  for (const [sT, sI, only] of cases) {
    const f = editFields();
    const v = await editGuidance(f, sT, sI)(xt, t);
    close(v, await editFields()[only](xt, t), 0);
    for (const c of ['full', 'imageOnly', 'none'] as const) assert.equal(f[c].count, c === only ? 1 : 0, `${sT},${sI}: ${c}`);
  }
});

test('edit guidance follows the InstructPix2Pix formula, skipping none when sI = 1', async () => {
  const e = editFields();
  const [vf, vi, vn] = await Promise.all([e.full(xt, t), e.imageOnly(xt, t), e.none(xt, t)]);
  for (const [sT, sI] of [[7.5, 1.5], [3, 1], [1, 2], [0, 0.5], [5, 0]] as const) {
    const f = editFields();
    const v = await editGuidance(f, sT, sI)(xt, t);
    close(v, Float32Array.from(vn, (n, i) => n + sI * (at(vi, i, 'vi') - n) + sT * (at(vf, i, 'vf') - at(vi, i, 'vi'))));
    assert.equal(f.none.count, sI === 1 ? 0 : 1);
  }
  // sT = 0, general sI: plain image guidance between imageOnly and none; full is not called.
  const f = editFields();
  close(await editGuidance(f, 0, 2)(xt, t), Float32Array.from(vn, (n, i) => n + 2 * (at(vi, i, 'vi') - n)));
  assert.equal(f.full.count, 0);
});

test('edit guidance with a batched function asks only for the needed conditions, in order', async () => {
  const requested: string[][] = [];
  const f = editFields();
  const batched = async (x: Float32Array, tt: number, which: readonly EditCondition[]) => {
    requested.push([...which]);
    const g = editFields();
    return Promise.all(which.map((c) => g[c](x, tt)));
  };
  const v = await editGuidance({ ...f, batched }, 4, 1)(xt, t);
  close(v, await editGuidance(editFields(), 4, 1)(xt, t), 0);
  await editGuidance({ ...f, batched }, 4, 1.5)(xt, t);
  assert.deepEqual(requested, [['full', 'imageOnly'], ['full', 'imageOnly', 'none']]);
  assert.equal(f.full.count + f.imageOnly.count + f.none.count, 0);
});

test('guidance reports bad scales, wrong-length velocities and short batches by name', async () => {
  assert.throws(() => textGuidance(field(1), field(2), NaN), /scale must be a finite number/);
  assert.throws(() => editGuidance(editFields(), 1, Infinity), /imageScale/);
  const short: Denoiser = async () => new Float32Array(2);
  await assert.rejects(textGuidance(field(1), short, 3)(xt, t), /velocity for 'uncond' has length 2 but xt has length 4/);
  await assert.rejects(
    textGuidance(field(1), field(2), 3, { batched: async () => [new Float32Array(4)] })(xt, t),
    /batched returned 1 velocities for 2 conditions/,
  );
});
