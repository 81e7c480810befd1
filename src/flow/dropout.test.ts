import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../engine/index.ts';
import { conditioningDropout, type ConditioningDropoutOptions } from './dropout.ts';

function frequencies(options: ConditioningDropoutOptions, n = 40000, seed = 1) {
  const rng = new Rng(seed);
  const f = { both: 0, textOnly: 0, imageOnly: 0, neither: 0 };
  for (let i = 0; i < n; i++) {
    const { dropText, dropImage } = conditioningDropout(rng, options);
    if (dropText && dropImage) f.both++;
    else if (dropText) f.textOnly++;
    else if (dropImage) f.imageOnly++;
    else f.neither++;
  }
  return { both: f.both / n, textOnly: f.textOnly / n, imageOnly: f.imageOnly / n, neither: f.neither / n };
}

// 40k draws: the standard error of a frequency near 0.1 is 0.0015, so 0.006 is 4 standard errors.
const TOL = 0.006;

test('defaults drop text and image independently at 10% each', () => {
  const f = frequencies({});
  assert.ok(Math.abs(f.both - 0.01) < TOL, JSON.stringify(f));
  assert.ok(Math.abs(f.textOnly - 0.09) < TOL, JSON.stringify(f));
  assert.ok(Math.abs(f.imageOnly - 0.09) < TOL, JSON.stringify(f));
});

test('bothDrop sets the joint rate and keeps the marginals (InstructPix2Pix 5/5/5)', () => {
  const f = frequencies({ textDrop: 0.1, imageDrop: 0.1, bothDrop: 0.05 });
  for (const k of ['both', 'textOnly', 'imageOnly'] as const) assert.ok(Math.abs(f[k] - 0.05) < TOL, JSON.stringify(f));
  assert.ok(Math.abs(f.neither - 0.85) < TOL);
});

test('zero rates never drop; rate 1 always drops', () => {
  assert.deepEqual(frequencies({ textDrop: 0, imageDrop: 0 }, 1000), { both: 0, textOnly: 0, imageOnly: 0, neither: 1 });
  assert.deepEqual(frequencies({ textDrop: 1, imageDrop: 0 }, 1000), { both: 0, textOnly: 1, imageOnly: 0, neither: 0 });
  assert.deepEqual(frequencies({ textDrop: 1, imageDrop: 1 }, 1000), { both: 1, textOnly: 0, imageOnly: 0, neither: 0 });
});

test('impossible rates are reported by name', () => {
  const rng = new Rng(1);
  assert.throws(() => conditioningDropout(rng, { textDrop: 1.5 }), /textDrop must be a probability/);
  assert.throws(() => conditioningDropout(rng, { imageDrop: -0.1 }), /imageDrop/);
  assert.throws(() => conditioningDropout(rng, { textDrop: 0.1, imageDrop: 0.2, bothDrop: 0.15 }), /bothDrop must be in \[0, 0.1\]/);
  assert.throws(() => conditioningDropout(rng, { textDrop: 0.8, imageDrop: 0.8, bothDrop: 0.5 }), /bothDrop must be in \[0.6/);
});
