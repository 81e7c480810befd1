import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../at.ts';
import { Rng } from '../engine/index.ts';
import { resolutionShift, sampleLogitNormal, samplingSchedule, shiftTimestep, shiftTimesteps } from './timesteps.ts';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function median(a: Float32Array): number {
  const s = Array.from(a).sort((x, y) => x - y);
  return (at(s, (s.length - 1) >> 1, 'sorted') + at(s, s.length >> 1, 'sorted')) / 2;
}

test('logit-normal samples lie in (0, 1) with median sigmoid(mean)', () => {
  for (const [mean, std] of [[0, 1], [-0.8, 1], [1.2, 0.5]] as const) {
    const ts = sampleLogitNormal(new Rng(11), 20000, { mean, std });
    assert.equal(ts.length, 20000);
    assert.ok(ts.every((t) => t > 0 && t < 1));
    // The sample median of 20k draws is within ~0.01 of the true one in logit space.
    assert.ok(Math.abs(median(ts) - sigmoid(mean)) < 0.01, `mean ${mean}: median ${median(ts)} vs ${sigmoid(mean)}`);
  }
});

test('logit-normal stays strictly inside (0, 1) even for extreme draws', () => {
  const ts = sampleLogitNormal(new Rng(3), 1000, { mean: 0, std: 100 });
  assert.ok(ts.every((t) => t > 0 && t < 1));
  assert.deepEqual(sampleLogitNormal(new Rng(3), 0), new Float32Array(0));
});

test('logit-normal is reproducible from the seed', () => {
  assert.deepEqual(sampleLogitNormal(new Rng(5), 50), sampleLogitNormal(new Rng(5), 50));
  assert.throws(() => sampleLogitNormal(new Rng(5), -1), /n must be a non-negative integer/);
  assert.throws(() => sampleLogitNormal(new Rng(5), 3, { std: -1 }), /std/);
});

test('shift 1 is the identity; shift > 1 moves t toward 1 and keeps the ends', () => {
  for (let i = 0; i <= 20; i++) {
    const t = i / 20;
    assert.equal(shiftTimestep(t, 1), t);
    const s = shiftTimestep(t, 3);
    if (t === 0 || t === 1) assert.equal(s, t);
    else assert.ok(s > t, `shift 3 at ${t}: ${s}`);
    // Noise-to-signal ratio multiplied by the shift.
    if (t > 0 && t < 1) assert.ok(Math.abs(s / (1 - s) - (3 * t) / (1 - t)) < 1e-9);
  }
  assert.ok(shiftTimestep(0.5, 0.5) < 0.5);
  assert.equal(shiftTimestep(0.5, 3), 0.75);
  assert.deepEqual(Array.from(shiftTimesteps(Float32Array.from([0, 0.5, 1]), 3)), [0, 0.75, 1]);
});

test('shift is monotone in t and in the shift', () => {
  let prev = -1;
  for (let i = 0; i <= 100; i++) {
    const s = shiftTimestep(i / 100, 2.5);
    assert.ok(s > prev);
    prev = s;
  }
  assert.ok(shiftTimestep(0.3, 2) < shiftTimestep(0.3, 4));
});

test('bad shifts and times are reported by name', () => {
  assert.throws(() => shiftTimestep(0.5, 0), /shift must be a finite number > 0, got 0/);
  assert.throws(() => shiftTimestep(0.5, -2), /shift/);
  assert.throws(() => shiftTimestep(1.5, 2), /t must be in \[0, 1\]/);
  assert.throws(() => samplingSchedule(0), /steps must be an integer >= 1/);
  assert.throws(() => samplingSchedule(2.5), /steps/);
  assert.throws(() => samplingSchedule(10, 0), /shift/);
});

test('the sampling schedule runs from 1 to 0 with steps + 1 strictly decreasing entries', () => {
  for (const steps of [1, 2, 4, 28, 50]) {
    for (const shift of [1, 3, 0.5]) {
      const s = samplingSchedule(steps, shift);
      assert.equal(s.length, steps + 1);
      assert.equal(s[0], 1);
      assert.equal(s[steps], 0);
      for (let i = 1; i <= steps; i++) assert.ok(at(s, i, 'schedule') < at(s, i - 1, 'schedule'), `steps ${steps} shift ${shift} at ${i}`);
    }
  }
  assert.deepEqual(Array.from(samplingSchedule(4)), [1, 0.75, 0.5, 0.25, 0]);
  // A shift > 1 takes smaller steps near t = 1 (more of the budget at high noise).
  const shifted = samplingSchedule(10, 3);
  const gap = (i: number) => at(shifted, i, 'schedule') - at(shifted, i + 1, 'schedule');
  assert.ok(gap(0) < gap(9));
});

test('resolutionShift is monotone between its anchors and clamps outside them', () => {
  assert.equal(resolutionShift(256), 1);
  assert.equal(resolutionShift(16), 1);
  assert.ok(Math.abs(resolutionShift(4096) - 3) < 1e-12);
  assert.equal(resolutionShift(100000), 3);
  // Power law: each doubling of tokens multiplies the shift by the same factor (3^(1/4) here).
  assert.ok(Math.abs(resolutionShift(512) / resolutionShift(256) - 3 ** 0.25) < 1e-9);
  assert.ok(Math.abs(resolutionShift(4096) / resolutionShift(2048) - 3 ** 0.25) < 1e-9);
  let prev = 0;
  for (let n = 64; n <= 8192; n += 64) {
    const s = resolutionShift(n);
    assert.ok(s >= prev, `at ${n}`);
    if (n > 256 && n < 4096) assert.ok(s > prev, `strictly increasing at ${n}`);
    prev = s;
  }
  const custom = { baseTokens: 1024, baseShift: 2, maxTokens: 2048, maxShift: 4 };
  assert.equal(resolutionShift(512, custom), 2);
  assert.ok(Math.abs(resolutionShift(1448, custom) - 2 * (1448 / 1024)) < 1e-9);
  assert.throws(() => resolutionShift(0), /numImageTokens/);
  assert.throws(() => resolutionShift(100, { baseTokens: 4096, maxTokens: 256 }), /maxTokens \(256\) must be greater than baseTokens \(4096\)/);
  assert.throws(() => resolutionShift(100, { maxShift: 0 }), /maxShift/);
});
