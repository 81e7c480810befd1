// The shipped scorer (models/scorer) on ground-truth renders.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { layoutScene, type SceneSpec } from '../../data/scene.ts';
import { renderScene } from '../../data/render.ts';
import { checkExpectation, type Expectation } from '../expect.ts';
import { composePrompts } from '../prompts/compose.ts';
import { DEFAULT_SCORER_DIR, SCORER_WEIGHTS, Scorer } from './scorer.ts';

let scorer: Scorer;
before(async () => {
  scorer = await Scorer.load();
});
after(async () => {
  await scorer.release();
});

const render = (spec: SceneSpec, side = 128) => renderScene(layoutScene(spec, side, side)).image;

// "two red apples to the left of a dog"
const SCENE: SceneSpec = {
  background: { kind: 'solid', color: 'white' },
  objects: [
    { classId: 'apple', artSet: 'fluent-emoji-flat', color: 'red', count: 2, size: 'large', row: 1, col: 0, jitter: [0, 0] },
    { classId: 'dog', artSet: 'fluent-emoji-flat', color: null, count: 1, size: 'large', row: 1, col: 2, jitter: [0, 0] },
  ],
  texts: [],
  blur: null,
};
const PROMPT: Expectation = {
  groups: [{ classId: 'apple', color: 'red', count: 2 }, { classId: 'dog' }],
  relation: { subject: 0, relation: 'left of', object: 1 },
};

describe('scorer on ground-truth renders', () => {
  test('"two red apples left of a dog": its scene scores right, mismatching scenes score wrong', async () => {
    const swapped = structuredClone(SCENE);
    swapped.objects[0]!.col = 2;
    swapped.objects[1]!.col = 0;
    const blue = structuredClone(SCENE);
    blue.objects[0]!.color = 'blue';
    const one = structuredClone(SCENE);
    one.objects[0]!.count = 1;
    const noDog = structuredClone(SCENE);
    noDog.objects.pop();
    const [right, ...wrong] = await scorer.predict([render(SCENE), render(swapped), render(blue), render(one), render(noDog)]);
    const r = checkExpectation(right!, PROMPT);
    assert.equal(r.correct, true, r.failures.join('; '));
    const names = ['swapped', 'blue apples', 'one apple', 'no dog'];
    wrong.forEach((cells, i) => assert.equal(checkExpectation(cells, PROMPT).correct, false, names[i]));
  });

  test("on the compose prompts' own ground truth the judge is mostly right", async () => {
    const items = composePrompts(4);
    const preds = await scorer.predict(items.map((it) => render(it.truth)));
    const right = items.filter((it, i) => checkExpectation(preds[i]!, it.expect).correct).length;
    // The measured figure is in EVALUATION.md; this guards against a broken or stale scorer.
    assert.ok(right / items.length >= 0.6, `${right}/${items.length}`);
  });

  test('an empty picture has no objects, and the background is named', async () => {
    const [cells] = await scorer.predict([render({ background: { kind: 'solid', color: 'blue' }, objects: [], texts: [], blur: null })]);
    assert.ok(cells!.every((c) => c.kind === 'empty' && c.background === 'blue'), JSON.stringify(cells!.map((c) => [c.kind, c.background])));
  });

  test('the shipped weights are small and carry their measured accuracy', () => {
    assert.ok(statSync(join(DEFAULT_SCORER_DIR, SCORER_WEIGHTS)).size <= 2 * 1024 * 1024);
    assert.ok(scorer.card && scorer.card.validation.heldout_split_128!.presence! > 0.9);
  });
});

describe('scorer on pictures without objects', () => {
  test('colour mosaics (what an undertrained generator draws) hold almost no objects', async () => {
    const { measureFalseObjects } = await import('./train.ts');
    const s = await Scorer.load();
    try {
      assert.ok((await measureFalseObjects(s, 20)) < 0.05);
    } finally {
      await s.release();
    }
  });
});
