import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SafetyRefusal, type SafetyStage } from '../safety/index.ts';
import { MAX_REDRAWS, type RedrawEvent, drawScreened, redrawSeed } from './redraw.ts';
import type { GeneratedImage } from './requests.ts';

const refusal = (stage: SafetyStage = 'output-image') =>
  new SafetyRefusal({ allowed: false, stage, category: 'sexual', score: 0.84, threshold: 0.6, reason: 'nsfwjs:explicit', scores: { sexual: 0.84 }, moderation: 'auto' });

/** A fake image whose pixels name the seed it was drawn from and the refused seeds it was told. */
function drawn(seed: number, refused: number[]): GeneratedImage {
  return { image: { width: 1, height: 1, data: new Uint8Array([seed & 255, 0, 0]) }, seed, metadata: { refused: JSON.stringify(refused) }, provenance: { model: 'm', version: '0', operation: 'generate', prompt: 'p', seed } };
}

test('a refused image is drawn again from another seed; the one that passes leaves, naming the refused seed', async () => {
  const refuse = new Set([5]);
  const events: RedrawEvent[] = [];
  const out = await drawScreened(5, 0, async (s, refused) => drawn(s, refused), async (img) => {
    if (refuse.has(img.seed)) throw refusal();
  }, (e) => {
    events.push(e);
  });
  assert.equal(out.seed, redrawSeed(5, 1));
  assert.deepEqual(JSON.parse(out.metadata.refused!), [5]);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.refusedSeed, 5);
  assert.equal(events[0]!.seed, out.seed);
  assert.equal(events[0]!.refusal.category, 'sexual');
});

test('an image passing at once is returned as drawn, with no redraw', async () => {
  let calls = 0;
  const out = await drawScreened(9, 2, async (s, refused) => (calls++, drawn(s, refused)), async () => {}, () => assert.fail('no redraw expected'));
  assert.equal(out.seed, 9);
  assert.equal(calls, 1);
  assert.deepEqual(JSON.parse(out.metadata.refused!), []);
});

test('after MAX_REDRAWS refused redraws the last refusal is thrown; no image leaves unscreened', async () => {
  const seeds: number[] = [];
  await assert.rejects(
    drawScreened(1, 0, async (s, refused) => (seeds.push(s), drawn(s, refused)), async () => {
      throw refusal();
    }),
    (e: unknown) => e instanceof SafetyRefusal && e.stage === 'output-image',
  );
  assert.equal(seeds.length, MAX_REDRAWS + 1);
  assert.equal(new Set(seeds).size, seeds.length, 'every try draws from a different seed');
});

test('other errors, and refusals of other stages, end it at once', async () => {
  let calls = 0;
  await assert.rejects(drawScreened(1, 0, async (s, r) => (calls++, drawn(s, r)), async () => {
    throw refusal('input-image');
  }), /refused/);
  assert.equal(calls, 1);
  await assert.rejects(drawScreened(1, 0, async () => {
    throw new Error('sampler failed');
  }, async () => {}), /sampler failed/);
});

test('redraw seeds stay clear of the seeds of a request\'s other images', () => {
  for (const seed of [0, 1, 2 ** 32 - 1, 123456789]) {
    for (let k = 1; k <= MAX_REDRAWS; k++) {
      const r = redrawSeed(seed, k);
      assert.ok(Number.isInteger(r) && r >= 0 && r < 2 ** 32);
      // A request draws at most 8 images, from seed … seed + 7 (mod 2^32).
      assert.ok(((r - seed) >>> 0) >= 8, `seed ${seed} redraw ${k} is ${r}`);
    }
  }
});
