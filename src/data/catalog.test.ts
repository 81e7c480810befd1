import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OBJECT_CLASSES, UNRENDERABLE, canRender } from './catalog.ts';
import { ART_SET_IDS, iconSvg } from './artsets.ts';
import { iconSprite, opaqueBounds } from './sprites.ts';

test('at least 150 object classes with distinct ids and nouns', () => {
  assert.ok(OBJECT_CLASSES.length >= 150, `${OBJECT_CLASSES.length} classes`);
  assert.equal(new Set(OBJECT_CLASSES.map((c) => c.id)).size, OBJECT_CLASSES.length);
  assert.equal(new Set(OBJECT_CLASSES.map((c) => c.noun)).size, OBJECT_CLASSES.length);
  const colourWords = /\b(red|orange|yellow|green|blue|purple|pink|brown|black|white|gray|grey)\b/;
  for (const c of OBJECT_CLASSES) assert.ok(!colourWords.test(c.noun), `noun "${c.noun}" contains a colour word`);
});

test('every class is drawn by every art set (apart from the listed resvg failures) and is visible', () => {
  for (const set of ART_SET_IDS) {
    for (const c of OBJECT_CLASSES) {
      assert.ok(iconSvg(set, c.icon).startsWith('<svg'));
      if (!canRender(set, c.id)) continue;
      const s = iconSprite(set, c.icon, 24, null);
      const b = opaqueBounds(s, 128);
      assert.ok(b && b.width * b.height >= 20, `${set}/${c.icon} renders (almost) nothing`);
    }
  }
  assert.ok(UNRENDERABLE.size <= 4);
});

test('an unknown icon is reported with its package', () => {
  assert.throws(() => iconSvg('noto', 'no-such-icon'), /no-such-icon.*@iconify-json\/noto/);
});
