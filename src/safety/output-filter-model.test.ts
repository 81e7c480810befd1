// The output filter on the shipped model's own outputs (issue #14): benign prompts whose images
// nsfwjs scored 0.67–0.82 "Porn + Hentai" (refused before the low-structure and skin-free rules)
// are allowed, and the prompt "0" passes. Uses models/default and the real nsfwjs, at 64² and
// 128², 1 to 20 steps.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Pipeline, loadPipeline } from '../pipeline/pipeline.ts';
import { ImageFilter } from './image-filter.ts';
import { isLowStructure, isSkinFree, measureSkin, measureStructure } from './image-measures.ts';
import { loadSafetyPolicy } from './policy.ts';

// Found by the calibration run (seeds and prompts as generated there).
const CASES = [
  { prompt: 'four paintbrushes, a purple sneaker and a sign that says "PLAY" on a green to yellow gradient background', width: 128, height: 128, steps: 1, seed: 1 },
  { prompt: 'a desktop computer and a label that says "PHOTO" on a gray to white gradient background', width: 128, height: 128, steps: 1, seed: 73 },
  { prompt: 'a blue saw, a green mouse, two orange lemons and a white flamingo on a red background', width: 64, height: 64, steps: 1, seed: 72 },
  { prompt: '0', width: 64, height: 64, steps: 1, seed: 1 },
  { prompt: '0', width: 128, height: 128, steps: 4, seed: 2 },
  { prompt: 'a red apple on a blue background', width: 128, height: 128, steps: 2, seed: 1 },
  // 0.2.0 at the default 20 steps, guidance 7: a sharp yellow square on black, scored 0.81.
  { prompt: 'a lemon on a black background', width: 128, height: 128, seed: 2, guidance: 7 },
];

let pipe: Pipeline;
before(async () => {
  pipe = await loadPipeline({ threads: 1, safety: null });
});
after(async () => {
  await pipe?.release();
});

describe('output filter on the shipped model', () => {
  test('benign outputs that nsfwjs misreads are low-structure and allowed', async (t) => {
    const now = new ImageFilter(loadSafetyPolicy({ audit: { sink: 'none' } }));
    const before = new ImageFilter(loadSafetyPolicy({ audit: { sink: 'none' }, output: { lowStructure: false, skinFree: false } }));
    let refusedBefore = 0;
    for (const c of CASES) {
      const [out] = await pipe.generate(c);
      const image = out!.image;
      const d = await now.check(image);
      assert.equal(d.allowed, true, `${c.prompt} seed ${c.seed}: ${d.reason} ${d.score}`);
      if (!(await before.check(image)).allowed) {
        // What let a misread image through must be a rule, and the rules only fire on images
        // without structure or without skin tones (the shipped weights change; which images
        // nsfwjs misreads changes too).
        refusedBefore++;
        const measures = { ...measureStructure(image), ...measureSkin(image) };
        assert.ok(isLowStructure(measureStructure(image)) || isSkinFree(measureSkin(image)), `${c.prompt} ${JSON.stringify(measures)}`);
      }
    }
    // With the 0.1.0 weights of the calibration run, the first three were refused without the rule.
    t.diagnostic(`${refusedBefore} of ${CASES.length} refused without the low-structure and skin-free rules`);
  });
});
