import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PRESETS, countParams } from './config.ts';
import { buildTrainingGraph } from './graphs.ts';

test('every preset’s closed-form parameter count equals the parameters its graph declares (nothing allocated)', () => {
  for (const [name, c] of Object.entries(PRESETS)) {
    const g = buildTrainingGraph(c, 1);
    const counted = countParams(c);
    assert.equal(g.scope.count(), counted.total, name);
    const embedding = g.scope.declarations().get('text.embed.weight')!.tensor.shape.reduce((a, b) => (a as number) * (b as number), 1) as number;
    assert.equal(counted.nonEmbedding, counted.total - embedding, name);
  }
});

test('the card-scale config has 2×10^10 non-embedding parameters; the shipped one fits in 30 MB as float16', () => {
  const card = countParams(PRESETS.card20b!);
  assert.ok(Math.abs(card.nonEmbedding - 2e10) / 2e10 < 0.02, `card20b has ${card.nonEmbedding} non-embedding parameters`);
  assert.ok(countParams(PRESETS.small!).total * 2 <= 30e6);
});
