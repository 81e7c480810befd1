import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../at.ts';
import { DEFAULT_T_MIN, noisyAt, predictionTarget, toData, toVelocity, velocityTarget } from './path.ts';

const x0 = Float32Array.from([0.5, -1, 2, 0.25]);
const eps = Float32Array.from([-0.3, 1.7, 0.1, -2]);

function close(a: Float32Array, b: ArrayLike<number>, tol = 1e-6) {
  assert.equal(a.length, b.length);
  a.forEach((ai, i) => {
    const bi = at(b, i, 'expected');
    assert.ok(Math.abs(ai - bi) <= tol, `[${i}] ${ai} vs ${bi}`);
  });
}

test('the path is data at t = 0, noise at t = 1, and moves with velocity ε − x0', () => {
  close(noisyAt(x0, eps, 0), x0, 0);
  close(noisyAt(x0, eps, 1), eps, 0);
  const v = velocityTarget(x0, eps);
  close(v, Array.from(x0, (x, i) => at(eps, i, 'eps') - x));
  const h = 1e-3;
  const [ahead, behind] = [noisyAt(x0, eps, 0.4 + h), noisyAt(x0, eps, 0.4 - h)];
  const fd = Array.from(ahead, (a, i) => (a - at(behind, i, 'x_t before')) / (2 * h));
  close(v, fd, 1e-3);
  assert.equal(predictionTarget(x0, eps, 'x'), x0);
  close(predictionTarget(x0, eps, 'v'), v, 0);
});

test('the true velocity and the true data convert into each other at any t', () => {
  const v = velocityTarget(x0, eps);
  for (const t of [0.05, 0.3, 0.9, 1]) {
    const xt = noisyAt(x0, eps, t);
    close(toData(v, xt, t, 'v'), x0, 1e-5);
    close(toVelocity(x0, xt, t, 'x'), v, 1e-5);
  }
});

test('conversions round-trip between prediction kinds for t >= tMin', () => {
  const xt = noisyAt(x0, eps, 0.5);
  const pred = Float32Array.from([0.1, 0.2, -0.3, 0.4]);
  for (const t of [DEFAULT_T_MIN, 0.2, 0.7, 1]) {
    // x-prediction → velocity → data gives the x-prediction back.
    close(toData(toVelocity(pred, xt, t, 'x'), xt, t, 'v'), pred, 1e-5);
    // v-prediction → data → velocity gives the v-prediction back.
    close(toVelocity(toData(pred, xt, t, 'v'), xt, t, 'x'), pred, 1e-5);
  }
  // The same kind passes through untouched.
  assert.equal(toVelocity(pred, xt, 0.5, 'v'), pred);
  assert.equal(toData(pred, xt, 0.5, 'x'), pred);
});

test('below tMin the x-prediction velocity divides by tMin, not by t', () => {
  const xt = Float32Array.from([1, 2]);
  const xhat = Float32Array.from([0, 0]);
  close(toVelocity(xhat, xt, 0.01, 'x'), [20, 40], 1e-4);
  close(toVelocity(xhat, xt, 0, 'x', 0.1), [10, 20], 1e-5);
  assert.ok(toVelocity(xhat, xt, 0, 'x').every(Number.isFinite));
});

test('mismatched lengths, bad t, kind and tMin are reported by name', () => {
  const short = new Float32Array(3);
  assert.throws(() => noisyAt(x0, short, 0.5), /x0 has length 4 but eps has length 3/);
  assert.throws(() => velocityTarget(short, eps), /x0 has length 3 but eps has length 4/);
  assert.throws(() => toVelocity(short, x0, 0.5, 'x'), /pred has length 3 but xt has length 4/);
  assert.throws(() => toData(x0, short, 0.5, 'v'), /pred has length 4 but xt has length 3/);
  assert.throws(() => noisyAt(x0, eps, -0.1), /t must be in \[0, 1\]/);
  assert.throws(() => toData(x0, eps, 0.5, 'eps' as 'v'), /kind must be 'v' or 'x'/);
  assert.throws(() => toVelocity(x0, eps, 0.5, 'x', 0), /tMin must be in \(0, 1\]/);
});
