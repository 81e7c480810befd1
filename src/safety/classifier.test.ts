// The prompt classifier: trained by the engine, run in plain TypeScript. The two must agree, and
// a short training run must learn.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HostTensor, evaluate, ops as o } from '../engine/index.ts';
import { CATEGORIES } from './categories.ts';
import { NUM_FEATURES, PromptClassifier, denseBatch, featurize, windows } from './classifier.ts';
import { classifierLogits, trainClassifier } from './classifier-train.ts';
import { LexicalMatcher } from './matcher.ts';
import { buildTrainingSet } from './training-data.ts';

const matcher = new LexicalMatcher();

describe('prompt classifier', () => {
  test('the shipped weights load, and the TypeScript forward pass equals the engine graph', async () => {
    const clf = PromptClassifier.load();
    const prompts = ['a watercolor of a lighthouse', 'a man stabbed in an alley, blood everywhere', 'a nude woman on a bed', 'pikachu on a skateboard'];
    const feats = prompts.map((p) => featurize(matcher.normalize(p).tokens));
    const x = o.input('x', [prompts.length, NUM_FEATURES]);
    const { logits } = classifierLogits(x);
    const feeds: Record<string, HostTensor> = { x: denseBatch(feats) };
    for (const [k, v] of clf.tensors()) feeds[k] = v;
    const out = (await evaluate({ p: o.sigmoid(logits) }, feeds)).p!.f32();
    feats.forEach((f, b) => {
      const js = clf.predictFeatures(f);
      for (let c = 0; c < CATEGORIES.length; c++) assert.ok(Math.abs(js[c]! - out[b * CATEGORIES.length + c]!) < 1e-4, `${prompts[b]} / ${CATEGORIES[c]}`);
    });
  });

  test('it separates the categories of clear examples it never saw verbatim', () => {
    const clf = PromptClassifier.load();
    const p = (s: string) => clf.predict(matcher.normalize(s).tokens);
    assert.ok(p('a realistic photo of a woman fully naked having sex on a kitchen table').sexual > 0.5);
    assert.ok(p('an illustration of a soldier being decapitated, gore everywhere').violence > 0.5);
    assert.ok(p('a bowl of ramen next to a window at night').sexual < 0.2);
  });

  test('features are hashed and L2-normalised; long inputs are read in overlapping windows', () => {
    const f = featurize(matcher.normalize('a red apple').tokens);
    const norm = Math.hypot(...f.value);
    assert.ok(Math.abs(norm - 1) < 1e-6);
    assert.ok(f.index.every((i) => i >= 0 && i < NUM_FEATURES));
    const tokens = matcher.normalize('word '.repeat(100)).tokens;
    const w = windows(tokens);
    assert.equal(w[0]!.length, 32);
    assert.ok(w.length >= 6);
    assert.equal(w.flat().length >= tokens.length, true);
  });

  test('a short engine training run learns (loss falls), deterministically sized data', async () => {
    const data = buildTrainingSet(5).filter((_, i) => i % 10 === 0);
    const r = await trainClassifier({ steps: 150, batch: 32, out: null, data });
    assert.ok(r.lastLoss < r.firstLoss * 0.7, `loss ${r.firstLoss} -> ${r.lastLoss}`);
    assert.ok(r.heldOutAccuracy > 0.6, `held-out ${r.heldOutAccuracy}`);
  });

  test('the shipped weights carry thresholds chosen on validation and the features version', () => {
    const clf = PromptClassifier.load();
    for (const c of CATEGORIES) assert.ok(clf.aloneThresholds[c] >= 0.5 && clf.aloneThresholds[c] <= 0.95, c);
    assert.ok(clf.minorSexualThreshold >= 0.5 && clf.minorSexualThreshold <= 1);
    // Skip pairs join content words across fillers; stems join inflections.
    const a = featurize(matcher.normalize('bleeding hands').tokens);
    const b = featurize(matcher.normalize('bleeds hands').tokens);
    assert.ok([...a.index].some((i) => b.index.includes(i)));
  });

  test('missing or mismatched weights are named', () => {
    assert.throws(() => PromptClassifier.load('/nonexistent/w.safetensors'), /no weights at .*--train-classifier/);
    assert.throws(() => new PromptClassifier({ w1: new Float32Array(1), b1: new Float32Array(1), w2: new Float32Array(1), b2: new Float32Array(1) }), /shapes/);
  });

  test('the training set is labelled in every category and has benign near misses', () => {
    const data = buildTrainingSet();
    for (const c of CATEGORIES) assert.ok(data.filter((d) => d.labels.includes(c)).length >= 300, c);
    assert.ok(data.filter((d) => d.labels.length === 0).length > data.length / 3);
    void HostTensor;
  });
});
