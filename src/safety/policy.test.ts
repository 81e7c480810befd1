import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exitCodeFor } from '../cli/errors.ts';
import { loadSafetyPolicy, parseModeration, thresholdFor } from './policy.ts';
import { SafetyRefusal, refusalResponse } from './refusal.ts';

describe('safety policy', () => {
  test('defaults: every category on, low relaxes all but minors', () => {
    const p = loadSafetyPolicy();
    assert.equal(p.moderation, 'auto');
    for (const c of Object.values(p.categories)) assert.equal(c.enabled, true);
    assert.equal(thresholdFor(p, 'sexual', 'auto'), 0.5);
    assert.ok(thresholdFor(p, 'sexual', 'low') > 0.5);
    assert.equal(thresholdFor(p, 'minors', 'low'), thresholdFor(p, 'minors', 'auto'));
  });

  test('per-deployment thresholds and switches', () => {
    const p = loadSafetyPolicy({ categories: { public_figures: { enabled: false }, violence: { threshold: 0.3, lowThreshold: 0.9 } } });
    assert.equal(p.categories.public_figures.enabled, false);
    assert.equal(thresholdFor(p, 'violence', 'auto'), 0.3);
    assert.equal(thresholdFor(p, 'violence', 'low'), 0.9);
  });

  test('zero-tolerance categories cannot be disabled or relaxed', () => {
    assert.throws(() => loadSafetyPolicy({ categories: { minors: { enabled: false } } }), /zero-tolerance.*cannot be disabled/);
    assert.throws(() => loadSafetyPolicy({ categories: { minors: { threshold: 0.9 } } }), /zero-tolerance/);
    const stricter = loadSafetyPolicy({ categories: { minors: { threshold: 0.2 } } });
    assert.equal(thresholdFor(stricter, 'minors', 'low'), 0.2);
  });

  test('bad config is a clear input error (CLI exit 2)', () => {
    let err: unknown;
    try {
      loadSafetyPolicy({ categories: { sexual: { threshold: 2 } }, moderaton: 'low' });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof Error);
    assert.match(err.message, /safety config/);
    assert.match(err.message, /threshold|moderaton/);
    assert.equal(exitCodeFor(err), 2);
  });

  test('moderation from a request', () => {
    const p = loadSafetyPolicy();
    assert.equal(parseModeration(undefined, p), 'auto');
    assert.equal(parseModeration('low', p), 'low');
    assert.throws(() => parseModeration('none', p), /'auto' or 'low'/);
  });
});

describe('refusals', () => {
  const decision = { allowed: false, stage: 'prompt' as const, category: 'violence' as const, score: 0.9, threshold: 0.5, reason: 'lexicon', scores: { violence: 0.9 }, moderation: 'auto' as const };

  test('SafetyRefusal names category and stage, maps to CLI exit 3 and API 400', () => {
    const err = new SafetyRefusal(decision);
    assert.equal(err.name, 'SafetyRefusal');
    assert.equal(err.category, 'violence');
    assert.equal(err.stage, 'prompt');
    assert.match(err.message, /category: violence/);
    assert.equal(exitCodeFor(err), 3);
    const r = refusalResponse(err);
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'content_policy_violation');
    assert.equal(r.body.error.category, 'violence');
  });

  test('an allowing decision cannot become a refusal', () => {
    assert.throws(() => new SafetyRefusal({ ...decision, allowed: true }), /allows/);
  });
});
