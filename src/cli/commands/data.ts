// `flowpaint data preview`: a captioned grid of generated training samples, so a person can
// see what the model learns from.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { InputError } from '../../data/errors.ts';
import { writePreview } from '../../data/preview.ts';

function intOption(name: string, lo: number, hi: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < lo || n > hi) {
      throw new InputError(`--${name} must be an integer from ${lo} to ${hi}, got "${value}"`);
    }
    return n;
  };
}

export function registerDataCommand(program: Command): void {
  const data = program.command('data').description('inspect the generated training data');
  data
    .command('preview')
    .description('write a grid of generated samples with their captions (or edit triplets with instructions)')
    .option('--n <count>', 'number of samples', intOption('n', 1, 256), 16)
    .option('-o, --output <file>', 'PNG file to write', 'grid.png')
    .option('--size <px>', 'side of each sample (multiple of 16, at least 64)', intOption('size', 64, 1024), 128)
    .option('--seed <seed>', 'seed of the first sample', intOption('seed', 0, Number.MAX_SAFE_INTEGER), 0)
    .option('--edits', 'show edit pairs: source | target | mask, with the instruction', false)
    .option('--heldout', 'draw from the held-out split instead of training', false)
    .action(async (opts: { n: number; output: string; size: number; seed: number; edits: boolean; heldout: boolean }) => {
      if (opts.size % 16 !== 0) throw new InputError(`--size must be a multiple of 16, got ${opts.size}`);
      if (!opts.output.toLowerCase().endsWith('.png')) throw new InputError(`--output must be a .png file, got "${opts.output}"`);
      const out = resolve(opts.output);
      await writePreview(out, { n: opts.n, size: opts.size, seed: opts.seed, edits: opts.edits, split: opts.heldout ? 'heldout' : 'train' });
      process.stdout.write(`${out}\n`);
    });
}
