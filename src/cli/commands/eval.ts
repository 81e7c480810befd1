// `flowpaint eval <suite>`: measures a model (compose, edit, text, speed, all) and prints a
// table per suite and, as the last line, one JSON object. `flowpaint eval scorer` measures the
// judge itself on fresh ground-truth renders; `flowpaint train-scorer` retrains it.
import { resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import type { Quantization } from '../../engine/index.ts';
import { parseQuantize } from '../image-options.ts';
import { parseInterval, parseNumber } from '../output.ts';
import { InputError } from '../../errors.ts';
import { SUITES, runSuite, summary, table, type SuiteName, type SuiteResult } from '../../eval/index.ts';
import { loadModelUnderTest } from '../../eval/model.ts';
import { DEFAULT_PROMPT_SEED } from '../../eval/prompts/compose.ts';
import type { TextWords } from '../../eval/prompts/text.ts';
import { mean, round } from '../../eval/result.ts';
import { readBaseline, writeReport } from '../../eval/report.ts';
import { DEFAULT_SCORER_DIR, SCORER_VERSION, Scorer } from '../../eval/scorer/scorer.ts';
import { DEFAULT_SCORER_TRAIN, measureFalseObjects, measureScorer, saveScorer, trainScorer, validationSets } from '../../eval/scorer/train.ts';

const ALL = [...SUITES, 'all', 'scorer'] as const;
/** Default items: per category (compose), per edit kind and chains (edit), prompts (text), images per configuration (speed). */
const DEFAULT_N: Record<SuiteName, number> = { compose: 10, edit: 5, text: 30, speed: 3 };

function intOption(name: string, lo: number, hi: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < lo || n > hi) {
      throw new InputError(`--${name} must be an integer from ${lo} to ${hi}, got "${value}"`);
    }
    return n;
  };
}

function sizeOption(value: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(value.trim());
  if (!m) throw new InputError(`--size must look like 128x128, got "${value}"`);
  const width = Number(m[1]);
  const height = Number(m[2]);
  if (width % 16 || height % 16 || width < 64 || height < 64 || width * height > 1024 * 1024) {
    throw new InputError(`--size: sides must be multiples of 16, at least 64, at most 1048576 pixels; got ${value}`);
  }
  return { width, height };
}

function printResult(r: SuiteResult): void {
  const rows: (string | number)[][] = Object.entries(r.categories).map(([k, v]) => [k, v, r.judge?.categories[k] ?? '']);
  rows.push(['overall', r.overall, r.judge?.overall ?? '']);
  process.stdout.write(`\n${r.suite} — ${r.model.id} ${r.model.version}, ${r.promptSet} seed ${r.promptSeed}, n ${r.n}, ${r.size.width}x${r.size.height}\n`);
  process.stdout.write(`${table(['category', r.suite === 'speed' ? 'images/s' : 'model', r.judge ? 'judge on truth' : ''], rows)}\n`);
  const metrics = Object.entries(r.metrics);
  if (metrics.length > 0) process.stdout.write(`${table(['metric', 'value'], metrics.map(([k, v]) => [k, v ?? '—']))}\n`);
}

interface EvalOptions {
  model?: string;
  n?: number;
  json?: string;
  report?: string;
  baseline?: string;
  size: { width: number; height: number };
  steps?: number;
  seed: number;
  scorer: string;
  threads?: number;
  phrasing: 'caption' | 'typed';
  words: TextWords;
  guidance?: number;
  guidanceInterval?: [number, number];
  fast?: boolean;
  quantize?: Quantization;
}

