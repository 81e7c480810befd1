import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EDIT_KINDS, makeEditPair } from '../data/index.ts';
import { changeHappened, changedFacts } from './edit-check.ts';
import { editItems, editPairOf, replacementVisible } from './prompts/edit.ts';
import { cellLabels } from './scorer/labels.ts';
import { predictionsFromLabels } from './testing.ts';

const SIZE = { width: 128, height: 128 };

describe('did the edit happen', () => {
  test('for every object and background kind: the exact target passes, the unedited source fails', async () => {
    const items = editItems(1, SIZE).filter((i) => i.kind !== 'lettering' && i.kind !== 'deblur');
    for (const it of items) {
      const pair = editPairOf(it, SIZE);
      assert.ok(changedFacts(pair.sourceScene, pair.targetScene).length > 0, `${it.kind}: no fact changes`);
      const onTarget = await changeHappened(pair, pair.target, predictionsFromLabels(cellLabels(pair.targetScene)));
      assert.equal(onTarget.changed, true, `${it.kind} target: ${onTarget.failures.join('; ')}`);
      const onSource = await changeHappened(pair, pair.source, predictionsFromLabels(cellLabels(pair.sourceScene)));
      assert.equal(onSource.changed, false, `${it.kind}: the source passed as edited`);
    }
  });

  test('a picture of nothing does not count as a removal (the other objects must stay)', async () => {
    const it = editItems(3, SIZE).filter((i) => i.kind === 'remove').find((i) => editPairOf(i, SIZE).targetScene.objects.length > 0)!;
    const pair = editPairOf(it, SIZE);
    const nothing = predictionsFromLabels(cellLabels({ ...pair.targetScene, objects: [], texts: [] }));
    const r = await changeHappened(pair, pair.target, nothing);
    assert.equal(r.changed, false);
    assert.match(r.failures.join(), /its object is gone/);
  });

  test('an object the scorer could not see in the source is not required in the output', async () => {
    const it = editItems(3, SIZE).filter((i) => i.kind === 'remove').find((i) => editPairOf(i, SIZE).targetScene.objects.length > 0)!;
    const pair = editPairOf(it, SIZE);
    const kept = pair.targetScene.objects[0]!;
    const keptCell = kept.row * 3 + kept.col;
    // The output shows the removal but not the kept object.
    const output = predictionsFromLabels(cellLabels({ ...pair.targetScene, objects: [] }));
    const seenBefore = predictionsFromLabels(cellLabels(pair.sourceScene));
    assert.equal((await changeHappened(pair, pair.target, output, seenBefore)).changed, false, 'a visible object vanished');
    const missedBefore = seenBefore.map((p) => (p.cell === keptCell ? { ...p, kind: 'empty', isObject: false } : p));
    assert.equal((await changeHappened(pair, pair.target, output, missedBefore)).changed, true);
  });

  test("a new object's colour is checked only when the edit names it", () => {
    for (const kind of ['add', 'replace'] as const) {
      for (const it of editItems(6, SIZE).filter((i) => i.kind === kind)) {
        const pair = editPairOf(it, SIZE);
        const facts = changedFacts(pair.sourceScene, pair.targetScene);
        for (const o of pair.targetScene.objects) {
          const cell = o.row * 3 + o.col;
          const fresh = !pair.sourceScene.objects.some((s) => s.row === o.row && s.col === o.col && s.classId === o.classId);
          if (!fresh) continue;
          assert.equal(facts.some((f) => f.cell === cell && f.what === 'color'), o.color !== null, `${it.id}: ${pair.instruction}`);
        }
      }
    }
  });

  test('deblurring counts when the output gets closer to the sharp target', async () => {
    const pair = makeEditPair(3, { ...SIZE, kind: 'deblur', split: 'heldout' });
    const none = predictionsFromLabels(cellLabels(pair.sourceScene));
    assert.equal((await changeHappened(pair, pair.target, none)).changed, true);
    assert.equal((await changeHappened(pair, pair.source, none)).changed, false);
  });

  test('lettering is read back with OCR on the plate', async () => {
    const pair = makeEditPair(5, { width: 256, height: 256, kind: 'lettering', split: 'heldout' });
    const none = predictionsFromLabels(cellLabels(pair.sourceScene));
    assert.equal((await changeHappened(pair, pair.target, none)).changed, true, pair.instruction);
    assert.equal((await changeHappened(pair, pair.source, none)).changed, false);
  });

  test('the edit set covers every kind, deterministically, and only replacements the scorer can see', () => {
    const items = editItems(2, SIZE);
    assert.deepEqual([...new Set(items.map((i) => i.kind))], [...EDIT_KINDS]);
    assert.deepEqual(editItems(2, SIZE), items);
    assert.equal(replacementVisible(['apple', 'keyboard'], ['pear', 'keyboard']), true);
    assert.equal(replacementVisible(['keyboard'], ['spoon']), false);
  });
});
