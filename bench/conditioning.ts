// `npm run bench -- conditioning [--steps 400] [--family tiny|small] [--pooling tokens|resampler]
//   [--conditioning grouped|resampler] [--position-embedding on|off] [--keep] [--time-mean 3 --time-std 0.3 --high-noise-share 0] [--model DIR]`:
// does the model listen to the prompt?
// Colour probe: for "a white castle on a <colour> background" with each of the 11 basic colours,
// the model's clean-image prediction from pure noise (t = 1) is E[image | prompt], so its mean
// colour should move toward the named background. Reported: the share of prompts whose predicted
// mean is nearer its own colour than any other probed colour ("colour accuracy", chance 1/11), and
// the spread of the predicted means across prompts (0 when the prompt is ignored).
// Words probe: the same for where the object is. For "a large white castle <position>, on a black
// background" at each of the nine grid positions, E[image | prompt] at t = 1 should be brightest in
// the named cell ("position accuracy", chance 1/9; "contrast": that cell's mean minus the others',
// in [-1, 1] pixel units). And how much the conditioning tokens move when only the object and its
// place change, relative to when only the background colour changes ("word/background ratio"; a
// model that hears only the background colour has ~0). And whether words can lay out the whole
// picture: for "a background that fades from red at the left to blue at the right" the left half
// should be redder than the right, and the other way round when the words swap ("gradient
// layout": the difference of the two left-minus-right red-minus-blue figures; 3.1 for an exact
// linear gradient between the palette's red and blue).
// Without --model it trains a model (the tiny family at width 64, or small) from scratch on the
// scene stream, once per arm (pooling of the prompt vector, or how the conditioning tokens are
// made), mostly at high noise, and probes each: the measurements behind the 'tokens' pooling and
// 'grouped' conditioning choices (ARCHITECTURE.md). With --model it probes that model only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COLOR_NAMES, PALETTE, colorDistance } from '../src/data/colors.ts';
import { POSITIONS } from '../src/data/index.ts';
import { positionPhrase } from '../src/data/phrases.ts';
import { Rng } from '../src/engine/index.ts';
import { PRESETS, modelSizes } from '../src/model/config.ts';
import { ModelRunner } from '../src/model/runner.ts';
import { loadModel } from '../src/model/store.ts';
import { TRAIN_PRESETS } from '../src/train/config.ts';
import { exportRun } from '../src/train/export.ts';
import { train } from '../src/train/trainer.ts';
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

interface WordsProbe {
  positionAccuracy: number;
  contrast: number;
  wordRatio: number;
  /** (R − B) on the left half minus the right half for "red at the left to blue at the right", minus the same for the mirrored prompt; 0 when the model cannot lay colour out from words. */
  gradient: number;
}

function rmsDiff(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s / a.length);
}

async function probeWords(dir: string, side: number): Promise<WordsProbe> {
  const runner = await ModelRunner.create(loadModel(dir));
  const p = runner.config.patchSize;
  const g = side / p;
  const third = side / 3;
  let hits = 0;
  let contrast = 0;
  try {
    for (let k = 0; k < POSITIONS.length; k++) {
      const cond = await runner.encode([`a large white castle ${positionPhrase(POSITIONS[k]!)}, on a black background`]);
      const sums = new Float64Array(9);
      const counts = new Float64Array(9);
      for (const seed of [1, 2, 3, 4]) {
        const noise = new Rng(seed).fillNormal(new Float32Array(g * g * p * p * 3));
        const x = (await runner.predict({ noisy: [noise], t: 1, grid: { rows: g, cols: g }, cond }))[0]!;
        for (let r = 0; r < g; r++) {
          for (let c = 0; c < g; c++) {
            // The grid cell holding this patch's centre.
            const cell = Math.min(2, Math.floor(((r + 0.5) * p) / third)) * 3 + Math.min(2, Math.floor(((c + 0.5) * p) / third));
            const base = (r * g + c) * p * p * 3;
            for (let i = 0; i < p * p * 3; i++) sums[cell]! += x[base + i]!;
            counts[cell]! += p * p * 3;
          }
        }
      }
      const means = Array.from(sums, (v, i) => v / counts[i]!);
      if (means.indexOf(Math.max(...means)) === k) hits++;
      contrast += means[k]! - (means.reduce((a, b) => a + b, 0) - means[k]!) / 8;
    }
    const enc = async (prompt: string) => (await runner.encode([prompt])).tokens;
    const base = await enc('a large white castle in the top left corner, on a black background');
    const words = await enc('a large red apple in the bottom right corner, on a black background');
    const background = await enc('a large white castle in the top left corner, on a blue background');
    // A layout the whole image shows: a left-to-right gradient background.
    const sides = async (from: string, to: string) => {
      const cond = await runner.encode([`A plain picture, on a background that fades from ${from} at the left to ${to} at the right.`]);
      const noise = new Rng(1).fillNormal(new Float32Array(g * g * p * p * 3));
      const x = (await runner.predict({ noisy: [noise], t: 1, grid: { rows: g, cols: g }, cond }))[0]!;
      let left = 0;
      let right = 0;
      for (let r = 0; r < g; r++) {
        for (let c = 0; c < g; c++) {
          const base = (r * g + c) * p * p * 3;
          let redMinusBlue = 0;
          for (let i = 0; i < p * p; i++) redMinusBlue += x[base + 3 * i]! - x[base + 3 * i + 2]!;
          if (c < g / 2) left += redMinusBlue;
          else right += redMinusBlue;
        }
      }
      return (left - right) / ((g * g * p * p) / 2);
    };
    const gradient = (await sides('red', 'blue')) - (await sides('blue', 'red'));
    return { positionAccuracy: hits / 9, contrast: contrast / 9, wordRatio: rmsDiff(base, words) / rmsDiff(base, background), gradient };
  } finally {
    await runner.release();
  }
}

