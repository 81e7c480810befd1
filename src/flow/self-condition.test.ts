import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EstimateMemory } from './self-condition.ts';

test('each branch gets back its own last estimate: x itself, or xt − t·v for a velocity model', () => {
  const xt = Float32Array.from([1, 2]);
  const memory = new EstimateMemory(true);
  assert.deepEqual(memory.recall(['cond', 'uncond']), [undefined, undefined], 'nothing before the first step');
  memory.remember('cond', Float32Array.from([0.5, 0.5]), xt, 0.5, 'x');
  memory.remember('uncond', Float32Array.from([-1, -1]), xt, 0.5, 'x');
  assert.deepEqual(memory.recall(['uncond', 'cond'])!.map((e) => [...e!]), [[-1, -1], [0.5, 0.5]]);
  memory.remember('cond', Float32Array.from([2, 2]), xt, 0.5, 'v');
  assert.deepEqual([...memory.recall(['cond'])![0]!], [0, 1]);
});

test('a model without the input keeps nothing and gets no estimates', () => {
  const memory = new EstimateMemory(false);
  memory.remember('cond', Float32Array.from([1]), Float32Array.from([1]), 0.5, 'x');
  assert.equal(memory.recall(['cond']), undefined);
});
