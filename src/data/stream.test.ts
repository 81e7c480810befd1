import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SceneStream, type TrainingSample } from './stream.ts';
import { aspectBuckets } from './buckets.ts';
import { captionScene } from './captions.ts';

function digest(s: TrainingSample): string {
  const h = createHash('sha256');
  if (s.kind === 't2i') h.update(s.image.data).update(s.caption);
  else h.update(s.source.data).update(s.target.data).update(s.mask.data).update(s.instruction);
  return `${s.kind}:${h.digest('hex')}`;
}

test('a stream resumed at a saved position yields exactly the samples that follow', () => {
  const opts = { seed: 99, buckets: aspectBuckets(96 * 96), editFraction: 0.4, batchSize: 4 };
  const a = new SceneStream(opts);
  for (let i = 0; i < 10; i++) a.next();
  const saved = a.position();
  assert.equal(saved, 10);
  const rest = Array.from({ length: 8 }, () => digest(a.next()));
  const b = new SceneStream(opts);
  b.seek(saved);
  assert.deepEqual(Array.from({ length: 8 }, () => digest(b.next())), rest);
  // A different seed is a different stream.
  const c = new SceneStream({ ...opts, seed: 100 });
  c.seek(saved);
  assert.notDeepEqual(Array.from({ length: 8 }, () => digest(c.next())), rest);
});

test('batches share one bucket; buckets and kinds both vary', () => {
  const s = new SceneStream({ seed: 5, buckets: aspectBuckets(96 * 96), editFraction: 0.5, batchSize: 3 });
  const sizes = new Set<string>();
  const kinds = new Set<string>();
  for (let b = 0; b < 12; b++) {
    const batch = s.nextBatch();
    assert.equal(batch.length, 3);
    const dims = batch.map((x) => (x.kind === 't2i' ? `${x.image.width}x${x.image.height}` : `${x.source.width}x${x.source.height}`));
    assert.equal(new Set(dims).size, 1, `batch ${b} mixes sizes ${dims}`);
    sizes.add(dims[0]!);
    for (const x of batch) kinds.add(x.kind);
  }
  assert.ok(sizes.size > 1);
  assert.deepEqual([...kinds].sort(), ['edit', 't2i']);
  assert.equal(s.position(), 36);
});

test('a batch is all long descriptions or all shorter phrasings, long ones in about one batch of seven', () => {
  // A batch pays for its longest prompt in the text encoder, so long descriptions come together.
  const s = new SceneStream({ seed: 8, editFraction: 0, buckets: [{ width: 64, height: 64 }], batchSize: 4 });
  let longBatches = 0;
  const batches = 70;
  for (let b = 0; b < batches; b++) {
    const long = s.nextBatch().map((x) => x.kind === 't2i' && x.caption === captionScene(x.scene).long);
    assert.equal(new Set(long).size, 1, `batch ${b} mixes long descriptions with shorter phrasings: ${long.join(', ')}`);
    if (long[0]) longBatches++;
  }
  assert.ok(longBatches >= 4 && longBatches <= 20, `${longBatches} of ${batches} batches were long`);
});

test('editFraction 0 gives only text-to-image samples with a caption', () => {
  const s = new SceneStream({ seed: 1, editFraction: 0, buckets: [{ width: 64, height: 64 }] });
  for (let i = 0; i < 20; i++) {
    const x = s.next();
    assert.equal(x.kind, 't2i');
    if (x.kind === 't2i') assert.ok(x.caption.length > 0);
  }
});

test('bad options are refused by name', () => {
  assert.throws(() => new SceneStream({ seed: 1, buckets: [] }), /at least one bucket/);
  assert.throws(() => new SceneStream({ seed: 1, editFraction: 2 }), /editFraction/);
  assert.throws(() => new SceneStream({ seed: 1, buckets: [{ width: 100, height: 64 }] }), /multiple of 16/);
  assert.throws(() => new SceneStream({ seed: 1 }).seek(-1), /position/);
});

test('artSets limits where objects come from, in scenes and in edits', () => {
  const s = new SceneStream({ seed: 8, editFraction: 0.5, buckets: [{ width: 64, height: 64 }], scope: { artSets: ['noto', 'fluent-emoji-flat'] } });
  const seen = new Set<string>();
  for (let i = 0; i < 60; i++) {
    const x = s.next();
    const scenes = x.kind === 't2i' ? [x.scene] : [x.sourceScene, x.targetScene];
    for (const sc of scenes) for (const o of sc.objects) seen.add(o.artSet);
  }
  assert.deepEqual([...seen].sort(), ['fluent-emoji-flat', 'noto']);
  assert.throws(() => new SceneStream({ seed: 1, scope: { artSets: [] } }), /at least one art set/);
});

test('a scope narrows classes, crowding, lettering and backgrounds, in scenes and in edits', () => {
  const scope = { classes: ['apple', 'cat', 'tree'], maxObjects: 2, maxCount: 1, textChance: 0, solidChance: 1, sizes: ['large' as const] };
  const s = new SceneStream({ seed: 5, editFraction: 0.3, buckets: [{ width: 96, height: 96 }], scope });
  for (let i = 0; i < 80; i++) {
    const x = s.next();
    if (x.kind === 't2i') {
      assert.ok(x.scene.objects.length >= 1 && x.scene.objects.length <= 2, `sample ${i}: ${x.scene.objects.length} groups`);
      assert.equal(x.scene.texts.length, 0, `sample ${i} has lettering`);
      assert.equal(x.scene.background.kind, 'solid');
      for (const o of x.scene.objects) {
        assert.equal(o.size, 'large');
        assert.equal(o.count, 1, `sample ${i}: a group of ${o.count}`);
      }
    }
    const scenes = x.kind === 't2i' ? [x.scene] : [x.sourceScene, x.targetScene];
    for (const sc of scenes) for (const o of sc.objects) assert.ok(scope.classes.includes(o.classId), `sample ${i}: ${o.classId} is outside the scope`);
  }
});

