import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { layoutScene, type SceneSpec } from '../data/scene.ts';
import { checkExpectation, type Expectation } from './expect.ts';
import { COMPOSE_CATEGORIES, COMPOSE_PROMPT_VERSION, composePrompts } from './prompts/compose.ts';
import { cellLabels } from './scorer/labels.ts';
import { predictionsFromLabels } from './testing.ts';

const truthOf = (spec: SceneSpec) => predictionsFromLabels(cellLabels(layoutScene(spec, 128, 128)));

// "two red apples to the left of a dog": apples middle left, dog middle right.
const APPLES_LEFT_OF_DOG: SceneSpec = {
  background: { kind: 'solid', color: 'white' },
  objects: [
    { classId: 'apple', artSet: 'twemoji', color: 'red', count: 2, size: 'large', row: 1, col: 0, jitter: [0, 0] },
    { classId: 'dog', artSet: 'noto', color: null, count: 1, size: 'large', row: 1, col: 2, jitter: [0, 0] },
  ],
  texts: [],
  blur: null,
};
const EXPECT: Expectation = {
  groups: [{ classId: 'apple', color: 'red', count: 2 }, { classId: 'dog' }],
  relation: { subject: 0, relation: 'left of', object: 1 },
};

describe('checking a prompt against what is in the cells', () => {
  test('"two red apples left of a dog" is right on its scene and wrong on mismatching ones', () => {
    assert.deepEqual(checkExpectation(truthOf(APPLES_LEFT_OF_DOG), EXPECT), { correct: true, failures: [] });
    const swap = structuredClone(APPLES_LEFT_OF_DOG);
    swap.objects[0]!.col = 2;
    swap.objects[1]!.col = 0;
    assert.deepEqual(checkExpectation(truthOf(swap), EXPECT).failures, ['apple not left of dog']);
    const blue = structuredClone(APPLES_LEFT_OF_DOG);
    blue.objects[0]!.color = 'blue';
    assert.deepEqual(checkExpectation(truthOf(blue), EXPECT).failures, ['apple is blue, not red']);
    const three = structuredClone(APPLES_LEFT_OF_DOG);
    three.objects[0]!.count = 3;
    assert.deepEqual(checkExpectation(truthOf(three), EXPECT).failures, ['3 apple, not 2']);
    const cat = structuredClone(APPLES_LEFT_OF_DOG);
    cat.objects[1]!.classId = 'cat';
    assert.deepEqual(checkExpectation(truthOf(cat), EXPECT).failures, ['no dog']);
  });

  test('counts add up over cells; positions must match the named cell', () => {
    const split = structuredClone(APPLES_LEFT_OF_DOG);
    split.objects[0]!.count = 1;
    split.objects.push({ ...split.objects[0]!, row: 0, col: 0 });
    assert.equal(checkExpectation(truthOf(split), EXPECT).correct, true);
    assert.equal(checkExpectation(truthOf(APPLES_LEFT_OF_DOG), { groups: [{ classId: 'dog', cell: 5 }] }).correct, true);
    assert.equal(checkExpectation(truthOf(APPLES_LEFT_OF_DOG), { groups: [{ classId: 'dog', cell: 3 }] }).correct, false);
  });
});

describe('compose prompt set', () => {
  test('is versioned, deterministic and prefix-stable', () => {
    assert.equal(COMPOSE_PROMPT_VERSION, 'compose-v1');
    const a = composePrompts(3);
    assert.deepEqual(composePrompts(3), a);
    const longer = composePrompts(5);
    for (const c of COMPOSE_CATEGORIES) {
      assert.deepEqual(longer.filter((x) => x.category === c).slice(0, 3), a.filter((x) => x.category === c));
    }
    assert.notDeepEqual(composePrompts(3, 7).map((x) => x.prompt), a.map((x) => x.prompt));
    assert.equal(new Set(longer.map((x) => x.id)).size, longer.length);
  });

  test("every prompt's ground-truth scene satisfies it, and another prompt's scene mostly does not", () => {
    const items = composePrompts(6);
    let crossHits = 0;
    for (const [i, it] of items.entries()) {
      assert.equal(checkExpectation(truthOf(it.truth), it.expect).correct, true, `${it.id}: ${it.prompt}`);
      const other = items[(i + 7) % items.length]!;
      if (checkExpectation(truthOf(other.truth), it.expect).correct) crossHits++;
    }
    assert.ok(crossHits < items.length / 10, `${crossHits} of ${items.length} prompts accepted another prompt's scene`);
  });

  test('prompts read like the training captions and name the held-out combinations', () => {
    const items = composePrompts(2);
    const colors = items.filter((x) => x.category === 'colors').map((x) => x.prompt);
    assert.match(colors[0]!, /^a blue apple on a \w+ background$/);
    const rel = items.find((x) => x.category === 'relations')!;
    assert.match(rel.prompt, /(to the left of|to the right of|above|below)/);
  });
});
