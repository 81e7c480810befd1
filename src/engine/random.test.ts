import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Rng } from './random.ts';

describe('Rng', () => {
  test('fillNormal draws the stream normal() draws, carrying the spare value across odd lengths', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    for (const n of [5, 1, 0, 8, 3]) {
      const filled = a.fillNormal(new Float32Array(n), 0.5, 2);
      const oneByOne = Float32Array.from({ length: n }, () => 2 + 0.5 * b.normal());
      assert.deepEqual([...filled], [...oneByOne], `a fill of ${n}`);
    }
    assert.equal(a.normal(), b.normal());
    assert.deepEqual(a.state(), b.state());
  });

  test('the same seed gives the same noise; another seed does not', () => {
    const draw = (seed: number) => [...new Rng(seed).fillNormal(new Float32Array(16))];
    assert.deepEqual(draw(7), draw(7));
    assert.notDeepEqual(draw(7), draw(8));
    const values = new Rng(3).fillNormal(new Float32Array(20000));
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
    assert.ok(Math.abs(mean) < 0.03 && Math.abs(variance - 1) < 0.05, `mean ${mean}, variance ${variance}`);
  });
});
