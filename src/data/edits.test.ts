import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { EDIT_KINDS, makeEditChain, makeEditPair } from './edits.ts';
import { countOutside, countSet, diffMask } from './pixels.ts';
import { containsHeldout } from './heldout.ts';

const sha = (d: Uint8Array) => createHash('sha256').update(d).digest('hex');

for (const kind of EDIT_KINDS) {
  test(`${kind}: changes pixels only inside its mask, and does change them`, () => {
    for (let seed = 0; seed < 6; seed++) {
      const [w, h] = seed % 3 === 2 ? [64, 64] : seed % 2 ? [128, 128] : [192, 128];
      const e = makeEditPair(seed, { width: w, height: h, kind });
      assert.equal(e.kind, kind);
      assert.equal(e.mask.data.length, w * h);
      assert.ok(e.mask.data.every((v) => v === 0 || v === 255));
      const changed = diffMask(e.source, e.target);
      assert.equal(countOutside(changed, e.mask), 0, `seed ${seed}: pixels changed outside the mask`);
      assert.ok(countSet(changed) > 0, `seed ${seed}: the edit changed nothing`);
      assert.ok(countSet(e.mask) < w * h || kind === 'deblur' || kind === 'background', 'object edits are local');
      assert.ok(e.instruction.length > 5 && e.instructions.includes(e.instruction));
    }
  });
}

test('edit scenes say what changed', () => {
  const n = (kind: (typeof EDIT_KINDS)[number], seed = 3) => makeEditPair(seed, { width: 128, height: 128, kind });
  const rm = n('remove');
  assert.equal(rm.targetScene.objects.length, rm.sourceScene.objects.length - 1);
  const add = n('add');
  assert.equal(add.targetScene.objects.length, add.sourceScene.objects.length + 1);
  const rc = n('recolor');
  const changed = rc.targetScene.objects.filter((o, i) => o.color !== rc.sourceScene.objects[i]!.color);
  assert.equal(changed.length, 1);
  assert.ok(rc.instruction.includes(changed[0]!.color!), rc.instruction);
  const rp = n('replace');
  const swapped = rp.targetScene.objects.find((o, i) => o.classId !== rp.sourceScene.objects[i]!.classId)!;
  assert.ok(rp.instruction.includes(swapped.noun.split(' ')[0]!) || rp.instruction.includes(swapped.plural.split(' ')[0]!), rp.instruction);
  const mv = n('move');
  assert.equal(mv.targetScene.objects.filter((o, i) => o.position !== mv.sourceScene.objects[i]!.position).length, 1);
  const rs = n('resize');
  assert.equal(rs.targetScene.objects.filter((o, i) => o.size !== rs.sourceScene.objects[i]!.size).length, 1);
  const bg = n('background');
  assert.notDeepEqual(bg.targetScene.background, bg.sourceScene.background);
  const lt = n('lettering');
  assert.notEqual(lt.targetScene.texts[0]!.text, lt.sourceScene.texts[0]!.text);
  assert.ok(lt.instruction.includes(lt.targetScene.texts[0]!.text));
  const db = n('deblur');
  assert.ok(db.sourceScene.blur !== null && db.targetScene.blur === null);
});

test('edit pairs are deterministic', () => {
  const a = makeEditPair(21, { width: 128, height: 128 });
  const b = makeEditPair(21, { width: 128, height: 128 });
  assert.equal(a.kind, b.kind);
  assert.equal(a.instruction, b.instruction);
  assert.equal(sha(a.source.data), sha(b.source.data));
  assert.equal(sha(a.target.data), sha(b.target.data));
  assert.equal(sha(a.mask.data), sha(b.mask.data));
});

test('edit kinds without a kind given cover all nine', () => {
  const kinds = new Set<string>();
  for (let seed = 0; seed < 80 && kinds.size < EDIT_KINDS.length; seed++) kinds.add(makeEditPair(seed, { width: 64, height: 64 }).kind);
  assert.equal(kinds.size, EDIT_KINDS.length);
});

test('edit chains: 2–4 steps, each result is the next source, each step stays in its mask', () => {
  for (const rounds of [2, 3, 4]) {
    for (let seed = 0; seed < 4; seed++) {
      const c = makeEditChain(seed, { rounds, width: 128, height: 128 });
      assert.equal(c.steps.length, rounds);
      assert.equal(c.images.length, rounds + 1);
      c.steps.forEach((s, i) => {
        const changed = diffMask(c.images[i]!, c.images[i + 1]!);
        assert.equal(countOutside(changed, s.mask), 0, `rounds ${rounds} seed ${seed} step ${i} (${s.kind})`);
        assert.ok(countSet(changed) > 0, `step ${i} (${s.kind}) changed nothing`);
        if (i > 0) assert.notEqual(s.kind, 'deblur');
      });
      assert.ok(c.scenes.every((s) => !containsHeldout(s)));
    }
  }
  assert.throws(() => makeEditChain(1, { rounds: 5, width: 128, height: 128 }), /rounds must be 2, 3 or 4/);
});
