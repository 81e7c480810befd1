// The chat tokenizer's two per-pipeline choices, on the klein parity folder's tokenizer: the chat
// template with thinking off (klein: an empty think block) or on (Z-Image: none), and padding on
// the side tokenizer_config.json names (the exact ids against transformers are in the parity tests).
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ChatTokenizer } from './tokenizer.ts';

const dir = new URL('../flux2/testdata/klein-tiny/tokenizer', import.meta.url).pathname;

test('enable_thinking: off renders the empty think block after the assistant turn, on renders none', () => {
  const off = ChatTokenizer.open(dir, { enableThinking: false }).chatText('a cat');
  const on = ChatTokenizer.open(dir, { enableThinking: true }).chatText('a cat');
  assert.ok(off.endsWith('<|im_start|>assistant\n<think>\n\n</think>\n\n'), JSON.stringify(off));
  assert.ok(on.endsWith('<|im_start|>assistant\n'), JSON.stringify(on));
});

test('prompts are padded on the right by default and on the left when tokenizer_config.json says so; a bad side is named', () => {
  const right = ChatTokenizer.open(dir, { enableThinking: true }).encodePrompt('a cat', 24);
  const copy = mkdtempSync(join(tmpdir(), 'chat-tokenizer-'));
  cpSync(dir, copy, { recursive: true });
  const cfgFile = join(copy, 'tokenizer_config.json');
  const cfg = JSON.parse(readFileSync(cfgFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(cfgFile, JSON.stringify({ ...cfg, padding_side: 'left' }));
  const left = ChatTokenizer.open(copy, { enableThinking: true }).encodePrompt('a cat', 24);
  const n = right.mask.reduce((a, b) => a + b, 0);
  assert.ok(n > 0 && n < 24);
  assert.deepEqual(left.ids, [...right.ids.slice(n), ...right.ids.slice(0, n)]);
  assert.deepEqual(left.mask, [...right.mask.slice(n), ...right.mask.slice(0, n)]);
  writeFileSync(cfgFile, JSON.stringify({ ...cfg, padding_side: 'middle' }));
  assert.throws(() => ChatTokenizer.open(copy, { enableThinking: true }), /tokenizer_config\.json: padding_side must be "left" or "right", got "middle"/);
});
