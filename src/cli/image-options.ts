// The options every image-making command line shares, defined once: generate and edit for
// flowpaint's own models (commands/generate.ts) and for diffusers folders (FLUX.2 [klein],
// Z-Image: commands/diffusers.ts) take the same outputs and runtime flags with the same parsing and help;
// serve and eval take --quantize with the same parser.
import type { Command } from 'commander';
import { DEVICES, type Device, parseDevice, QUANTIZATIONS, type Quantization } from '../engine/index.ts';
import { UsageError } from './errors.ts';
import { parseNumber } from './output.ts';

/** What outputOptions and runtimeOptions add to a command's options object. */
export interface ImageCommandOptions {
  out?: string;
  seed?: number;
  n: number;
  format?: string;
  promptFile?: string;
  sidecar?: boolean;
  threads?: number;
  quantize?: Quantization;
  device?: Device;
  safetyConfig?: string;
}

export function parseQuantize(v: string): Quantization {
  if (!(QUANTIZATIONS as readonly string[]).includes(v)) throw new UsageError(`--quantize must be one of ${QUANTIZATIONS.join(', ')}, got '${v}'`);
  return v as Quantization;
}

export const DEVICE_HELP = `where the model runs: ${DEVICES.join(' or ')} (CUDA: ONNX Runtime's CUDA provider, added separately; see docs/flux2-klein.md, "GPU"); default $FLOWPAINT_DEVICE, else cpu`;

export const QUANTIZE_HELP = 'linear layers in int8 (faster on CPUs with int8 dot products) or int4 (4-bit weights); default none (float32)';

/** Where the images go and what is asked of them: -o, --seed, --n, --format, --prompt-file, --sidecar. */
export function outputOptions(cmd: Command): Command {
  return cmd
    .option('-o, --out <file>', 'output image (with --n K: FILE-1.png … FILE-K.png)')
    .option('--seed <s>', 'random seed (reproducible bit for bit on the same machine)', parseNumber('--seed', { integer: true, min: 0, max: 0xffffffff }))
    .option('--n <k>', 'number of images', parseNumber('--n', { integer: true, min: 1, max: 8 }), 1)
    .option('--format <fmt>', 'png, jpeg or webp (default: from the -o extension, else png)')
    .option('--prompt-file <file>', 'read the prompt from a file (- for standard input), for long prompts')
    .option('--sidecar', 'also write the generation parameters to FILE.json');
}

/** --steps with the model family's own default in its help. */
export function stepsOption(cmd: Command, defaultText: string): Command {
  return cmd.option('--steps <n>', `sampling steps (default ${defaultText})`, parseNumber('--steps', { integer: true, min: 1, max: 200 }));
}

/** How the model runs and what it may make: --threads, --quantize, --device, --safety-config. */
export function runtimeOptions(cmd: Command, quantizeHelp = QUANTIZE_HELP): Command {
  return cmd
    .option('--threads <n>', 'compute threads (default: all cores)', parseNumber('--threads', { integer: true, min: 1, max: 256 }))
    .option('--quantize <mode>', quantizeHelp, parseQuantize)
    .option('--device <device>', DEVICE_HELP, (v: string) => parseDevice(v))
    .option('--safety-config <file>', 'safety policy JSON: thresholds and category switches (default: $FLOWPAINT_SAFETY_CONFIG, else the built-in policy; see SAFETY.md)');
}
