import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heldout, heldoutIn, containsHeldout } from './heldout.ts';
import { composeScene, specForSeed } from './compose.ts';
import { makeEditPair } from './edits.ts';
import { isObjectClassId } from './catalog.ts';
import { WORDS } from './words.ts';
import { POSITIONS } from './scene.ts';
import { SceneStream } from './stream.ts';

test('held-out entries name real classes, colours, positions and words', () => {
  assert.ok(heldout.combos.length >= 20);
  assert.ok(heldout.words.length >= 20);
  for (const c of heldout.combos) {
    assert.ok(isObjectClassId(c.object), c.object);
    if (c.position) assert.ok(POSITIONS.includes(c.position), c.position);
    if (c.count !== undefined) assert.ok(c.count >= 1 && c.count <= 4);
  }
  for (const w of heldout.words) assert.ok(WORDS.includes(w), `${w} is not in the word list`);
});

test('training scenes never contain a held-out combination or word', () => {
  for (let seed = 0; seed < 3000; seed++) {
    const spec = specForSeed(seed, 'train');
    assert.equal(containsHeldout(spec), false, `seed ${seed}: ${JSON.stringify(heldoutIn(spec))}`);
  }
  // Forced lettering must also avoid held-out words.
  for (let seed = 0; seed < 500; seed++) assert.equal(containsHeldout(specForSeed(seed, 'train', { text: true })), false);
});

test('training edit pairs and stream samples never contain held-out combinations', () => {
  for (let seed = 0; seed < 150; seed++) {
    const e = makeEditPair(seed, { width: 64, height: 64 });
    assert.equal(containsHeldout(e.sourceScene) || containsHeldout(e.targetScene), false, `edit seed ${seed} (${e.kind})`);
  }
  const s = new SceneStream({ seed: 4, editFraction: 0.5, buckets: [{ width: 64, height: 64 }] });
  for (let i = 0; i < 100; i++) {
    const x = s.next();
    const scenes = x.kind === 't2i' ? [x.scene] : [x.sourceScene, x.targetScene];
    for (const sc of scenes) assert.equal(containsHeldout(sc), false);
  }
});

test('held-out split scenes and edits always contain one, and cover every entry', () => {
  const hitCombos = new Set<string>();
  const hitWords = new Set<string>();
  for (let seed = 0; seed < 1500; seed++) {
    const spec = specForSeed(seed, 'heldout');
    const h = heldoutIn(spec);
    assert.ok(h.combos.length + h.words.length > 0, `seed ${seed} has nothing held out`);
    for (const c of h.combos) hitCombos.add(JSON.stringify(c));
    for (const w of h.words) hitWords.add(w);
  }
  assert.equal(hitCombos.size, heldout.combos.length);
  assert.equal(hitWords.size, heldout.words.length);
  for (let seed = 0; seed < 20; seed++) {
    const e = makeEditPair(seed, { width: 64, height: 64, split: 'heldout' });
    assert.ok(containsHeldout(e.sourceScene) || containsHeldout(e.targetScene));
  }
});

test('a held-out scene renders like any other', () => {
  const r = composeScene(3, { width: 128, height: 128, split: 'heldout' });
  assert.ok(containsHeldout(r.scene));
  assert.equal(r.image.data.length, 128 * 128 * 3);
});
