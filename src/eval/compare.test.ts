// The item-by-item comparison that decides A/B runs: right arithmetic, an exact sign test, and a
// refusal, naming the difference, to pair runs that did not draw the same items.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type RunSummary, compareRuns, describeComparison, signTestP, suitesOf } from './compare.ts';

function run(version: string, rights: number[], over: Partial<RunSummary> = {}): RunSummary {
  const outcomes: NonNullable<RunSummary['outcomes']> = {};
  rights.forEach((right, i) => { outcomes[`item-${String(i).padStart(3, '0')}`] = { category: i % 2 ? 'odd' : 'even', right: right ? 1 : 0 }; });
  return {
    suite: 'compose', promptSet: 'compose-v1', promptSeed: 1, model: { id: 'm', version }, size: { width: 128, height: 128 }, n: rights.length / 2,
    overall: rights.reduce((a, b) => a + b, 0) / rights.length, categories: {}, metrics: {}, judge: null, seconds: 1, outcomes, ...over,
  };
}

test('the exact sign test matches the binomial tails', () => {
  assert.ok(Math.abs(signTestP(0, 10) - 2 / 1024) < 1e-15);
  assert.ok(Math.abs(signTestP(10, 10) - 2 / 1024) < 1e-15);
  assert.ok(Math.abs(signTestP(2, 10) - (2 * (1 + 10 + 45)) / 1024) < 1e-12);
  assert.equal(signTestP(5, 10), 1);
  assert.equal(signTestP(0, 0), 1);
});

test('B right on ten more items than A, none the other way: a difference the interval and the test both see', () => {
  const a = Array.from({ length: 100 }, (_, i) => (i < 30 ? 1 : 0));
  const b = Array.from({ length: 100 }, (_, i) => (i < 40 ? 1 : 0));
  const c = compareRuns(run('a', a), run('b', b));
  assert.deepEqual([c.a.right, c.b.right, c.bOnly, c.aOnly, c.items], [30, 40, 10, 0, 100]);
  assert.ok(Math.abs(c.difference - 0.1) < 1e-12);
  assert.ok(c.low > 0 && c.high < 0.2, `interval ${c.low}..${c.high}`);
  assert.ok(Math.abs(c.p - 2 / 1024) < 1e-15);
  assert.deepEqual(c.categories.even, { difference: 0.1, bOnly: 5, aOnly: 0 });
  assert.match(describeComparison(c), /B − A \+0\.100 .*B alone right on 10, A alone on 0; sign test p = 0\.002/);
});

test('disagreements that cancel: no difference, an interval around zero', () => {
  const a = Array.from({ length: 60 }, (_, i) => (i < 10 ? 1 : 0));
  const b = Array.from({ length: 60 }, (_, i) => (i >= 50 ? 1 : 0));
  const c = compareRuns(run('a', a), run('b', b));
  assert.equal(c.difference, 0);
  assert.ok(c.low < 0 && c.high > 0);
  assert.equal(c.p, 1);
});

test('runs of other items, seeds or sizes, or without outcomes, are refused with the reason', () => {
  const x = [1, 0, 1, 0];
  assert.throws(() => compareRuns(run('a', x), run('b', x, { promptSeed: 2 })), /promptSeed differs \(1 vs 2\)/);
  assert.throws(() => compareRuns(run('a', x), run('b', x, { size: { width: 256, height: 256 } })), /size differs \(128×128 vs 256×256\)/);
  assert.throws(() => compareRuns(run('a', x), run('b', x, { outcomes: undefined })), /no per-item outcomes/);
  assert.throws(() => compareRuns(run('a', x), run('b', [1, 0, 1, 0, 1, 1])), /n differs/);
});

test('an eval all file gives its suites; a non-eval JSON is refused', () => {
  const one = run('a', [1, 0]);
  assert.deepEqual(suitesOf({ suite: 'all', suites: [one] }), [one]);
  assert.deepEqual(suitesOf(one), [one]);
  assert.throws(() => suitesOf({ hello: 1 }), /not an eval results JSON/);
});
