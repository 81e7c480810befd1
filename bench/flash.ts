// `npm run bench -- flash [--model DIR] [--n 3] [--threads N] [--size WxH] [--reps 7]`: the teacher (20
// guided steps) against Flash at 1, 2 and 4 steps, side by side in one run, on the same prompts
// and seeds: `eval compose` and `eval edit` overall, edit preservation outside the mask (PSNR), and
// warm seconds per generated image. The plain few-step mode (the teacher at 4 Euler steps, what
// --fast was before Flash) is measured beside them. Without flash.safetensors in the model
// directory only the teacher rows are printed.
import { existsSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { runSuite } from '../src/eval/index.ts';
import { loadModelUnderTest } from '../src/eval/model.ts';
import { DEFAULT_PROMPT_SEED } from '../src/eval/prompts/compose.ts';
import { DEFAULT_SCORER_DIR, Scorer } from '../src/eval/scorer/scorer.ts';
import { defaultModelDir } from '../src/pipeline/index.ts';
import { option } from './lib/util.ts';

interface Row {
  label: string;
  fast: boolean;
  steps: number;
}

export async function run(args: string[]): Promise<void> {
  const modelDir = resolve(option(args, '--model') ?? defaultModelDir());
  const n = Number(option(args, '--n') ?? 3);
  const threads = Number(option(args, '--threads') ?? os.availableParallelism());
  const reps = Number(option(args, '--reps') ?? 7);
  const [width, height] = (option(args, '--size') ?? '128x128').split('x').map(Number) as [number, number];
  const flash = existsSync(join(modelDir, 'flash.safetensors'));
  const rows: Row[] = [
    { label: 'teacher, 20 steps', fast: false, steps: 20 },
    { label: 'teacher, 4 plain steps', fast: false, steps: 4 },
    ...(flash ? [4, 2, 1].map((s) => ({ label: `Flash, ${s} step${s > 1 ? 's' : ''}`, fast: true, steps: s })) : []),
  ];
  const scorer = await Scorer.load(DEFAULT_SCORER_DIR, 1);
  const model = await loadModelUnderTest({ modelDir, threads });
  const fastModel = flash ? await loadModelUnderTest({ modelDir, threads, fast: true }) : undefined;
  console.log(`Flash vs teacher — ${model.id} ${model.version} (${modelDir}), ${width}x${height}, n ${n}, ${threads} threads, ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg()[0]!.toFixed(1)}`);
  if (!flash) console.log('(no flash.safetensors in the model directory: run `flowpaint distill` and `flowpaint distill-export` first)');
  console.log(`${'sampler'.padEnd(24)} ${'compose'.padStart(8)} ${'edit'.padStart(6)} ${'preserve dB'.padStart(12)} ${'s/image'.padStart(8)}`);
  const result: Record<string, Record<string, number | null>> = {};
  const prompt = 'a red apple left of a cat on a blue background';
  try {
    for (const r of rows) {
      const m = r.fast ? fastModel! : model;
      const ctx = { model: m, scorer, n, width, height, promptSeed: DEFAULT_PROMPT_SEED, steps: r.steps, log: () => {} };
      const compose = await runSuite('compose', ctx);
      const edit = await runSuite('edit', ctx);
      const preserve = edit.metrics.preservation_psnr ?? null;
      result[r.label] = { compose: compose.overall, edit: edit.overall, preservation_psnr: preserve };
    }
    // Seconds per image: the rows take turns, round after round, so load that comes and goes on a
    // shared machine falls on all of them alike; the median of the rounds is reported.
    const times = new Map<string, number[]>(rows.map((r) => [r.label, []]));
    for (let round = 0; round <= reps; round++) {
      for (const r of rows) {
        const m = r.fast ? fastModel! : model;
        const t0 = performance.now();
        await m.generate({ prompt, width, height, seed: round, steps: r.steps });
        if (round > 0) times.get(r.label)!.push((performance.now() - t0) / 1000); // round 0 warms up
      }
    }
    for (const r of rows) {
      const ts = times.get(r.label)!.sort((a, b) => a - b);
      const s = ts[Math.floor(ts.length / 2)]!;
      const q = result[r.label]!;
      q.s_per_image = +s.toFixed(3);
      console.log(`${r.label.padEnd(24)} ${q.compose!.toFixed(3).padStart(8)} ${q.edit!.toFixed(3).padStart(6)} ${(q.preservation_psnr == null ? '—' : q.preservation_psnr.toFixed(2)).padStart(12)} ${s.toFixed(3).padStart(8)}`);
    }
  } finally {
    await model.release();
    await fastModel?.release();
    await scorer.release();
  }
  console.log(JSON.stringify(result));
}
