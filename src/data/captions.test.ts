import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeScene } from './compose.ts';
import { wordCount } from './captions.ts';
import { NUMBER_WORDS } from './phrases.ts';

test('every scene gets short, medium and a long paragraph of 100+ words', () => {
  for (let seed = 0; seed < 60; seed++) {
    const { captions } = composeScene(seed, { width: 128, height: seed % 2 ? 128 : 256 });
    assert.ok(wordCount(captions.short) >= 3 && wordCount(captions.short) <= 45, captions.short);
    assert.ok(wordCount(captions.medium) > wordCount(captions.short), `medium not longer: ${captions.medium}`);
    assert.ok(wordCount(captions.long) >= 100, `seed ${seed}: long caption has ${wordCount(captions.long)} words`);
    assert.ok(captions.all.includes(captions.short) && captions.all.includes(captions.medium) && captions.all.includes(captions.long));
    assert.ok(new Set(captions.all).size >= 5, 'phrasings should differ');
  }
});

test('captions state what the scene holds: colours, counts, positions, background, lettering', () => {
  for (let seed = 0; seed < 60; seed++) {
    const { scene, captions } = composeScene(seed, { width: 128, height: 128 });
    const bg = scene.background;
    const bgWords = bg.kind === 'solid' ? [bg.color] : [bg.from, bg.to];
    for (const w of bgWords) {
      assert.ok(captions.short.includes(w), `short caption misses background ${w}: ${captions.short}`);
      assert.ok(captions.long.includes(w));
    }
    for (const o of scene.objects) {
      const noun = o.count === 1 ? o.noun : o.plural;
      assert.ok(captions.short.includes(noun), `short misses ${noun}: ${captions.short}`);
      if (o.count > 1) assert.ok(captions.short.includes(`${NUMBER_WORDS[o.count]} `), `short misses count ${o.count}`);
      if (o.color) assert.ok(captions.short.includes(`${o.color} `), `short misses colour ${o.color}: ${captions.short}`);
      assert.ok(captions.long.includes(o.style), 'long caption names the style');
      const [row, col] = o.position.split(' ');
      const mentionsPlace = [row, col].some((w) => w !== 'middle' && w !== 'center' && captions.medium.includes(w!)) || /center|middle/.test(captions.medium);
      assert.ok(mentionsPlace, `medium misses position of ${noun}: ${captions.medium}`);
    }
    for (const t of scene.texts) {
      for (const c of [captions.short, captions.medium, captions.long]) assert.ok(c.includes(`"${t.text}"`), `caption misses lettering ${t.text}`);
    }
  }
});

test('captions are a pure function of the scene', () => {
  const a = composeScene(11, { width: 128, height: 128 });
  const b = composeScene(11, { width: 128, height: 128 });
  assert.deepEqual(a.captions, b.captions);
});

test('relations in captions match the grid', () => {
  let seen = 0;
  for (let seed = 0; seed < 80; seed++) {
    const { scene, captions } = composeScene(seed, { width: 128, height: 128 });
    const m = /^(?:.*?\. )?The (.+?) (?:is|are) to the (left|right) of the (.+?)\./.exec(captions.medium);
    if (!m) continue;
    const find = (ref: string) => scene.objects.find((o) => ref.endsWith(o.count === 1 ? o.noun : o.plural));
    const a = find(m[1]!);
    const b = find(m[3]!);
    assert.ok(a && b, `could not resolve ${m[1]} / ${m[3]}`);
    if (m[2] === 'left') assert.ok(a.col < b.col, captions.medium);
    else assert.ok(a.col > b.col, captions.medium);
    seen++;
  }
  assert.ok(seen >= 5);
});
