import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wordCoverage } from './lettering.ts';
import { WORDS } from './words.ts';

test('the word list: at least 500 distinct uppercase words of up to 8 letters', () => {
  assert.ok(WORDS.length >= 500);
  assert.equal(new Set(WORDS).size, WORDS.length);
  for (const w of WORDS) assert.match(w, /^[A-Z]{1,8}$/);
});

test('a word fits its box and has ink for every letter', () => {
  for (const [w, mw, mh] of [['HELLO', 200, 40], ['WIZARD', 60, 30], ['I', 50, 50], ['MMMMMMMM', 64, 20]] as const) {
    const cov = wordCoverage(w, mw, mh)!;
    assert.ok(cov.width <= mw && cov.height <= mh, `${w}: ${cov.width}x${cov.height} > ${mw}x${mh}`);
    // Columns with ink come in one run per letter (Anton's letters do not touch at these sizes).
    let runs = 0;
    let prev = false;
    for (let x = 0; x < cov.width; x++) {
      let ink = false;
      for (let y = 0; y < cov.height; y++) if (cov.data[y * cov.width + x]! > 64) ink = true;
      if (ink && !prev) runs++;
      prev = ink;
    }
    assert.equal(runs, w.length, `${w}: ${runs} ink runs`);
  }
});

test('longer words are smaller in the same box; impossible boxes give null', () => {
  const a = wordCoverage('GO', 80, 40)!;
  const b = wordCoverage('ELEPHANT', 80, 40)!;
  assert.ok(b.height < a.height);
  assert.equal(wordCoverage('HELLO', 6, 3), null);
  assert.throws(() => wordCoverage('hello', 50, 20), /A–Z/);
});
