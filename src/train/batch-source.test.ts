// The batches of a run with a focus scope: the share of text-to-image batches it takes, what those
// batches hold, exact resume from a checkpoint's stream positions (also one written before the run
// had a focus), and the config's validation naming the field.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BatchSource } from './batch-source.ts';
import { TRAIN_PRESETS, loadTrainConfig } from './config.ts';
import { trainRunTokenizer } from './tokenizer.ts';

const base = TRAIN_PRESETS.tiny!;
const tokenizer = trainRunTokenizer(1, base.model.text.vocabSize, 60, 20);
/** One large apple or star alone in the centre. */
const focusData = { classes: ['apple', 'star'], maxObjects: 1, maxCount: 1, sizes: ['large' as const], textChance: 0, solidChance: 1, unplacedShare: 1 };
const config = { ...base, editFraction: 0.2, focus: { share: 0.5, data: focusData } };

function kinds(source: BatchSource, from: number, to: number): string[] {
  const out = [];
  for (let step = from; step < to; step++) out.push(source.next(step).kind);
  return out;
}

test('a focus takes its share of the text-to-image batches; edits keep theirs', () => {
  const seen = kinds(new BatchSource(config, tokenizer), 0, 200);
  const count = (k: string) => seen.filter((s) => s === k).length;
  const t2i = count('t2i') + count('t2i-focus');
  const edits = count('edit') + count('edit-noimage');
  assert.equal(t2i + edits, 200);
  assert.ok(Math.abs(edits / 200 - 0.2) < 0.08, `edits ${edits} of 200`);
  assert.ok(Math.abs(count('t2i-focus') / t2i - 0.5) < 0.12, `focus ${count('t2i-focus')} of ${t2i} text-to-image batches`);
  assert.deepEqual(kinds(new BatchSource({ ...config, focus: { share: 1, data: focusData } }, tokenizer), 0, 50).filter((k) => k === 't2i'), []);
});

test('focus batches draw from the focus scope: their layout labels name only its classes', () => {
  const source = new BatchSource({ ...config, layoutLossWeight: 1, focus: { share: 1, data: focusData } }, tokenizer);
  const whole = new BatchSource({ ...config, layoutLossWeight: 1, focus: undefined }, tokenizer);
  const classesIn = (src: BatchSource, want: string) => {
    const found = new Set<number>();
    for (let step = 0; step < 40; step++) {
      const b = src.next(step);
      if (b.kind !== want) continue;
      const labels = b.feeds.layout_class!;
      const c = labels.shape[2] as number;
      const v = labels.f32();
      for (let i = 0; i < v.length; i += c) for (let k = 2; k < c; k++) if (v[i + k]! > 0) found.add(k);
    }
    return found;
  };
  // Labels 0 and 1 are background and lettering; the focus scope has two classes, the whole world many more.
  assert.ok(classesIn(source, 't2i-focus').size <= 2, 'at most the two focus classes');
  assert.ok(classesIn(whole, 't2i').size > 4, 'the unfocused stream draws from many classes');
});

test('a resumed focus stream continues bit for bit, and a checkpoint from before the focus starts it at 0', () => {
  const a = new BatchSource(config, tokenizer);
  for (let step = 0; step < 12; step++) a.next(step);
  const at = a.position();
  assert.ok((at.focus ?? 0) > 0, 'the focus stream has advanced');
  const b = new BatchSource(config, tokenizer, at);
  for (let step = 12; step < 20; step++) {
    const x = a.next(step);
    const y = b.next(step);
    assert.equal(y.kind, x.kind, `step ${step}`);
    for (const [name, t] of Object.entries(x.feeds)) assert.deepEqual(Buffer.from(y.feeds[name]!.data.buffer), Buffer.from(t.data.buffer), `step ${step} ${name}`);
  }
  // A run without a focus checkpoints no focus position; a recipe that adds one starts that stream fresh.
  const plain = new BatchSource({ ...config, focus: undefined }, tokenizer);
  for (let step = 0; step < 5; step++) plain.next(step);
  const old = plain.position();
  assert.equal(old.focus, undefined);
  const fresh = new BatchSource(config, tokenizer);
  const resumed = new BatchSource(config, tokenizer, { ...old });
  let step = 0;
  while (fresh.next(step).kind !== 't2i-focus') step++;
  for (let s = 0; s < step; s++) resumed.next(s);
  assert.equal(resumed.next(step).kind, 't2i-focus');
  assert.equal(resumed.position().focus, fresh.position().focus);
});

test('a config whose focus scope cannot be drawn names focus.data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'focus-'));
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify({ extends: 'tiny', focus: { share: 0.5, data: { classes: ['apple', 'unicornfish'] } } }));
  assert.throws(() => loadTrainConfig(file), /focus\.data: scope\.classes: unknown class 'unicornfish'/);
  writeFileSync(file, JSON.stringify({ extends: 'tiny', focus: { share: 1.5, data: {} } }));
  assert.throws(() => loadTrainConfig(file), /focus\.share/);
  writeFileSync(file, JSON.stringify({ extends: 'tiny', focus: { share: 0.3, data: { maxObjects: 1 } } }));
  assert.equal(loadTrainConfig(file).focus?.share, 0.3);
});
