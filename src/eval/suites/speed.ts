// speed: images per second at standard sizes and step counts, on this machine. One warm-up
// generation per configuration is not timed (it compiles the graphs for that size).
import { itemSeed, round, type SuiteResult } from '../result.ts';
import type { SuiteContext } from './context.ts';

export const SPEED_SIZES: readonly [number, number][] = [[128, 128], [256, 256]];
/** The few-step ("fast", 4 steps) mode and the pipeline's default of 20. */
export const SPEED_STEPS: readonly { steps: number; fast: boolean }[] = [{ steps: 4, fast: true }, { steps: 20, fast: false }];
const PROMPT = 'two red apples and a cat on a blue background';

export async function runSpeed(ctx: SuiteContext): Promise<SuiteResult> {
  const t0 = performance.now();
  const categories: Record<string, number> = {};
  const metrics: Record<string, number | null> = {};
  for (const [w, h] of SPEED_SIZES) {
    for (const s of SPEED_STEPS) {
      const key = `${w}x${h}_${s.steps}steps`;
      await ctx.model.generate({ prompt: PROMPT, width: w, height: h, seed: 1, steps: s.steps, fast: s.fast });
      const start = performance.now();
      for (let i = 0; i < ctx.n; i++) {
        await ctx.model.generate({ prompt: PROMPT, width: w, height: h, seed: itemSeed(`${key}.${i}`), steps: s.steps, fast: s.fast });
      }
      const seconds = (performance.now() - start) / 1000;
      categories[key] = round(ctx.n / seconds, 3);
      metrics[`${key}_seconds_per_image`] = round(seconds / ctx.n, 3);
      ctx.log(`speed ${key}: ${(ctx.n / seconds).toFixed(3)} images/s`);
    }
  }
  return {
    suite: 'speed',
    promptSet: 'speed-v1',
    promptSeed: 0,
    model: { id: ctx.model.id, version: ctx.model.version },
    size: { width: SPEED_SIZES[0]![0], height: SPEED_SIZES[0]![1] },
    n: ctx.n,
    // Headline: the shipped default (128², 20 steps).
    overall: categories['128x128_20steps']!,
    categories,
    metrics,
    judge: null,
    seconds: round((performance.now() - t0) / 1000, 1),
    samples: [],
  };
}
