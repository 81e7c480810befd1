import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utf8Bytes } from './byteLevel.ts';
import { generateCaptions, randomUnicodeTexts, VARIED_TEXTS } from './fixtures.ts';
import { trainBpe, WordCounts, trainBpeFromCounts } from './train.ts';

const captions = generateCaptions(6000, 1);
const heldOut = generateCaptions(500, 2);

test('merges learned from captions compress held-out captions by more than 3.5 bytes per token', () => {
  const tok = trainBpe(captions, { vocabSize: 4096 });
  let bytes = 0;
  let tokens = 0;
  for (const c of heldOut) {
    bytes += utf8Bytes(c).length;
    tokens += tok.encode(c).length;
  }
  // Measured 4.4 bytes/token on this corpus; a byte-level tokenizer without merges gives 1.0.
  assert.ok(bytes / tokens > 3.5, `only ${(bytes / tokens).toFixed(2)} bytes per token`);
  // Common caption words are single tokens.
  for (const w of [' apple', ' background', ' left', ' the']) assert.equal(tok.encode(w).length, 1, w);
});

test('the vocabulary has the special tokens first, then the 256 bytes, then merges', () => {
  const tok = trainBpe(captions, { vocabSize: 500 });
  assert.equal(tok.vocabSize, 500);
  assert.deepEqual([tok.padId, tok.bosId, tok.eosId, tok.unkId], [0, 1, 2, 3]);
  assert.deepEqual(tok.specialIds, [0, 1, 2, 3]);
  assert.equal(tok.idToToken(4), 'Ā'); // byte 0x00
  assert.equal(tok.idToToken(4 + 0x20), 'Ġ');
  assert.equal(tok.mergeCount, 500 - 260);
});

test('training stops below minFrequency even if the vocabulary has room', () => {
  const tok = trainBpe(['abcd abcd', 'xyz'], { vocabSize: 1000, minFrequency: 2 });
  // Pairs seen twice: a b, b c, c d, Ġ a ... Pairs from "xyz" (seen once) are not merged.
  assert.equal(tok.encode('xyz').length, 3);
  assert.equal(tok.encode('abcd').length, 1);
  const all = trainBpe(['abcd abcd', 'xyz'], { vocabSize: 1000, minFrequency: 1 });
  assert.equal(all.encode('xyz').length, 1);
});

test('the same corpus gives a byte-identical tokenizer.json, whatever the text order', () => {
  const a = trainBpe(captions, { vocabSize: 800 }).serialize();
  const b = trainBpe(captions, { vocabSize: 800 }).serialize();
  const reversed = trainBpe([...captions].reverse(), { vocabSize: 800 }).serialize();
  assert.equal(a, b);
  assert.equal(a, reversed);
});

test('custom special tokens take the first ids', () => {
  const tok = trainBpe(captions.slice(0, 100), { vocabSize: 300, specialTokens: ['<pad>', '<bos>', '<eos>', '<unk>', '<mask>'] });
  assert.equal(tok.tokenToId('<mask>'), 4);
  assert.equal(tok.tokenToId('Ā'), 5);
  assert.throws(() => trainBpe(['x'], { vocabSize: 300, specialTokens: ['<a>', '<a>'] }), /"<a>" is given twice/);
  assert.throws(() => trainBpe(['x'], { vocabSize: 300, specialTokens: ['A'] }), /"A" is given twice/);
});

test('a vocabulary too small for the bytes is an error that says the minimum', () => {
  assert.throws(() => trainBpe(captions, { vocabSize: 100 }), /vocabSize 100 is smaller than the 260 tokens it must hold/);
});

test('training continues from a base tokenizer, keeping its ids and merges', () => {
  const base = trainBpe(captions, { vocabSize: 600 });
  const userData = ['a watercolor painting of a lighthouse at dusk', 'watercolor sketch of boats in a harbor', 'a watercolor of a fox'];
  const extended = trainBpe(userData, { vocabSize: 700, base });
  const baseJson = base.toJSON();
  const extJson = extended.toJSON();
  assert.deepEqual(extJson.model.merges.slice(0, baseJson.model.merges.length), baseJson.model.merges);
  for (const [token, id] of Object.entries(baseJson.model.vocab)) assert.equal(extJson.model.vocab[token], id, token);
  assert.deepEqual(extJson.added_tokens, baseJson.added_tokens);
  assert.ok(extended.encode(' watercolor').length < base.encode(' watercolor').length);
  // Text the new merges do not touch encodes as before.
  const [text] = heldOut;
  assert.ok(text !== undefined, 'a held-out caption');
  assert.deepEqual(extended.encode(text), base.encode(text));
});

test('words counted incrementally train the same tokenizer', () => {
  const counts = new WordCounts();
  for (const c of captions.slice(0, 1000)) counts.add(c);
  assert.equal(counts.texts, 1000);
  assert.equal(
    trainBpeFromCounts(counts, { vocabSize: 400 }).serialize(),
    trainBpe(captions.slice(0, 1000), { vocabSize: 400 }).serialize(),
  );
});

test('training on arbitrary unicode gives a tokenizer that round-trips it', () => {
  const texts = [...VARIED_TEXTS, ...randomUnicodeTexts(300, 4)];
  const tok = trainBpe(texts, { vocabSize: 1200, minFrequency: 1 });
  for (const t of texts) assert.equal(tok.decode(tok.encode(t)), t);
});
