import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateCaptions } from './fixtures.ts';
import { InputError } from './errors.ts';
import { encodePrompt, MAX_PROMPT_TOKENS } from './prompt.ts';
import { trainBpe } from './train.ts';

// No merges: one token per byte, so token counts are easy to build exactly.
const bytesOnly = trainBpe([], { vocabSize: 260 });
const captions = trainBpe(generateCaptions(2000, 1), { vocabSize: 800 });

test('the limit is 32,768 tokens', () => {
  assert.equal(MAX_PROMPT_TOKENS, 32768);
  assert.equal(encodePrompt(bytesOnly, 'a'.repeat(32768)).length, 32768);
});

test('32,769 tokens is an InputError that states the count and the limit', () => {
  assert.throws(() => encodePrompt(bytesOnly, 'a'.repeat(32769)), (err: Error) => {
    assert.ok(err instanceof InputError);
    assert.equal(err.name, 'InputError');
    assert.equal(err.message, 'prompt is 32,769 tokens; the limit is 32,768');
    return true;
  });
});

test('the limit counts tokens, not characters', () => {
  // A long caption prompt: far more than 32,768 characters, within the limit in tokens.
  let text = '';
  for (const c of generateCaptions(1500, 2)) text += c + ' ';
  assert.ok(text.length > MAX_PROMPT_TOKENS);
  const ids = encodePrompt(captions, text);
  assert.ok(ids.length <= MAX_PROMPT_TOKENS);
  assert.equal(captions.decode(ids), text);
});

test('bos/eos framing does not count toward the limit', () => {
  const ids = encodePrompt(bytesOnly, 'a'.repeat(32768), { addBos: true, addEos: true });
  assert.equal(ids.length, 32770);
  assert.equal(ids[0], bytesOnly.bosId);
  assert.equal(ids[32769], bytesOnly.eosId);
});

test('a config may lower the limit but not raise it', () => {
  assert.throws(() => encodePrompt(bytesOnly, 'abcde', { maxTokens: 4 }), { message: 'prompt is 5 tokens; the limit is 4' });
  assert.throws(() => encodePrompt(bytesOnly, 'a'.repeat(32769), { maxTokens: 100000 }), { message: /the limit is 32,768$/ });
});

test('an empty prompt is an InputError', () => {
  assert.throws(() => encodePrompt(captions, ''), { name: 'InputError', message: 'prompt is empty' });
  assert.throws(() => encodePrompt(captions, ' \n\t'), { name: 'InputError', message: 'prompt is empty (it has only whitespace)' });
});

test('special-token text in a prompt stays text', () => {
  const ids = encodePrompt(captions, 'a cat<eos><pad>', { addEos: true });
  assert.equal(ids.filter((id) => id === captions.eosId).length, 1);
  assert.ok(!ids.includes(captions.padId));
  assert.equal(captions.decode(ids), 'a cat<eos><pad><eos>');
});
