// End to end on a tiny model trained for a few steps: every suite runs, prints sensible
// figures and a report; and a stand-in model that returns the exact ground truth scores what
// the judge scores on ground truth (the suites judge the model's pixels and nothing else).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { composePrompts, typedPrompt } from './prompts/compose.ts';
import { objectClass } from '../data/catalog.ts';
import { layoutScene } from '../data/scene.ts';
import { renderScene } from '../data/render.ts';
import { runSuite, summary, type SuiteResult } from './index.ts';
import { loadModelUnderTest, type ModelUnderTest } from './model.ts';
import { readBaseline, writeReport } from './report.ts';
import { Scorer } from './scorer/scorer.ts';
import type { SuiteContext } from './suites/context.ts';
import { tinyModelDir } from '../testing/tiny-model.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowpaint-eval-'));
let scorer: Scorer;
let tiny: ModelUnderTest;

function ctx(model: ModelUnderTest, n: number): SuiteContext {
  return { model, scorer, n, width: 64, height: 64, promptSeed: 20261201, steps: 2, log: () => {} };
}

before(async () => {
  tiny = await loadModelUnderTest({ modelDir: await tinyModelDir(), threads: 1 });
  scorer = await Scorer.load();
});

after(async () => {
  await tiny?.release();
  await scorer?.release();
  rmSync(dir, { recursive: true, force: true });
});

function checkShape(r: SuiteResult, categories: string[]): void {
  assert.deepEqual(Object.keys(r.categories), categories);
  for (const v of Object.values(r.categories)) assert.ok(Number.isFinite(v) && v >= 0, `${r.suite}: ${v}`);
  assert.ok(r.overall >= 0);
  assert.equal(r.model.id, 'tiny');
  const line = JSON.parse(JSON.stringify(summary(r)));
  assert.equal(line.samples, undefined);
  if (r.suite === 'speed') return;
  // Per-item outcomes (what `npm run compare-evals` pairs) add up to the category figures.
  const outcomes = Object.values(line.outcomes as Record<string, { category: string; right: number }>);
  assert.ok(outcomes.length > 0, `${r.suite} records its items`);
  for (const category of new Set(outcomes.map((o) => o.category))) {
    const mine = outcomes.filter((o) => o.category === category);
    assert.equal(Math.round((mine.reduce((a, o) => a + o.right, 0) / mine.length) * 1e4) / 1e4, r.categories[category], `${r.suite} ${category}`);
  }
}

describe('suites on a tiny model', () => {
  test('compose, text and speed run and report', async () => {
    const compose = await runSuite('compose', ctx(tiny, 1));
    checkShape(compose, ['single_object', 'two_objects', 'counting', 'colors', 'position', 'color_attribution', 'relations']);
    assert.equal(compose.samples.length, 7);
    const text = await runSuite('text', ctx(tiny, 1));
    checkShape(text, ['word_accuracy', 'char_accuracy']);
    const speed = await runSuite('speed', { ...ctx(tiny, 1) });
    assert.ok(speed.overall > 0);
    const report = await writeReport(join(dir, 'report'), [compose, text, speed]);
    const md = readFileSync(report, 'utf8');
    assert.match(md, /## compose/);
    for (const f of ['compose-bars.png', 'compose-best.png', 'text-bars.png', 'speed-bars.png', 'results.json']) assert.ok(existsSync(join(dir, 'report', f)), f);
    // A later run compares against this one's results.json.
    const base = readBaseline(join(dir, 'report', 'results.json'));
    const again = await writeReport(join(dir, 'report2'), [compose], base);
    assert.match(readFileSync(again, 'utf8'), /against the baseline[\s\S]*\| \*\*overall\*\* \|/);
  });

  test('edit runs every kind and a 4-round chain', async () => {
    const edit = await runSuite('edit', ctx(tiny, 1));
    checkShape(edit, ['remove', 'replace', 'recolor', 'resize', 'move', 'add', 'background', 'lettering', 'deblur', 'chain_4_rounds']);
    assert.equal(edit.samples.find((s) => s.category === 'chain')!.images.length, 5);
    assert.ok(edit.metrics.preservation_ssim! >= 0 && edit.metrics.preservation_ssim! <= 1);
  });

  test('a model that draws the exact ground truth scores what the judge scores on ground truth', async () => {
    const byPrompt = new Map(composePrompts(2).map((it) => [it.prompt, it]));
    const truthModel: ModelUnderTest = {
      id: 'truth', version: '1', refusals: 0,
      generate: async (c) => renderScene(layoutScene(byPrompt.get(c.prompt)!.truth, c.width, c.height)).image,
      edit: async (c) => c.image,
      release: async () => {},
    };
    const r = await runSuite('compose', { ...ctx(truthModel, 2), width: 128, height: 128 });
    assert.deepEqual(r.categories, r.judge!.categories);
  });
});

test('typed phrasing: the same items as people type them, naming every object and the background, fixed per item', () => {
  const items = composePrompts(3);
  for (const it of items) {
    const typed = typedPrompt(it);
    assert.equal(typedPrompt(it), typed);
    assert.notEqual(typed, it.prompt);
    const bg = it.truth.background.kind === 'solid' ? it.truth.background.color : 'white';
    assert.ok(typed.includes(bg), `${typed} lacks ${bg}`);
    for (const g of it.expect.groups) assert.ok(typed.includes(objectClass(g.classId)!.noun) || typed.includes(objectClass(g.classId)!.plural), `${typed} lacks ${g.classId}`);
  }
});
