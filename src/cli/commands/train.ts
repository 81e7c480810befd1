// `flowpaint train` and `flowpaint export`: run the trainer with a progress bar, and turn a run's
// checkpoint into a model directory that generate/edit load.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { loadTrainConfig } from '../../train/config.ts';
import { exportRun } from '../../train/export.ts';
import { train } from '../../train/trainer.ts';
import { MetricsLog, plotLossCurve } from '../../train/metrics.ts';
import { mkdirSync } from 'node:fs';
import sharp from 'sharp';
import { contactSheet } from '../../data/preview.ts';
import type { HostTensor } from '../../engine/index.ts';
import type { ModelConfig } from '../../model/config.ts';
import { ModelRunner } from '../../model/runner.ts';
import type { Tokenizer } from '../../model/tokenizer/index.ts';
import { Pipeline } from '../../pipeline/index.ts';
import { isSafetyRefusal, loadSafetyPolicy } from '../../safety/index.ts';
import { UsageError } from '../errors.ts';
import { parseNumber } from '../output.ts';

/** Fixed prompts drawn with the EMA weights every `sampleEvery` steps, so runs can be compared by eye. */
const SAMPLE_PROMPTS = [
  'a red apple on a blue background',
  'two yellow stars above a green tree',
  'a cat left of a dog on a white background',
  'a sign reading "HELLO" on an orange background',
];

async function writeSampleGrid(runDir: string, model: ModelConfig, step: number, weights: Map<string, HostTensor>, tokenizer: Tokenizer): Promise<string> {
  const runner = await ModelRunner.create({ dir: runDir, config: model, info: { id: 'training-sample', version: String(step) }, weights, tokenizer });
  const pipe = new Pipeline(runner, loadSafetyPolicy());
  try {
    const cells = [];
    for (const [i, prompt] of SAMPLE_PROMPTS.entries()) {
      try {
        const [img] = await pipe.generate({ prompt, width: 128, height: 128, seed: i, steps: 20 });
        cells.push({ tiles: [img!.image], text: prompt });
      } catch (err) {
        // A sample the output filter refuses is never written; its tile says so.
        if (!isSafetyRefusal(err)) throw err;
        cells.push({ tiles: [{ width: 128, height: 128, data: new Uint8Array(128 * 128 * 3).fill(128) }], text: `${prompt} (refused by the output filter)` });
      }
    }
    const sheet = contactSheet(cells, 128, 4);
    const dir = join(runDir, 'samples');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `step-${String(step).padStart(6, '0')}.png`);
    await sharp(sheet.data, { raw: { width: sheet.width, height: sheet.height, channels: 3 } }).png().toFile(path);
    return path;
  } finally {
    await pipe.release();
  }
}

function positiveInt(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive integer, got '${v}'`);
    return n;
  };
}

export function registerTrainCommands(program: Command): void {
  program
    .command('train')
    .description('train a model on generated scenes and edit pairs (checkpoints go to the run directory)')
    .option('--config <preset|file>', 'training preset (tiny, small) or a JSON file {"extends": "small", ...}', 'small')
    .option('--run-dir <dir>', 'where checkpoints, metrics and the tokenizer go', join(homedir(), '.flowpaint', 'runs', 'default'))
    .option('--resume', 'continue the run in --run-dir from its last checkpoint')
    .option('--change-recipe', "with --resume: continue the checkpoint (weights, optimiser, EMA, step) under --config instead of the run's own recipe (a new curriculum stage, or an A/B arm forked from a copy of the run)")
    .option('--init-from <model-dir>', "start a new run from an exported model's weights and tokenizer (fine-tuning; a model with another patch size is resampled to the config's)")
    .option('--max-steps <n>', 'stop after this many steps in this invocation', positiveInt('--max-steps'))
    .option('--threads <n>', "compute threads for this invocation, also when resuming (default: the config's threads; 0 = every core). On small models one thread trains about as fast as two, leaving a core free", parseNumber('--threads', { integer: true, min: 0, max: 256 }))
    .option('--no-progress', 'no progress bar (log lines only)')
    .action(async (o: { config: string; runDir: string; resume?: boolean; changeRecipe?: boolean; initFrom?: string; maxSteps?: number; threads?: number; progress: boolean }) => {
      const config = loadTrainConfig(o.config);
      const runDir = resolve(o.runDir);
      const controller = new AbortController();
      let interrupts = 0;
      const onSigint = () => {
        interrupts++;
        if (interrupts === 1) process.stderr.write('\nstopping after this step and writing a checkpoint (Ctrl-C again to quit at once)\n');
        else process.exit(130);
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      const bar = o.progress && process.stderr.isTTY
        ? new cliProgress.SingleBar(
            { stream: process.stderr, format: 'train |{bar}| step {value}/{total} | loss {loss} | {sps} samples/s | ETA {eta_formatted}', etaBuffer: 50 },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
      let started = false;
      try {
        const result = await train({
          config,
          runDir,
          resume: Boolean(o.resume),
          changeRecipe: Boolean(o.changeRecipe),
          initFrom: o.initFrom ? resolve(o.initFrom) : undefined,
          maxSteps: o.maxSteps,
          threads: o.threads,
          signal: controller.signal,
          log: (line) => process.stderr.write(`${line}\n`),
          onSample: async (step, weights, tokenizer, model) => {
            const path = await writeSampleGrid(runDir, model, step, weights, tokenizer);
            if (!bar) process.stderr.write(`samples: ${path}\n`);
          },
          onProgress: (p) => {
            if (bar) {
              if (!started) bar.start(p.steps, p.step - 1, { loss: '-', sps: '-' });
              started = true;
              bar.update(p.step, { loss: p.loss.toFixed(4), sps: p.samplesPerSecond.toFixed(1) });
            } else if (p.step % config.logEvery === 0) {
              process.stderr.write(`step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} lr ${p.lr.toExponential(2)} ${p.samplesPerSecond.toFixed(1)} samples/s\n`);
            }
          },
        });
        bar?.stop();
        const log = new MetricsLog(join(runDir, 'metrics.jsonl'));
        const entries = log.read();
        if (entries.length >= 2) await plotLossCurve(entries, join(runDir, 'loss.png'));
        process.stderr.write(`step ${result.step}, loss ${result.lastLoss.toFixed(4)}, ${(result.trainSeconds / 3600).toFixed(2)} h of training in this run\n`);
        process.stdout.write(`${result.checkpoint}\n`);
      } finally {
        bar?.stop();
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
      }
    });

  program
    .command('export')
    .description("write a run's EMA weights (or --raw) as a model directory for generate/edit --model")
    .argument('<run-dir>', 'the training run directory')
    .option('-o, --out <dir>', 'the model directory to write', 'models/default')
    .option('--id <id>', 'model id recorded in the model', 'flowpaint-small')
    .option('--model-version <version>', 'model version recorded in the model', '0.1.0')
    .option('--guidance <g>', 'the guidance scale generate uses by default with these weights (sweep it with `eval compose --guidance`)', parseNumber('--guidance', { min: 0, max: 30 }))
    .option('--raw', 'the raw weights instead of the EMA: for judging a short run (a few hundred steps), where the EMA still mostly holds the starting weights')
    .action((runDir: string, o: { out: string; id: string; modelVersion: string; guidance?: number; raw?: boolean }) => {
      exportRun(resolve(runDir), resolve(o.out), { id: o.id, version: o.modelVersion, sampling: o.guidance === undefined ? undefined : { guidance: o.guidance }, weights: o.raw ? 'raw' : 'ema' });
      process.stdout.write(`${resolve(o.out)}\n`);
    });
}
