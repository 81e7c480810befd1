import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BYTE_TO_CHAR, bytesToTokenString, charToByte, pretokenize, tokenStringToBytes, utf8Bytes } from './byteLevel.ts';
import { randomUnicodeTexts, VARIED_TEXTS } from './fixtures.ts';

test('the byte table is the GPT-2 one: 256 distinct printable characters', () => {
  assert.equal(new Set(BYTE_TO_CHAR).size, 256);
  assert.equal(BYTE_TO_CHAR[0x20], 'Ġ'); // space
  assert.equal(BYTE_TO_CHAR[0x0a], 'Ċ'); // newline
  assert.equal(BYTE_TO_CHAR[0x00], 'Ā');
  assert.equal(BYTE_TO_CHAR[0xad], 'Ń'); // soft hyphen, the last byte moved
  assert.equal(BYTE_TO_CHAR[0x41], 'A');
  assert.equal(BYTE_TO_CHAR[0xe9], 'é');
  assert.equal(BYTE_TO_CHAR.length, 256);
  BYTE_TO_CHAR.forEach((ch, b) => assert.equal(charToByte(ch), b));
  assert.equal(charToByte('→'), -1);
  assert.equal(charToByte(' '), -1);
});

test('byte strings round-trip through the token alphabet', () => {
  const bytes = utf8Bytes('héllo 👋\n');
  const token = bytesToTokenString(bytes);
  assert.equal(token, 'hÃ©lloĠðŁĳĭĊ');
  assert.deepEqual(tokenStringToBytes(token), bytes);
  assert.equal(tokenStringToBytes('<pad>→'), null);
});

test('pre-tokens cover the text exactly', () => {
  for (const text of [...VARIED_TEXTS, ...randomUnicodeTexts(200, 5)]) {
    assert.equal(pretokenize(text).join(''), text);
  }
});

test('pre-tokens follow the GPT-2 split rules', () => {
  assert.deepEqual(pretokenize("I'm here, it's 2024!!  Ok"), ['I', "'m", ' here', ',', ' it', "'s", ' 2024', '!!', ' ', ' Ok']);
  assert.deepEqual(pretokenize('a   b\n\nc '), ['a', '  ', ' b', '\n', '\n', 'c', ' ']);
  assert.deepEqual(pretokenize('東京タワー'), ['東京タワー']);
  assert.deepEqual(pretokenize(' 👍🏽x'), [' 👍🏽', 'x']);
  assert.deepEqual(pretokenize('x', true), [' x']);
  assert.deepEqual(pretokenize(''), []);
});

test('whitespace is Unicode White_Space, as in the reference (not JavaScript \\s)', () => {
  // Checked against Hugging Face tokenizers 0.23.3 (Rust/Oniguruma): U+0085 is
  // whitespace (split off like any space before a word), U+FEFF is not, so " \uFEFF"
  // is a space-led punctuation pre-token.
  assert.deepEqual(pretokenize('a \u0085b'), ['a', ' ', '\u0085', 'b']);
  assert.deepEqual(pretokenize(' \uFEFFu'), [' \uFEFF', 'u']);
});
