// `npm run bench -- conditioning [--steps 400] [--family tiny|small] [--pooling tokens|resampler]
//   [--time-mean 3 --time-std 0.3 --high-noise-share 0] [--model DIR]`:
// does the model listen to the prompt?
// Probe: for "a white castle on a <colour> background" with each of the 11 basic colours, the
// model's clean-image prediction from pure noise (t = 1) is E[image | prompt], so its mean colour
// should move toward the named background. Reported: the share of prompts whose predicted mean is
// nearer its own colour than any other probed colour ("colour accuracy", chance 1/11), and the
// spread of the predicted means across prompts (0 when the prompt is ignored).
// Without --model it trains a model (the tiny family at width 64, or small) from scratch on the
// scene stream, once per pooling of the prompt vector, mostly at high noise, and probes each: the measurement
// behind the 'tokens' pooling choice (ARCHITECTURE.md). With --model it probes that model only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COLOR_NAMES, PALETTE, colorDistance } from '../src/data/colors.ts';
import { Rng } from '../src/engine/index.ts';
import { PRESETS } from '../src/model/config.ts';
import { ModelRunner } from '../src/model/runner.ts';
import { loadModel } from '../src/model/store.ts';
import { TRAIN_PRESETS } from '../src/train/config.ts';
import { exportRun, train } from '../src/train/trainer.ts';
import { option } from './lib/util.ts';

interface Probe {
  accuracy: number;
  spread: number;
  means: Record<string, number[]>;
}

async function probe(dir: string, side: number): Promise<Probe> {
  const runner = await ModelRunner.create(loadModel(dir));
  const p = runner.config.patchSize;
  const g = side / p;
  const means: Record<string, number[]> = {};
  try {
    for (const color of COLOR_NAMES) {
      const cond = await runner.encode([`a white castle on a ${color} background`]);
      const noise = new Rng(7).fillNormal(new Float32Array(g * g * p * p * 3));
      const x = (await runner.predict({ noisy: [noise], t: 1, grid: { rows: g, cols: g }, cond }))[0]!;
      const m = [0, 0, 0];
      for (let i = 0; i < x.length; i++) m[i % 3]! += x[i]!;
      means[color] = m.map((v) => Math.round(Math.min(255, Math.max(0, ((v / (x.length / 3) + 1) / 2) * 255))));
    }
  } finally {
    await runner.release();
  }
  let hits = 0;
  for (const color of COLOR_NAMES) {
    const m = means[color]! as [number, number, number];
    const nearest = COLOR_NAMES.reduce((best, c) => (colorDistance(m, PALETTE[c]) < colorDistance(m, PALETTE[best]) ? c : best));
    if (nearest === color) hits++;
  }
  const all = Object.values(means);
  const centre = [0, 1, 2].map((k) => all.reduce((a, m) => a + m[k]!, 0) / all.length);
  const spread = Math.sqrt(all.reduce((a, m) => a + m.reduce((s, v, k) => s + (v - centre[k]!) ** 2, 0), 0) / all.length);
  return { accuracy: hits / COLOR_NAMES.length, spread, means };
}

function report(label: string, r: Probe): void {
  console.log(`${label.padEnd(28)} colour accuracy ${(r.accuracy * 100).toFixed(0).padStart(3)}%   spread of means ${r.spread.toFixed(1).padStart(5)} (0–255 RGB)`);
  console.log(`  ${COLOR_NAMES.map((c) => `${c} ${r.means[c]!.join(',')}`).join('  ')}`);
}

export async function run(args: string[]): Promise<void> {
  const modelDir = option(args, '--model');
  if (modelDir) {
    const r = await probe(modelDir, 128);
    report(modelDir, r);
    console.log(JSON.stringify({ bench: 'conditioning', model: modelDir, accuracy: r.accuracy, spread: +r.spread.toFixed(2) }));
    return;
  }
  const steps = Number(option(args, '--steps') ?? 400);
  const family = option(args, '--family') ?? 'tiny';
  if (family !== 'tiny' && family !== 'small') throw new Error(`--family must be tiny or small, got '${family}'`);
  const poolings = option(args, '--pooling') ? [option(args, '--pooling') as 'tokens' | 'resampler'] : (['resampler', 'tokens'] as const);
  const side = family === 'tiny' ? 64 : 128;
  // Training timesteps: by default mostly t ≈ 0.95, where the prompt is nearly all the model has.
  const timeMean = Number(option(args, '--time-mean') ?? 3);
  const timeStd = Number(option(args, '--time-std') ?? 0.3);
  const highNoiseShare = Number(option(args, '--high-noise-share') ?? 0);
  const results: Record<string, { accuracy: number; spread: number }> = {};
  console.log(`conditioning benchmark — ${family === 'tiny' ? 'tiny family at width 64' : 'small'}, ${steps} steps of 16 scenes at ${side}², timesteps logit-normal(${timeMean}, ${timeStd}), high-noise share ${highNoiseShare}`);
  for (const pooling of poolings) {
    const dir = mkdtempSync(join(tmpdir(), `flowpaint-conditioning-${pooling}-`));
    try {
      const model = family === 'tiny'
        ? { ...PRESETS.tiny!, width: 64, heads: 4, text: { ...PRESETS.tiny!.text, width: 64, heads: 4, window: 32, resamplerTokens: 8, pooling } }
        : { ...PRESETS.small!, text: { ...PRESETS.small!.text, pooling } };
      const config = {
        ...TRAIN_PRESETS[family]!,
        model,
        batchSize: 16,
        steps,
        lr: family === 'tiny' ? 1e-3 : 8e-4,
        warmupSteps: 50,
        emaDecay: 0.99,
        timeMean,
        timeStd,
        highNoiseShare,
        buckets: [{ width: side, height: side }],
        editFraction: 0,
        maxTextTokens: family === 'tiny' ? 96 : TRAIN_PRESETS.small!.maxTextTokens,
        tokenizerCorpus: { scenes: 1000, edits: 100 },
        checkpointEvery: steps,
        sampleEvery: steps + 1,
      };
      const t0 = performance.now();
      await train({ config, runDir: dir, resume: false });
      exportRun(dir, join(dir, 'model'), { id: `conditioning-${pooling}`, version: '0' });
      const r = await probe(join(dir, 'model'), side);
      report(`pooling '${pooling}' (${((performance.now() - t0) / 1000).toFixed(0)} s)`, r);
      results[pooling] = { accuracy: r.accuracy, spread: +r.spread.toFixed(2) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(JSON.stringify({ bench: 'conditioning', family, steps, timeMean, timeStd, highNoiseShare, results }));
}
