import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCaptions, trainBpeFromFiles } from './corpus.ts';
import { generateCaptions } from './fixtures.ts';
import { trainBpe } from './train.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowpaint-corpus-'));
const captions = generateCaptions(1500, 6);

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test('a text file gives one caption per non-empty line', async () => {
  const path = join(dir, 'captions.txt');
  writeFileSync(path, 'a red apple\r\n\n  \nä blue cat 🐱\n');
  assert.deepEqual(await collect(readCaptions(path)), ['a red apple', 'ä blue cat 🐱']);
});

test('JSONL gives the caption field, or the field asked for', async () => {
  const path = join(dir, 'manifest.jsonl');
  writeFileSync(path, ['{"image":"1.png","caption":"a red apple"}', '', '{"text":"a cat"}', '"a bare string"'].join('\n'));
  assert.deepEqual(await collect(readCaptions(path)), ['a red apple', 'a cat', 'a bare string']);
  const custom = join(dir, 'custom.jsonl');
  writeFileSync(custom, '{"alt":"a dog","caption":"ignored"}\n');
  assert.deepEqual(await collect(readCaptions(custom, { field: 'alt' })), ['a dog']);
});

test('bad JSONL lines are errors that name the file and line', async () => {
  const path = join(dir, 'bad.jsonl');
  writeFileSync(path, '{"caption":"ok"}\n{"caption": 3}\n');
  await assert.rejects(collect(readCaptions(path)), { name: 'InputError', message: `${path}:2: field "caption" is number, not a string` });
  writeFileSync(path, '{"caption":"ok"}\n{oops\n');
  await assert.rejects(collect(readCaptions(path)), { message: new RegExp(`^${path}:2: not valid JSON`) });
  writeFileSync(path, '{"image":"x.png"}\n');
  await assert.rejects(collect(readCaptions(path)), { message: `${path}:1: no "caption" or "text" or "prompt" field` });
});

test('training from files equals training from the same strings', async () => {
  const txt = join(dir, 'part1.txt');
  const jsonl = join(dir, 'part2.jsonl');
  writeFileSync(txt, captions.slice(0, 700).join('\n') + '\n');
  writeFileSync(jsonl, captions.slice(700).map((caption) => JSON.stringify({ caption })).join('\n') + '\n');
  const fromFiles = await trainBpeFromFiles([txt, jsonl], { vocabSize: 500 });
  assert.equal(fromFiles.serialize(), trainBpe(captions, { vocabSize: 500 }).serialize());
});

test('training from an empty file is an error', async () => {
  const empty = join(dir, 'empty.txt');
  writeFileSync(empty, '\n\n');
  await assert.rejects(trainBpeFromFiles(empty, { vocabSize: 300 }), { message: `no captions found in ${empty}` });
});
