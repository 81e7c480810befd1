import { test } from 'node:test';
import assert from 'node:assert/strict';
import { placeAsUnplaced } from './default-placement.ts';
import { specForSeed } from './compose.ts';
import type { ObjectSpec, SceneSpec } from './scene.ts';

const object = (classId: string, row: 0 | 1 | 2, col: 0 | 1 | 2): ObjectSpec => ({
  classId, artSet: 'twemoji', color: null, count: 1, size: 'large', row, col, jitter: [0.3, -0.2],
});
const scene = (objects: ObjectSpec[], texts: SceneSpec['texts'] = []): SceneSpec => ({
  background: { kind: 'solid', color: 'blue' }, objects, texts, blur: null,
});

test('an unplaced prompt puts one group in the centre and more across the middle row, in the order named', () => {
  const one = placeAsUnplaced(scene([object('apple', 0, 2)]), 128, 128)!;
  assert.deepEqual(one.objects.map((o) => [o.row, o.col]), [[1, 1]]);
  const two = placeAsUnplaced(scene([object('cat', 2, 2), object('apple', 0, 0)]), 128, 128)!;
  assert.deepEqual(two.objects.map((o) => [o.classId, o.row, o.col]), [['cat', 1, 0], ['apple', 1, 2]]);
  const three = placeAsUnplaced(scene([object('cat', 0, 0), object('apple', 0, 1), object('car', 0, 2)]), 128, 128)!;
  assert.deepEqual(three.objects.map((o) => o.col), [0, 1, 2]);
});

test('moving keeps everything but the places, and lettering goes below the objects', () => {
  const sign = { kind: 'sign' as const, text: 'OPEN', plateColor: 'white' as const, textColor: 'black' as const, row: 0 as const, col: null };
  const spec = scene([{ ...object('cat', 0, 1), color: 'red', count: 3, size: 'small' }], [sign]);
  const moved = placeAsUnplaced(spec, 128, 128)!;
  assert.deepEqual({ ...moved.objects[0], row: 0, col: 1 }, spec.objects[0]);
  assert.deepEqual(moved.texts, [{ ...sign, row: 2 }]);
  assert.deepEqual(spec.objects[0]!.row, 0, 'the input spec is left as it was');
});

test('a scene with no unplaced arrangement is declined rather than squeezed', () => {
  const four = [object('cat', 0, 0), object('apple', 0, 1), object('car', 0, 2), object('fish', 2, 0)];
  assert.equal(placeAsUnplaced(scene(four), 128, 128), null);
});

test('every moved scene can still be laid out: no two items share a cell', () => {
  for (let seed = 0; seed < 200; seed++) {
    const spec = specForSeed(seed, 'train', { size: { width: 128, height: 128 } });
    const moved = placeAsUnplaced(spec, 128, 128);
    if (!moved) continue;
    const cells = moved.objects.map((o) => o.row * 3 + o.col);
    for (const t of moved.texts) cells.push(...(t.col === null ? [6, 7, 8] : [6 + t.col]));
    assert.equal(new Set(cells).size, cells.length, `seed ${seed}: ${JSON.stringify(cells)}`);
  }
});
