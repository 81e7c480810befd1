// compose: can the model put the right objects, colours, counts and places in a picture?
// GenEval-style categories over prompts built from the held-out combinations, judged by the
// scorer; the scorer's accuracy on ground-truth renders of the same prompts is reported too.
import { layoutScene } from '../../data/scene.ts';
import { renderScene } from '../../data/render.ts';
import { CHECK_VERSION, cellsOf, checkExpectation } from '../expect.ts';
import { COMPOSE_CATEGORIES, COMPOSE_PROMPT_VERSION, composePrompts, typedPrompt } from '../prompts/compose.ts';
import { itemSeed, mean, round, type Sample, type SuiteResult } from '../result.ts';
import type { SuiteContext } from './context.ts';

export async function runCompose(ctx: SuiteContext): Promise<SuiteResult> {
  const t0 = performance.now();
  const items = composePrompts(ctx.n, ctx.promptSeed);
  const truths = items.map((it) => renderScene(layoutScene(it.truth, ctx.width, ctx.height)).image);
  const truthPreds = await ctx.scorer.predict(truths);
  const byCat = new Map<string, { model: number[]; judge: number[] }>();
  for (const c of COMPOSE_CATEGORIES) byCat.set(c, { model: [], judge: [] });
  const samples: Sample[] = [];
  const outcomes: NonNullable<SuiteResult['outcomes']> = {};
  // Partial credit, for training curves where the all-or-nothing score is still 0: is the prompt's
  // background colour right, are there at least as many object cells as groups, is each class found.
  const partial = { background: [] as number[], objects_drawn: [] as number[], class_found: [] as number[] };
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    const prompt = ctx.phrasing === 'typed' ? typedPrompt(it) : it.prompt;
    const image = await ctx.model.generate({ prompt, width: ctx.width, height: ctx.height, seed: itemSeed(it.id), steps: ctx.steps });
    const [pred] = await ctx.scorer.predict([image]);
    const r = checkExpectation(pred!, it.expect);
    const bg = it.truth.background;
    if (bg.kind === 'solid') partial.background.push(majority(pred!.map((c) => c.background)) === bg.color ? 1 : 0);
    partial.objects_drawn.push(pred!.filter((c) => c.isObject).length >= it.expect.groups.length ? 1 : 0);
    for (const g of it.expect.groups) partial.class_found.push(cellsOf(pred!, g.classId).length > 0 ? 1 : 0);
    const judge = checkExpectation(truthPreds[i]!, it.expect);
    byCat.get(it.category)!.model.push(r.correct ? 1 : 0);
    byCat.get(it.category)!.judge.push(judge.correct ? 1 : 0);
    samples.push({ id: it.id, category: it.category, caption: prompt, images: [image], score: r.correct ? 1 : 0, note: r.failures.join('; ') });
    outcomes[it.id] = { category: it.category, right: r.correct ? 1 : 0 };
    ctx.log(`compose ${i + 1}/${items.length} ${it.id}: ${r.correct ? 'right' : `wrong (${r.failures.join('; ')})`}`);
  }
  const categories: Record<string, number> = {};
  const judgeCats: Record<string, number> = {};
  for (const [c, v] of byCat) {
    categories[c] = round(mean(v.model));
    judgeCats[c] = round(mean(v.judge));
  }
  return {
    suite: 'compose',
    promptSet: ctx.phrasing === 'typed' ? `${COMPOSE_PROMPT_VERSION}-typed` : COMPOSE_PROMPT_VERSION,
    promptSeed: ctx.promptSeed,
    model: { id: ctx.model.id, version: ctx.model.version },
    size: { width: ctx.width, height: ctx.height },
    n: ctx.n,
    overall: round(mean(Object.values(categories))),
    categories,
    metrics: {
      prompts: items.length,
      background: round(mean(partial.background)),
      objects_drawn: round(mean(partial.objects_drawn)),
      class_found: round(mean(partial.class_found)),
    },
    judge: { name: `scorer v${ctx.scorer.card?.version ?? '?'}, ${CHECK_VERSION}, on ground-truth renders`, overall: round(mean(Object.values(judgeCats))), categories: judgeCats },
    seconds: round((performance.now() - t0) / 1000, 1),
    outcomes,
    samples,
  };
}

function majority<T>(xs: readonly T[]): T | undefined {
  const counts = new Map<T, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  let best: T | undefined;
  for (const [x, n] of counts) if (best === undefined || n > counts.get(best)!) best = x;
  return best;
}
