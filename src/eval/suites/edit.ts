// edit: does each kind of edit do what it asks, and leave the rest alone? For every edit kind of
// the data issue, and for 4-round chains where each round edits the model's previous output:
// whether the change happened (edit-check.ts) and PSNR/SSIM against the source outside the
// edited region (preservation.ts). The same checks run on the data's exact targets give the
// judge's own accuracy.
import { EDIT_KINDS, type Mask, type RgbImage } from '../../data/index.ts';
import { changeHappened, type EditCase } from '../edit-check.ts';
import { CHECK_VERSION } from '../expect.ts';
import { preservation } from '../preservation.ts';
import { EDIT_PROMPT_VERSION, chainItems, chainOf, editItems, editPairOf } from '../prompts/edit.ts';
import { itemSeed, mean, round, type Sample, type SuiteResult } from '../result.ts';
import type { SuiteContext } from './context.ts';

async function judgeCase(ctx: SuiteContext, c: EditCase, output: RgbImage) {
  const [pred, sourcePred] = await ctx.scorer.predict([output, c.source]);
  return changeHappened(c, output, pred!, sourcePred);
}

function unionMask(masks: readonly Mask[]): Mask {
  const m = masks[0]!;
  const data = new Uint8Array(m.data.length);
  for (const k of masks) for (let i = 0; i < data.length; i++) if (k.data[i]) data[i] = 255;
  return { width: m.width, height: m.height, data };
}

