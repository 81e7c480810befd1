// `flowpaint distill` (train a Flash student of a model directory) and `flowpaint distill-export`
// (write a run's student beside the base weights). The work is imported when a command runs, so
// `flowpaint --help` does not load the engine.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Quantization } from '../../engine/quantize.ts';
import { UsageError } from '../errors.ts';
import { parseQuantize } from '../image-options.ts';

function positiveInt(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive integer, got '${v}'`);
    return n;
  };
}

export function registerDistillCommands(program: Command): void {
  program
    .command('distill')
    .description('distil a model into Flash, a few-step student with one forward pass per step (resumable; see docs/flash.md)')
    .argument('[model-dir]', 'the teacher: a model directory', 'models/default')
    .requiredOption('--run-dir <dir>', 'where the checkpoint and metrics go')
    .option('--config <preset|file>', 'distillation preset (tiny, small) or a JSON file {"extends": "small", ...}', 'small')
    .option('--resume', 'continue the run in --run-dir from its last checkpoint')
    .option('--max-steps <n>', 'stop after this many steps in this invocation', positiveInt('--max-steps'))
    .option('--export', 'when the run reaches its last step, write the student into the model directory (distill-export)')
    .option('--no-progress', 'no progress bar (log lines only)')
    .action(async (modelDir: string, o: { runDir: string; config: string; resume?: boolean; maxSteps?: number; export?: boolean; progress: boolean }) => {
      const [{ loadDistillConfig }, { distill, exportFlash }, { default: cliProgress }] = await Promise.all([
        import('../../train/distill-config.ts'),
        import('../../train/distill.ts'),
        import('cli-progress'),
      ]);
      const config = loadDistillConfig(o.config);
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
        ? new cliProgress.SingleBar({ stream: process.stderr, format: 'distill |{bar}| step {value}/{total} | loss {loss} | {pps} pairs/s | ETA {eta_formatted}', etaBuffer: 20 }, cliProgress.Presets.shades_classic)
        : undefined;
      let started = false;
      try {
        const result = await distill({
          modelDir: resolve(modelDir),
          runDir,
          config,
          resume: Boolean(o.resume),
          maxSteps: o.maxSteps,
          signal: controller.signal,
          command: `flowpaint ${process.argv.slice(2).join(' ')}`,
          onProgress: (p) => {
            if (bar) {
              if (!started) bar.start(p.steps, p.step - 1, { loss: '-', pps: '-' });
              started = true;
              bar.update(p.step, { loss: p.loss.toFixed(4), pps: p.pairsPerSecond.toFixed(1) });
            } else {
              process.stderr.write(`step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} ${p.pairsPerSecond.toFixed(1)} pairs/s\n`);
            }
          },
        });
        bar?.stop();
        process.stderr.write(`step ${result.step}, loss ${result.lastLoss.toFixed(4)}, ${(result.trainSeconds / 3600).toFixed(2)} h of distillation so far\n`);
        if (o.export && result.step >= config.steps) process.stdout.write(`${exportFlash(runDir).path}\n`);
        else process.stdout.write(`${result.checkpoint}\n`);
      } finally {
        bar?.stop();
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
      }
    });

  program
    .command('distill-export')
    .description("write a distillation run's student (EMA weights) into its model directory as flash.safetensors; --fast then uses it")
    .argument('<run-dir>', 'the distillation run directory')
    .option('--model <dir>', 'the model directory to write into (default: the teacher the run distilled)')
    .option('--quantize <mode>', "how Flash's linear layers run by default: none (float32), int8 or int4; a request's --quantize overrides it (default none)", parseQuantize)
    .action(async (runDir: string, o: { model?: string; quantize?: Quantization }) => {
      const { exportFlash } = await import('../../train/distill.ts');
      const { path, entry } = exportFlash(resolve(runDir), o.model ? resolve(o.model) : undefined, o.quantize ? { quantize: o.quantize } : {});
      process.stderr.write(`Flash: ${entry.steps} steps, distilled from ${entry.teacherSteps} teacher steps at guidance ${entry.guidance} (${String(entry.training?.steps)} of ${String(entry.training?.of_steps)} distillation steps)\n`);
      process.stdout.write(`${path}\n`);
    });
}