test('an empty scope draws exactly what an unscoped stream draws', () => {
  const a = new SceneStream({ seed: 9, editFraction: 0.3, buckets: [{ width: 64, height: 64 }] });
  const b = new SceneStream({ seed: 9, editFraction: 0.3, buckets: [{ width: 64, height: 64 }], scope: {} });
  for (let i = 0; i < 20; i++) assert.deepEqual(b.next(), a.next());
});

test('a scope that cannot be drawn from is refused, naming the field', () => {
  assert.throws(() => new SceneStream({ seed: 1, scope: { classes: ['apple', 'unicorn-car'] } }), /scope.classes: unknown class 'unicorn-car'/);
  assert.throws(() => new SceneStream({ seed: 1, scope: { maxObjects: 5 } }), /scope.maxObjects must be 1..4/);
  assert.throws(() => new SceneStream({ seed: 1, scope: { maxCount: 0 } }), /scope.maxCount must be 1..4/);
  assert.throws(() => new SceneStream({ seed: 1, scope: { textChance: 2 } }), /scope.textChance/);
});

test('scope.snap puts single objects on the patch grid, in scenes and in edits, changing nothing else', () => {
  // A patch model then meets each sprite at one offset instead of sixteen squared.
  const base = { classes: ['apple', 'cat', 'car', 'tree'], maxObjects: 2, maxCount: 1, sizes: ['large' as const, 'medium' as const] };
  const buckets = [{ width: 128, height: 128 }, { width: 160, height: 96 }];
  const snapped = new SceneStream({ seed: 6, editFraction: 0.4, buckets, scope: { ...base, snap: 16 } });
  const loose = new SceneStream({ seed: 6, editFraction: 0.4, buckets, scope: base });
  let offGrid = 0;
  for (let i = 0; i < 60; i++) {
    const x = snapped.next();
    const y = loose.next();
    assert.equal(x.kind, y.kind);
    const pairs = x.kind === 't2i' && y.kind === 't2i' ? [[x.scene, y.scene]] : x.kind === 'edit' && y.kind === 'edit' ? [[x.sourceScene, y.sourceScene], [x.targetScene, y.targetScene]] : [];
    for (const [a, b] of pairs) {
      assert.deepEqual(a!.objects.map((o) => [o.classId, o.row, o.col, o.size]), b!.objects.map((o) => [o.classId, o.row, o.col, o.size]));
      for (const [k, o] of a!.objects.entries()) {
        const box = o.instances[0]!;
        assert.equal(box.x % 16, 0, `sample ${i}: x ${box.x}`);
        assert.equal(box.y % 16, 0, `sample ${i}: y ${box.y}`);
        const side = b!.objects[k]!.instances[0]!.width;
        assert.ok(box.width <= side && box.width >= 0.75 * side, `sample ${i}: side ${box.width} from ${side}`);
        if (box.x !== b!.objects[k]!.instances[0]!.x || box.y !== b!.objects[k]!.instances[0]!.y) offGrid++;
      }
    }
  }
  assert.ok(offGrid > 10, `snapping moved only ${offGrid} boxes`);
  assert.throws(() => new SceneStream({ seed: 1, scope: { snap: 0 } }), /scope.snap must be an integer number of pixels in 1..64/);
});

test('with unplacedShare, a caption without a place word always means the middle-row arrangement', () => {
  // The ambiguity this removes: the same words over nine different pictures taught the model to draw nothing.
  const scope = { classes: ['apple', 'cat', 'car', 'tree'], maxObjects: 2, solidChance: 1, unplacedShare: 0.4 };
  const s = new SceneStream({ seed: 4, editFraction: 0, buckets: [{ width: 96, height: 96 }], scope });
  const placeWord = /\b(left|right|top|bottom|middle|center)\b/;
  let unplaced = 0;
  let shorter = 0;
  for (let i = 0; i < 120; i++) {
    const x = s.sampleAt(i);
    assert.equal(x.kind, 't2i');
    if (x.kind !== 't2i' || s.longCaptionsAt(i)) continue;
    shorter++;
    const c = captionScene(x.scene);
    if (c.unplaced.includes(x.caption)) {
      unplaced++;
      assert.doesNotMatch(x.caption, placeWord, `sample ${i}`);
      const expected = x.scene.objects.length === 1 ? [[1, 1]] : [[1, 0], [1, 2]];
      assert.deepEqual(x.scene.objects.map((o) => [o.row, o.col]), expected, `sample ${i}: "${x.caption}"`);
    } else {
      assert.ok(c.placed.includes(x.caption), `sample ${i}: "${x.caption}" is neither a placed nor an unplaced phrasing`);
      for (const o of x.scene.objects) assert.match(x.caption, placeWord, `sample ${i}: "${x.caption}" leaves the ${o.noun} unplaced`);
    }
  }
  assert.ok(unplaced >= shorter * 0.25 && unplaced <= shorter * 0.55, `${unplaced} of ${shorter} captions were unplaced`);
});