export async function runEdit(ctx: SuiteContext): Promise<SuiteResult> {
  const t0 = performance.now();
  const size = { width: ctx.width, height: ctx.height };
  const categories: Record<string, number> = {};
  const judgeCats: Record<string, number> = {};
  const metrics: Record<string, number | null> = {};
  const samples: Sample[] = [];
  const outcomes: NonNullable<SuiteResult['outcomes']> = {};
  const allPsnr: number[] = [];
  const allSsim: number[] = [];
  const items = editItems(ctx.n, size, ctx.promptSeed);
  for (const kind of EDIT_KINDS) {
    const ok: number[] = [];
    const judge: number[] = [];
    const psnr: number[] = [];
    const ssim: number[] = [];
    for (const it of items.filter((x) => x.kind === kind)) {
      const pair = editPairOf(it, size);
      const c: EditCase = pair;
      judge.push((await judgeCase(ctx, c, pair.target)).changed ? 1 : 0);
      const out = await ctx.model.edit({ image: pair.source, instruction: pair.instruction, seed: itemSeed(it.id), steps: ctx.steps });
      const r = await judgeCase(ctx, c, out);
      const p = preservation(pair.source, out, pair.mask);
      ok.push(r.changed ? 1 : 0);
      if (Number.isFinite(p.psnr)) psnr.push(p.psnr);
      if (p.ssim !== null) ssim.push(p.ssim);
      samples.push({
        id: it.id, category: kind, caption: pair.instruction, images: [pair.source, out, pair.target],
        score: (r.changed ? 0.5 : 0) + 0.5 * (p.ssim ?? 0), note: [...r.failures, `SSIM ${p.ssim?.toFixed(3) ?? '—'}`].join('; '),
      });
      outcomes[it.id] = { category: kind, right: r.changed ? 1 : 0 };
      ctx.log(`edit ${it.id}: ${r.changed ? 'changed' : `not changed (${r.failures.join('; ')})`}, ${p.pixels === 0 ? 'mask covers everything' : `PSNR ${p.psnr.toFixed(1)} dB, SSIM ${p.ssim?.toFixed(3) ?? '—'}`}`);
    }
    categories[kind] = round(mean(ok));
    judgeCats[kind] = round(mean(judge));
    metrics[`${kind}_psnr`] = psnr.length ? round(mean(psnr), 2) : null;
    metrics[`${kind}_ssim`] = ssim.length ? round(mean(ssim)) : null;
    allPsnr.push(...psnr);
    allSsim.push(...ssim);
  }

  // Chains: every round edits the model's own previous output.
  const chains = chainItems(ctx.n, size, ctx.promptSeed);
  const chainOk: number[] = [];
  const roundOk: number[] = [];
  const judgeRounds: number[] = [];
  const judgeChains: number[] = [];
  const driftPsnr: number[] = [];
  const driftSsim: number[] = [];
  for (const it of chains) {
    const chain = chainOf(it, size);
    let current = chain.images[0]!;
    let all = true;
    const shown: RgbImage[] = [current];
    const notes: string[] = [];
    let judgeAll = true;
    for (let r = 0; r < chain.steps.length; r++) {
      const step = chain.steps[r]!;
      const c: EditCase = { kind: step.kind, source: chain.images[r]!, target: chain.images[r + 1]!, mask: step.mask, sourceScene: chain.scenes[r]!, targetScene: chain.scenes[r + 1]! };
      const j = (await judgeCase(ctx, c, chain.images[r + 1]!)).changed;
      judgeRounds.push(j ? 1 : 0);
      judgeAll &&= j;
      // The model edits its own last output; the change is judged against the round's target scene.
      const out = await ctx.model.edit({ image: current, instruction: step.instruction, seed: itemSeed(`${it.id}.${r}`), steps: ctx.steps });
      const res = await judgeCase(ctx, { ...c, source: current }, out);
      roundOk.push(res.changed ? 1 : 0);
      all &&= res.changed;
      notes.push(`${r + 1}:${step.kind} ${res.changed ? 'ok' : 'missed'}`);
      current = out;
      shown.push(out);
    }
    // Drift: what changed, after all rounds, in the region no round was allowed to touch.
    const p = preservation(chain.images[0]!, current, unionMask(chain.steps.map((s) => s.mask)));
    if (Number.isFinite(p.psnr)) driftPsnr.push(p.psnr);
    if (p.ssim !== null) driftSsim.push(p.ssim);
    chainOk.push(all ? 1 : 0);
    outcomes[it.id] = { category: 'chain_4_rounds', right: all ? 1 : 0 };
    judgeChains.push(judgeAll ? 1 : 0);
    samples.push({ id: it.id, category: 'chain', caption: chain.steps.map((s) => s.instruction).join(' → '), images: shown, score: (all ? 0.5 : 0) + 0.5 * (p.ssim ?? 0), note: notes.join(', ') });
    ctx.log(`edit ${it.id}: ${notes.join(', ')}; ${p.pixels === 0 ? 'no pixel untouched by every round' : `drift PSNR ${p.psnr.toFixed(1)} dB, SSIM ${p.ssim?.toFixed(3) ?? '—'}`}`);
  }
  categories.chain_4_rounds = round(mean(chainOk));
  judgeCats.chain_4_rounds = round(mean(judgeChains));
  metrics.chain_round_success = round(mean(roundOk));
  metrics.chain_drift_psnr = driftPsnr.length ? round(mean(driftPsnr), 2) : null;
  metrics.chain_drift_ssim = driftSsim.length ? round(mean(driftSsim)) : null;
  metrics.preservation_psnr = allPsnr.length ? round(mean(allPsnr), 2) : null;
  metrics.preservation_ssim = allSsim.length ? round(mean(allSsim)) : null;
  metrics.judge_chain_round_success = round(mean(judgeRounds));
  return {
    suite: 'edit',
    promptSet: EDIT_PROMPT_VERSION,
    promptSeed: ctx.promptSeed,
    model: { id: ctx.model.id, version: ctx.model.version },
    size,
    n: ctx.n,
    overall: round(mean(Object.values(categories))),
    categories,
    metrics,
    judge: { name: `scorer v${ctx.scorer.card?.version ?? '?'} (${CHECK_VERSION}), OCR and PSNR on the exact targets`, overall: round(mean(Object.values(judgeCats))), categories: judgeCats },
    seconds: round((performance.now() - t0) / 1000, 1),
    outcomes,
    samples,
  };
}