function reportWords(r: WordsProbe): void {
  console.log(`  position accuracy ${(r.positionAccuracy * 100).toFixed(0).padStart(3)}%   contrast ${r.contrast.toFixed(3)}   word/background ratio ${r.wordRatio.toFixed(3)}   gradient layout ${r.gradient.toFixed(3)}`);
}

function report(label: string, r: Probe): void {
  console.log(`${label.padEnd(28)} colour accuracy ${(r.accuracy * 100).toFixed(0).padStart(3)}%   spread of means ${r.spread.toFixed(1).padStart(5)} (0–255 RGB)`);
  console.log(`  ${COLOR_NAMES.map((c) => `${c} ${r.means[c]!.join(',')}`).join('  ')}`);
}

function rounded(w: WordsProbe): Record<string, number> {
  return { positionAccuracy: +w.positionAccuracy.toFixed(3), contrast: +w.contrast.toFixed(4), wordRatio: +w.wordRatio.toFixed(3), gradient: +w.gradient.toFixed(4) };
}

export async function run(args: string[]): Promise<void> {
  const modelDir = option(args, '--model');
  if (modelDir) {
    const side = modelSizes(loadModel(modelDir).config).native.width;
    const r = await probe(modelDir, side);
    report(modelDir, r);
    const w = await probeWords(modelDir, side);
    reportWords(w);
    console.log(JSON.stringify({ bench: 'conditioning', model: modelDir, accuracy: r.accuracy, spread: +r.spread.toFixed(2), ...rounded(w) }));
    return;
  }
  const steps = Number(option(args, '--steps') ?? 400);
  const family = option(args, '--family') ?? 'tiny';
  if (family !== 'tiny' && family !== 'small') throw new Error(`--family must be tiny or small, got '${family}'`);
  const poolingArg = option(args, '--pooling') as 'tokens' | 'resampler' | undefined;
  const conditioningArg = option(args, '--conditioning') as 'grouped' | 'resampler' | undefined;
  // Default arms: the two ways of making conditioning tokens, each with the shipped pooling.
  const arms: { pooling: 'tokens' | 'resampler'; conditioning: 'grouped' | 'resampler' }[] =
    poolingArg || conditioningArg
      ? [{ pooling: poolingArg ?? 'tokens', conditioning: conditioningArg ?? 'grouped' }]
      : [{ pooling: 'tokens', conditioning: 'resampler' }, { pooling: 'tokens', conditioning: 'grouped' }];
  const side = family === 'tiny' ? 64 : 128;
  // Training timesteps: by default mostly t ≈ 0.95, where the prompt is nearly all the model has.
  const timeMean = Number(option(args, '--time-mean') ?? 3);
  const timeStd = Number(option(args, '--time-std') ?? 0.3);
  const highNoiseShare = Number(option(args, '--high-noise-share') ?? 0);
  const results: Record<string, Record<string, number>> = {};
  const positionEmbedding = (option(args, '--position-embedding') ?? 'on') === 'on';
  const keep = args.includes('--keep');
  console.log(`conditioning benchmark — ${family === 'tiny' ? 'tiny family at width 64' : 'small'}, position embedding ${positionEmbedding ? 'on' : 'off'}, ${steps} steps of 16 scenes at ${side}², timesteps logit-normal(${timeMean}, ${timeStd}), high-noise share ${highNoiseShare}`);
  for (const { pooling, conditioning } of arms) {
    const arm = `pooling '${pooling}', conditioning '${conditioning}'`;
    const dir = mkdtempSync(join(tmpdir(), `flowpaint-conditioning-${pooling}-${conditioning}-`));
    try {
      const model = family === 'tiny'
        ? { ...PRESETS.tiny!, positionEmbedding, width: 64, heads: 4, text: { ...PRESETS.tiny!.text, width: 64, heads: 4, window: 32, resamplerTokens: 8, pooling, conditioning } }
        : { ...PRESETS.small!, positionEmbedding, text: { ...PRESETS.small!.text, pooling, conditioning } };
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
      exportRun(dir, join(dir, 'model'), { id: `conditioning-${pooling}-${conditioning}`, version: '0' });
      const r = await probe(join(dir, 'model'), side);
      report(`${arm} (${((performance.now() - t0) / 1000).toFixed(0)} s)`, r);
      const w = await probeWords(join(dir, 'model'), side);
      reportWords(w);
      results[`${pooling}/${conditioning}`] = { accuracy: r.accuracy, spread: +r.spread.toFixed(2), ...rounded(w) };
    } finally {
      if (keep) console.log(`kept ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(JSON.stringify({ bench: 'conditioning', family, steps, timeMean, timeStd, highNoiseShare, results }));
}
