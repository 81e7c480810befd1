// `flowpaint train-upscaler`: trains the learned super-resolution stage (×2, ×4, ×8) on rendered scene pairs
// (src/train/upscaler.ts) and writes upscaler.safetensors, which a model directory ships beside
// its weights; generate and edit then use it for sizes above the model's own.
import { copyFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { UPSCALER_LOSSES, UPSCALER_SMALL, UPSCALER_TINY, UPSCALER_WEIGHTS, type UpscalerConfig, type UpscalerLoss } from '../../model/upscaler.ts';
import { trainUpscaler } from '../../train/upscaler.ts';
import { UsageError } from '../errors.ts';
import { parseNumber } from '../output.ts';

const PRESETS: Record<string, UpscalerConfig> = { small: UPSCALER_SMALL, tiny: UPSCALER_TINY };

export function registerTrainUpscalerCommand(program: Command): void {
  program
    .command('train-upscaler')
    .description('train the ×2/×4/×8 upscaler (used for sizes above the model\'s native size) on exact low/high pairs of rendered scenes')
    .requiredOption('--run-dir <dir>', 'where the checkpoint and upscaler.safetensors go')
    .option('--minutes <m>', 'training budget in wall-clock minutes, counting earlier runs when resuming', parseNumber('--minutes', { min: 0.05, max: 100000 }), 40)
    .option('--preset <name>', `network size: ${Object.keys(PRESETS).join(', ')}`, 'small')
    .option('--channels <n>', 'feature channels (overrides the preset)', parseNumber('--channels', { integer: true, min: 1, max: 256 }))
    .option('--layers <n>', 'number of 3×3 convolutions (overrides the preset)', parseNumber('--layers', { integer: true, min: 2, max: 32 }))
    .option('--batch <n>', 'crops per step', parseNumber('--batch', { integer: true, min: 1, max: 1024 }), 12)
    .option('--crop <px>', 'side of the input crops (the ×8 targets are 8 times as large)', parseNumber('--crop', { integer: true, min: 8, max: 128 }), 24)
    .option('--lr <x>', 'peak learning rate (AdamW, warm-up then cosine)', parseNumber('--lr', { min: 1e-7, max: 1 }), 1e-3)
    .option('--loss <name>', `per-pixel loss: ${UPSCALER_LOSSES.join(', ')} (plain l1 leaves the heads at Lanczos)`, 'l2+l1')
    .option('--margin <px>', 'input pixels on each crop side left out of the loss (where the convolutions see padding)', parseNumber('--margin', { integer: true, min: 0, max: 63 }), 0)
    .option('--head-init <std>', 'std of the heads\' initial weights (0: start as exactly Lanczos)', parseNumber('--head-init', { min: 0, max: 1 }), 0)
    .option('--snapped-share <x>', "share of inputs rendered at the low size (as the base model draws, edges up to half a pixel off the targets) instead of downsampled from the target", parseNumber('--snapped-share', { min: 0, max: 1 }), 0)
    .option('--max-steps <n>', 'stop after this many steps; the learning-rate schedule then runs over steps, not minutes', parseNumber('--max-steps', { integer: true, min: 1, max: 100000000 }))
    .option('--seed <s>', 'seed for initial weights and the scene stream', parseNumber('--seed', { integer: true, min: 0, max: 0xffffffff }), 1)
    .option('--threads <n>', 'compute threads (default: all cores)', parseNumber('--threads', { integer: true, min: 1, max: 256 }))
    .option('--resume', 'continue from the checkpoint in --run-dir')
    .option('--install <model-dir>', 'copy the trained upscaler.safetensors into this model directory when done')
    .action(async (o: { runDir: string; minutes: number; preset: string; channels?: number; layers?: number; batch: number; crop: number; lr: number; loss: string; margin: number; headInit: number; snappedShare: number; maxSteps?: number; seed: number; threads?: number; resume?: boolean; install?: string }) => {
      const preset = PRESETS[o.preset];
      if (!preset) throw new UsageError(`--preset must be one of ${Object.keys(PRESETS).join(', ')}, got '${o.preset}'`);
      if (!UPSCALER_LOSSES.includes(o.loss as UpscalerLoss)) throw new UsageError(`--loss must be one of ${UPSCALER_LOSSES.join(', ')}, got '${o.loss}'`);
      if (2 * o.margin >= o.crop) throw new UsageError(`--margin ${o.margin} leaves nothing of a ${o.crop}² crop to score (it must be under half of --crop)`);
      if (o.install && !existsSync(join(resolve(o.install), 'config.json'))) throw new UsageError(`--install ${o.install} is not a model directory (no config.json)`);
      const controller = new AbortController();
      const onSignal = () => {
        process.stderr.write('\nstopping after this step and writing a checkpoint\n');
        controller.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const r = await trainUpscaler({
          runDir: resolve(o.runDir),
          minutes: o.minutes,
          config: { channels: o.channels ?? preset.channels, layers: o.layers ?? preset.layers },
          batch: o.batch,
          crop: o.crop,
          lr: o.lr,
          loss: o.loss as UpscalerLoss,
          margin: o.margin,
          headInit: o.headInit,
          snappedShare: o.snappedShare,
          maxSteps: o.maxSteps,
          seed: o.seed,
          threads: o.threads,
          resume: Boolean(o.resume),
          signal: controller.signal,
          log: (line) => process.stderr.write(`${line}\n`),
        });
        process.stderr.write(`train-upscaler: ${r.steps} steps, ${(r.trainSeconds / 60).toFixed(1)} min, final loss ${r.finalL1.toFixed(5)}\n`);
        if (o.install) copyFileSync(r.weightsPath, join(resolve(o.install), UPSCALER_WEIGHTS));
        process.stdout.write(`${o.install ? join(resolve(o.install), UPSCALER_WEIGHTS) : r.weightsPath}\n`);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
