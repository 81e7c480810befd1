// Every obfuscation technique the issue names is undone by the normaliser and then caught by the
// filter: case, spacing and punctuation between letters, leetspeak, homoglyphs, zero-width
// characters, accents (plus full-width forms, masking and repeated letters).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { COMBOS, LEXICON, STRONG_MINOR } from './lexicon.ts';
import { LexicalMatcher } from './matcher.ts';
import { foldCharacters, normalizeFully, normalizePrompt } from './normalize.ts';
import { PromptFilter } from './prompt-filter.ts';

const matcher = new LexicalMatcher();
const words = (s: string) => matcher.normalize(s).text;
const filter = new PromptFilter();

describe('normalisation', () => {
  const cases: Array<[technique: string, input: string, expected: string]> = [
    ['case', 'A NuDe Woman', 'a nude woman'],
    ['spaced letters', 'a n u d e woman', 'a nude woman'],
    ['punctuation between letters', 'a n.u.d.e woman', 'a nude woman'],
    ['dashes and underscores', 'a n-u-d-e / n_u_d_e woman', 'a nude nude woman'],
    ['leetspeak', 'a nud3 w0m4n 5h0w1n9 n1ppl35', 'a nude woman showing nipples'],
    ['ambiguous leet resolved by the lexicon', 'k1ll', 'kill'],
    ['symbol leet', '@$$ and pr0n', 'ass and pron'],
    ['Cyrillic homoglyphs', 'а пudе wоmаn', 'a nude woman'],
    ['Greek homoglyphs', 'ηυdε', 'nude'],
    ['zero-width characters', 'a nu\u200bd\u200de wo\u2060man\ufeff', 'a nude woman'],
    ['accents', 'a ñúdé wömân', 'a nude woman'],
    ['combining marks', 'n\u0301u\u0308de', 'nude'],
    ['full-width forms', 'ａ ｎｕｄｅ ｗｏｍａｎ', 'a nude woman'],
    ['mathematical alphanumerics', '𝐧𝐮𝐝𝐞', 'nude'],
    ['masked vowel', 'p*rn', 'porn'],
    ['numbers stay numbers', 'a 1990s car in 4k, 12yo', 'a 1990 s car in 4 k 12 yo'],
  ];
  for (const [technique, input, expected] of cases) {
    test(technique, () => assert.equal(words(input), expected));
  }

  test('repeated letters share a key with the lexicon word', () => {
    const t = normalizePrompt('nuuuuude').tokens[0]!;
    assert.equal(t.key, 'nude');
  });

  test('bidi controls and soft hyphens are removed before anything else', () => {
    assert.equal(foldCharacters('nu\u00adde\u202e'), 'nude');
  });
});

describe('every obfuscation technique is caught by the filter', () => {
  const disguised: Array<[string, string]> = [
    ['case', 'a PoRnOgRaPhIc scene'],
    ['spacing', 'a p o r n o g r a p h i c scene'],
    ['punctuation', 'a p.o.r.n.o.g.r.a.p.h.i.c scene'],
    ['leetspeak', 'a p0rn0gr4ph1c scene'],
    ['homoglyphs', 'a рогnоgгарhіс scene'],
    ['zero-width', 'a porno\u200bgraphic scene'],
    ['accents', 'a pörnögráphíc scene'],
    ['full-width', 'ａ ｐｏｒｎｏｇｒａｐｈｉｃ scene'],
    ['masking', 'a p*rnographic scene'],
    ['repeats', 'a pooornographic scene'],
  ];
  for (const [technique, text] of disguised) {
    test(technique, () => {
      const d = filter.check(text);
      assert.equal(d.allowed, false, `${technique}: ${JSON.stringify(d)}`);
      assert.equal(d.category, 'sexual');
    });
  }

  test('spaced-out names inside a run of letters', () => {
    assert.equal(filter.check('t a y l o r s w i f t at a concert').category, 'public_figures');
    assert.equal(filter.check('t a y l o r s w i f t at a concert').allowed, false);
  });
});

describe('the shortcut for plain text', () => {
  // normalizePrompt returns plain lower-case words as they are; the lexicons are compiled through
  // it at start-up, so for every phrase and context word it must give what the full path gives.
  const texts = [
    ...LEXICON.flatMap((e) => [e.phrase.replace(/\*$/, ''), ...(e.unless ?? [])]),
    ...[...COMBOS.flatMap((r) => r.classes), STRONG_MINOR].flatMap((c) => [...c.phrases.map((p) => p.replace(/\*$/, '')), ...(c.unless ?? [])]),
  ];

  test('gives the full path\'s tokens for every lexicon phrase, class phrase and context word', () => {
    let plain = 0;
    for (const text of texts) {
      for (const known of [undefined, matcher.knownWord]) assert.deepEqual(normalizePrompt(text, known), normalizeFully(text, known), text);
      if (/^[a-z]+(?: [a-z]+)*$/.test(text)) plain++;
    }
    // Nearly all of them take the shortcut, so the comparison above is about it.
    assert.ok(plain > 0.95 * texts.length, `${plain} of ${texts.length} phrases are plain`);
  });

  test('spelled-out letters, repeats, numbers and stray spaces still take the full path', () => {
    for (const text of ['s e x', 'a n u d e woman', 'a b', 'x y z w', 'nuuuude', 'bloody mess', 'a red apple on a blue background', 'r18', 'two  spaces', ' leading', 'trailing ', '', 'Capital', 'naïve']) {
      assert.deepEqual(normalizePrompt(text, matcher.knownWord), normalizeFully(text, matcher.knownWord), text);
    }
    assert.equal(normalizePrompt('s e x').text, 'sex');
    assert.equal(normalizePrompt('nuuuude').tokens[0]!.key, 'nude');
  });
});