async function runScorerSuite(o: EvalOptions): Promise<void> {
  const scorer = await Scorer.load(resolve(o.scorer));
  try {
    const sets = validationSets(o.n ?? 300);
    const out: Record<string, Record<string, number>> = {};
    for (const [name, set] of Object.entries(sets)) {
      process.stderr.write(`scorer: measuring on ${set.length} ground-truth renders (${name})\n`);
      out[name] = await measureScorer(scorer, set);
    }
    out.mosaic_128 = { false_object_cells: await measureFalseObjects(scorer, Math.ceil((o.n ?? 300) / 4)) };
    const names = Object.keys(out);
    const questions = [...new Set(names.flatMap((n) => Object.keys(out[n]!)))];
    process.stdout.write(`${table(['question', ...names], questions.map((q) => [q, ...names.map((n) => out[n]![q] ?? '—')]))}\n`);
    const line = { suite: 'scorer', overall: out.heldout_split_128?.presence ?? null, validation: out, card: scorer.card?.validation ?? null };
    if (o.json) writeFileSync(resolve(o.json), `${JSON.stringify(line, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } finally {
    await scorer.release();
  }
}

async function runEval(suite: string, o: EvalOptions): Promise<void> {
  if (!(ALL as readonly string[]).includes(suite)) throw new InputError(`unknown suite "${suite}" (choose one of ${ALL.join(', ')})`);
  if (suite === 'scorer') return runScorerSuite(o);
  const baseline = o.baseline ? readBaseline(resolve(o.baseline)) : undefined;
  const names: SuiteName[] = suite === 'all' ? [...SUITES] : [suite as SuiteName];
  const scorer = await Scorer.load(resolve(o.scorer), o.threads ?? 1);
  process.stderr.write(`eval: loading model ${o.model ?? '(shipped default)'}\n`);
  const model = await loadModelUnderTest({ modelDir: o.model ? resolve(o.model) : undefined, threads: o.threads, guidance: o.guidance, guidanceInterval: o.guidanceInterval, fast: o.fast, quantize: o.quantize });
  const results: SuiteResult[] = [];
  try {
    for (const name of names) {
      const r = await runSuite(name, {
        model, scorer, n: o.n ?? DEFAULT_N[name], width: o.size.width, height: o.size.height, promptSeed: o.seed, steps: o.steps, phrasing: o.phrasing, textWords: o.words,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      results.push(r);
      printResult(r);
    }
  } finally {
    await model.release();
    await scorer.release();
  }
  if (o.report) process.stderr.write(`eval: report written to ${await writeReport(resolve(o.report), results, baseline)}\n`);
  let line: object;
  if (results.length === 1) {
    line = { ...summary(results[0]!), scorer: scorer.card?.validation ?? null };
  } else {
    // The accuracy suites' mean is the overall figure; speed is reported beside it, not averaged in.
    const categories: Record<string, number> = {};
    for (const r of results) categories[r.suite] = r.overall;
    line = {
      suite: 'all',
      model: results[0]!.model,
      overall: round(mean(results.filter((r) => r.suite !== 'speed').map((r) => r.overall))),
      categories,
      suites: results.map(summary),
      scorer: scorer.card?.validation ?? null,
    };
  }
  if (o.json) writeFileSync(resolve(o.json), `${JSON.stringify(line, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('measure a model: compose (objects, counts, colours, positions, relations), edit, text (OCR), speed, all; or the scorer itself')
    .argument('<suite>', `one of ${ALL.join(', ')}`)
    .option('--model <dir>', 'model directory (default: the shipped models/default)')
    .option('--n <count>', 'items per category (compose), per edit kind (edit), prompts (text), images per configuration (speed), renders (scorer)', intOption('n', 1, 10000))
    .option('--json <file>', 'also write the result JSON to this file')
    .option('--report <dir>', 'write report.md with bar charts and best/worst sample grids')
    .option('--baseline <file>', "a previous report's results.json (or --json file) to compare against in the report")
    .option('--size <WxH>', 'image size for compose, edit and text', sizeOption, { width: 128, height: 128 })
    .option('--steps <n>', 'sampling steps (default: the pipeline default)', intOption('steps', 1, 200))
    .option('--seed <n>', 'prompt-set seed (keep the default to compare with published figures)', intOption('seed', 0, 0xffffffff), DEFAULT_PROMPT_SEED)
    .option('--scorer <dir>', 'scorer directory', DEFAULT_SCORER_DIR)
    .option('--threads <n>', 'ONNX Runtime threads for the model', intOption('threads', 1, 256))
    .option('--guidance <g>', "text guidance scale (default: the model's own, else 4); sweep it per checkpoint", parseNumber('--guidance', { min: 0, max: 30 }))
    .option('--guidance-interval <lo,hi>', "text guidance only while the noise level is in [lo, hi] (default: the model's own, else every step)", parseInterval('--guidance-interval'))
    .option('--fast', 'the few-step mode (Flash when the model has it; use with --steps 1 to 4)')
    .option('--quantize <mode>', `the model's linear layers in int8 or int4 (default none: float32), to measure what quantization costs`, parseQuantize)
    .addOption(new Option('--phrasing <style>', 'compose prompts as captions ("a red apple on a blue background") or as people type them ("Draw a red apple, blue backdrop")').choices(['caption', 'typed']).default('caption'))
    .addOption(new Option('--words <set>', 'text suite: held-out words, never on a training sign (the published figure), or words seen on training signs (can it draw letters at all?)').choices(['heldout', 'seen']).default('heldout'))
    .action(async (suite: string, o: EvalOptions) => {
      if (o.baseline && !o.report) throw new InputError('--baseline needs --report DIR (the comparison goes in the report)');
      await runEval(suite, o);
    });

  program
    .command('train-scorer')
    .description("train the evaluation scorer on rendered scenes with flowpaint's engine and measure it on held-out renders")
    .option('--out <dir>', 'where scorer.safetensors and scorer.json go', DEFAULT_SCORER_DIR)
    .option('--steps <n>', 'training steps', intOption('steps', 1, 1_000_000), DEFAULT_SCORER_TRAIN.steps)
    .option('--batch <n>', 'images per step', intOption('batch', 1, 1024), DEFAULT_SCORER_TRAIN.batch)
    .option('--seed <n>', 'seed of weights and data', intOption('seed', 0, 0xffffffff), DEFAULT_SCORER_TRAIN.seed)
    .option('--threads <n>', 'ONNX Runtime threads', intOption('threads', 1, 256), DEFAULT_SCORER_TRAIN.threads)
    .option('--validation <n>', 'ground-truth renders per validation set', intOption('validation', 1, 100000), 1000)
    .action(async (o: { out: string; steps: number; batch: number; seed: number; threads: number; validation: number }) => {
      const out = resolve(o.out);
      const argv = `flowpaint train-scorer --steps ${o.steps} --batch ${o.batch} --seed ${o.seed} --threads ${o.threads} --validation ${o.validation}`;
      const every = Math.max(1, Math.floor(o.steps / 20));
      const r = await trainScorer({
        ...DEFAULT_SCORER_TRAIN, steps: o.steps, batch: o.batch, seed: o.seed, threads: o.threads,
        onProgress: (step, loss) => {
          if (step % every === 0 || step === o.steps) process.stderr.write(`train-scorer: step ${step}/${o.steps} loss ${loss.toFixed(4)}\n`);
        },
      });
      const card = { version: SCORER_VERSION, trainedAt: new Date().toISOString(), command: argv, steps: o.steps, images: r.images, seconds: round(r.seconds, 1), classes: [], validation: {} };
      saveScorer(out, r.params, card);
      // Measure the weights as stored (float16), which is what every eval loads.
      const scorer = await Scorer.load(out, o.threads);
      const validation: Record<string, Record<string, number>> = {};
      for (const [name, set] of Object.entries(validationSets(o.validation))) validation[name] = await measureScorer(scorer, set);
      validation.mosaic_128 = { false_object_cells: await measureFalseObjects(scorer, Math.ceil(o.validation / 4)) };
      await scorer.release();
      const { SCORER_CLASSES } = await import('../../eval/scorer/labels.ts');
      saveScorer(out, r.params, { ...card, classes: [...SCORER_CLASSES], validation });
      const names = Object.keys(validation);
      const questions = [...new Set(names.flatMap((n) => Object.keys(validation[n]!)))];
      process.stdout.write(`${table(['question', ...names], questions.map((q) => [q, ...names.map((n) => validation[n]![q] ?? '—')]))}\n`);
      process.stdout.write(`${JSON.stringify({ scorer: out, seconds: card.seconds, images: r.images, validation })}\n`);
    });
}
