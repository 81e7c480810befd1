import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PRESETS, baseSizeFor, countParams, guidanceEmbeddingShapes, modelSizes, withGuidanceInput } from './config.ts';
import { buildTrainingGraph } from './graphs.ts';

test('every preset’s closed-form parameter count equals the parameters its graph declares (nothing allocated)', () => {
  const withPixelHead = { ...PRESETS.tiny!, pixelHead: 48 };
  const withDetailHead = { ...withPixelHead, detailHead: { channels: 8, layers: 3 } };
  const withGuidance = withGuidanceInput(PRESETS.tiny!);
  for (const [name, c] of [...Object.entries(PRESETS), ['tiny+pixelHead', withPixelHead] as const, ['tiny+detailHead', withDetailHead] as const, ['tiny+guidanceEmbedding', withGuidance] as const]) {
    const g = buildTrainingGraph(c, 1);
    const counted = countParams(c);
    assert.equal(g.scope.count(), counted.total, name);
    const embedding = g.scope.declarations().get('text.embed.weight')!.tensor.shape.reduce((a, b) => (a as number) * (b as number), 1) as number;
    assert.equal(counted.nonEmbedding, counted.total - embedding, name);
  }
  // The guidance embedding's tensors are the ones guidanceEmbeddingShapes names (Flash checks a student's file by them).
  const plain = buildTrainingGraph(PRESETS.tiny!, 1).scope.declarations();
  const added = [...buildTrainingGraph(withGuidance, 1).scope.declarations()].filter(([name]) => !plain.has(name)).map(([name, d]) => [name, d.tensor.shape] as const);
  assert.deepEqual(new Map(added), guidanceEmbeddingShapes(withGuidance));
});

test('the card-scale config has 2×10^10 non-embedding parameters; the shipped one fits in 30 MB as float16', () => {
  const card = countParams(PRESETS.card20b!);
  assert.ok(Math.abs(card.nonEmbedding - 2e10) / 2e10 < 0.02, `card20b has ${card.nonEmbedding} non-embedding parameters`);
  assert.ok(countParams(PRESETS.small!).total * 2 <= 30e6);
});

test('a request up to the native area is drawn as asked; a larger one at the bucket nearest its aspect ratio', () => {
  const c = {
    patchSize: 16,
    sizes: { native: { width: 128, height: 128 }, buckets: [{ width: 128, height: 128 }, { width: 160, height: 96 }, { width: 96, height: 160 }, { width: 192, height: 80 }] },
  };
  assert.deepEqual(baseSizeFor(c, 64, 64), { width: 64, height: 64 });
  assert.deepEqual(baseSizeFor(c, 128, 128), { width: 128, height: 128 });
  assert.deepEqual(baseSizeFor(c, 1024, 1024), { width: 128, height: 128 });
  assert.deepEqual(baseSizeFor(c, 1024, 576), { width: 160, height: 96 });
  assert.deepEqual(baseSizeFor(c, 2048, 512), { width: 192, height: 80 });
  assert.deepEqual(baseSizeFor(c, 512, 1024), { width: 96, height: 160 });
  // A model exported before sizes were recorded: 8×8 patches, square.
  assert.deepEqual(modelSizes({ patchSize: 8 }).native, { width: 64, height: 64 });
});

test('head and rotary shape rules hold wherever a config is made: a training JSON file and a loaded model name the field', async () => {
  const { mkdtempSync, writeFileSync, cpSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { loadTrainConfig } = await import('../train/config.ts');
  const { loadModel } = await import('./store.ts');
  const dir = mkdtempSync(join(tmpdir(), 'flowpaint-config-'));
  const bad = join(dir, 'bad-heads.json');
  writeFileSync(bad, JSON.stringify({ extends: 'tiny', model: { width: 65 } }));
  assert.throws(() => loadTrainConfig(bad), /model\.heads: width 65 is not divisible by \d+ heads/);
  const rope = join(dir, 'bad-rope.json');
  writeFileSync(rope, JSON.stringify({ extends: 'tiny', model: { ropeAxes: [2, 2, 2] } }));
  assert.throws(() => loadTrainConfig(rope), /model\.ropeAxes: rope axes \[2,2,2\] must sum to the head dim/);
  // A model folder whose config.json breaks the rule is refused on load, naming file and field.
  const model = join(dir, 'model');
  cpSync(join(import.meta.dirname, '..', '..', 'models', 'default'), model, { recursive: true });
  const cfgPath = join(model, 'config.json');
  const cfg = JSON.parse((await import('node:fs')).readFileSync(cfgPath, 'utf8'));
  cfg.model.heads = 5;
  writeFileSync(cfgPath, JSON.stringify(cfg));
  assert.throws(() => loadModel(model), /config\.json: not a valid model config \(model\.heads: width \d+ is not divisible by 5 heads\)/);
});
