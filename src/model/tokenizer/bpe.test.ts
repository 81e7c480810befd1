import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../../at.ts';
import { BpeModel, MinHeap } from './bpe.ts';
import { BYTE_TO_CHAR } from './byteLevel.ts';
import { mulberry32 } from './fixtures.ts';

function byteVocab(extra: string[]): Record<string, number> {
  const vocab: Record<string, number> = {};
  BYTE_TO_CHAR.forEach((c, b) => (vocab[c] = b));
  extra.forEach((t, i) => (vocab[t] = 256 + i));
  return vocab;
}

const encode = (model: BpeModel, piece: string): string[] => {
  const ids: number[] = [];
  model.encodePiece(piece, ids);
  return ids.map((id) => model.idToToken[id]!);
};

test('merges apply by rank, not by position', () => {
  const model = new BpeModel(byteVocab(['bc', 'ab', 'abc']), [['b', 'c'], ['a', 'b'], ['a', 'bc']]);
  assert.deepEqual(encode(model, 'abc'), ['abc']); // bc (rank 0) first, then a+bc
  assert.deepEqual(encode(model, 'abd'), ['ab', 'd']);
});

test('a repeated pair merges leftmost first', () => {
  const model = new BpeModel(byteVocab(['aa']), [['a', 'a']]);
  assert.deepEqual(encode(model, 'aaa'), ['aa', 'a']);
  assert.deepEqual(encode(model, 'aaaaa'), ['aa', 'aa', 'a']);
});

test('the scan and heap merge paths agree', () => {
  const rand = mulberry32(3);
  const letters = ['a', 'b', 'c', 'Ġ'];
  const extra = new Set<string>();
  const merges: [string, string][] = [];
  // Random merges over a small alphabet, each combining existing tokens, as a trainer would.
  const tokens = [...letters];
  while (merges.length < 60) {
    const x = at(tokens, Math.floor(rand() * tokens.length), 'tokens');
    const y = at(tokens, Math.floor(rand() * tokens.length), 'tokens');
    if (extra.has(x + y) || letters.includes(x + y)) continue;
    extra.add(x + y);
    tokens.push(x + y);
    merges.push([x, y]);
  }
  const model = new BpeModel(byteVocab([...extra]), merges);
  const toSymbols = (s: string): Int32Array => Int32Array.from(s, (ch) => model.tokenToId.get(ch)!);
  for (let i = 0; i < 300; i++) {
    const len = 1 + Math.floor(rand() * 80);
    const word = Array.from({ length: len }, () => letters[Math.floor(rand() * 4)]).join('');
    assert.deepEqual(model.mergeByScan(toSymbols(word)), model.mergeByHeap(toSymbols(word)), word);
  }
});

test('a merge whose tokens are missing from the vocab is refused', () => {
  assert.throws(() => new BpeModel(byteVocab([]), [['a', 'b']]), /merge 0 \["a", "b"\] uses "ab", which is not in the vocab/);
  const noBytes = { a: 0 };
  assert.throws(() => new BpeModel(noBytes, []), /vocab lacks the token for byte 0x00/);
});

test('MinHeap pops in ascending order', () => {
  const rand = mulberry32(9);
  const heap = new MinHeap();
  const values = Array.from({ length: 500 }, () => Math.floor(rand() * 1e9));
  values.forEach((v) => heap.push(v));
  const out: number[] = [];
  while (heap.size > 0) out.push(heap.pop());
  assert.deepEqual(out, [...values].sort((a, b) => a - b));
});
