// The judges must say no to wrong pictures: these tests fail if the compose judge (the shipped
// scorer plus the checks) or the class decision became lenient.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DataRng, mixSeed } from '../data/index.ts';
import { judgeCompose } from './judges.ts';
import { decideKind, KIND_PRIOR_RATIO } from './scorer/decide.ts';
import { pickSize, scorerSpec, MOSAIC_SHARE } from './scorer/data.ts';
import { CELL_KINDS, KIND_EMPTY, KIND_OTHER, KIND_PLATE, kindOfClass } from './scorer/labels.ts';
import { Scorer, type CellPrediction } from './scorer/scorer.ts';

let scorer: Scorer;
before(async () => {
  scorer = await Scorer.load();
});
after(async () => {
  await scorer.release();
});

describe('compose judge on ground truth and on wrong pictures', () => {
  test('passes most ground truth, and no blank, moved, recoloured, recounted or other-class picture', async () => {
    const q = await judgeCompose(scorer, { n: 2, width: 128, height: 128 });
    assert.ok(q.ceilingOverall >= 0.85, `ceiling ${q.ceilingOverall}: ${JSON.stringify(q.ceiling)}`);
    // Every kind of wrong picture was tried, and those that change a stated fact all fail.
    for (const kind of ['blank', 'other_item', 'wrong_cell', 'swapped_colors', 'wrong_color', 'wrong_count', 'missing_group', 'wrong_class']) {
      assert.ok(q.falsePass[kind], `no ${kind} pictures were tried`);
      assert.equal(q.falsePass[kind]!.rate, 0, `${kind}: ${q.failures.filter((f) => f.probe === kind).map((f) => `${f.id} ${f.why}`).join('; ')}`);
    }
    assert.ok(q.falsePassOverall <= 0.02, `false passes ${q.falsePassOverall}`);
  });

  test('a judge that ignores the pixels is caught: it passes wrong pictures', async () => {
    // Stand-in that answers every picture with what the real scorer saw in the first one (the
    // first item's ground truth): that item's wrong pictures must then all "pass".
    let first: CellPrediction[] | null = null;
    const blind = {
      predict: async (images: Parameters<Scorer['predict']>[0]) => {
        first ??= (await scorer.predict(images.slice(0, 1)))[0]!;
        return images.map(() => first!);
      },
    } as unknown as Scorer;
    const q = await judgeCompose(blind, { n: 1, width: 128, height: 128 });
    assert.ok(q.failures.some((f) => f.probe !== 'truth' && f.id === 'single_object-000'), "the blind judge passed none of the first item's wrong pictures");
    assert.ok(q.falsePassOverall > 0.05, `false passes ${q.falsePassOverall}`);
  });
});

describe('class decision without the training prior', () => {
  const probs = (entries: [number, number][]) => {
    const p = new Float32Array(CELL_KINDS.length);
    for (const [k, v] of entries) p[k] = v;
    return p;
  };
  const strawberry = kindOfClass('strawberry');

  test('an empty cell stays empty, however the rest is split', () => {
    assert.equal(decideKind(probs([[KIND_EMPTY, 0.4], [KIND_OTHER, 0.3], [strawberry, 0.3]])), KIND_EMPTY);
  });

  test('"other" must be clearly likelier than a named class, by more than its prior', () => {
    // 0.56 vs 0.36: the prior (~10×) explains the gap, so the strawberry-like evidence wins.
    assert.equal(decideKind(probs([[KIND_OTHER, 0.56], [strawberry, 0.36], [KIND_EMPTY, 0.08]])), strawberry);
    assert.equal(decideKind(probs([[KIND_OTHER, 0.56], [strawberry, 0.36], [KIND_EMPTY, 0.08]]), 0), KIND_OTHER);
    // A confident "other" stays other.
    assert.equal(decideKind(probs([[KIND_OTHER, 0.95], [strawberry, 0.04], [KIND_EMPTY, 0.01]])), KIND_OTHER);
    assert.equal(decideKind(probs([[KIND_PLATE, 0.9], [strawberry, 0.05]])), KIND_PLATE);
  });

  test("the prior ratios match the scorer's training sampler", () => {
    const counts = new Array<number>(CELL_KINDS.length).fill(0);
    for (let i = 0; i < 3000; i++) {
      const rng = new DataRng(mixSeed(0x5c0e, 1, i));
      const size = pickSize(rng);
      if (rng.chance(MOSAIC_SHARE)) continue;
      const spec = scorerSpec(rng, size);
      for (let cell = 0; cell < 9; cell++) {
        const [row, col] = [Math.floor(cell / 3), cell % 3];
        const obj = spec.objects.find((o) => o.row === row && o.col === col);
        const plate = spec.texts.find((t) => t.row === row && (t.col === null || t.col === col));
        counts[obj ? kindOfClass(obj.classId) : plate ? KIND_PLATE : KIND_EMPTY]!++;
      }
    }
    const named = counts.slice(KIND_OTHER + 1).reduce((a, b) => a + b, 0) / (CELL_KINDS.length - KIND_OTHER - 1);
    const near = (got: number, want: number) => Math.abs(got / want - 1) < 0.15;
    assert.ok(near(counts[KIND_OTHER]! / named, KIND_PRIOR_RATIO.other), `other: ${counts[KIND_OTHER]! / named}`);
    assert.ok(near(counts[KIND_PLATE]! / named, KIND_PRIOR_RATIO.plate), `plate: ${counts[KIND_PLATE]! / named}`);
  });
});
