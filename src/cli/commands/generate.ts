// `flowpaint generate` and `flowpaint edit`.
import type { Command } from 'commander';
import { fitSize, type GeneratedImage, type Mask, type Pipeline, parseSize, readImage, readMask, readPngText, resizeImage, resizeMask } from '../../pipeline/index.ts';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError } from '../errors.ts';
import { type ImageCommandOptions, outputOptions, runtimeOptions, stepsOption } from '../image-options.ts';
import { parseInterval, parseNumber, planOutputs, redrawNotice, resolvePrompt, stepProgress, writeOutputs } from '../output.ts';
import { loadCliPipeline } from '../policy.ts';

interface SharedOptions extends ImageCommandOptions {
  steps?: number;
  guidance?: number;
  fast?: boolean;
  sampler: 'euler' | 'heun';
  model?: string;
}

function shared(cmd: Command): Command {
  const own = stepsOption(outputOptions(cmd), '20; 4 with --fast')
    .option('--guidance <g>', "text guidance scale (default: the model's measured scale from its config.json, else 4)", parseNumber('--guidance', { min: 0, max: 30 }))
    .option('--fast', 'the few-step mode, 4 steps: Flash (the distilled student, one pass per step, its guidance built in, or taken from --guidance within the range it was distilled for) when the model directory has flash.safetensors, else the model itself')
    .option('--sampler <name>', 'euler or heun', (v) => {
      if (v !== 'euler' && v !== 'heun') throw new UsageError(`--sampler must be euler or heun, got '${v}'`);
      return v;
    }, 'euler')
    .option('--model <dir>', 'model directory (default: the shipped model in models/default; a diffusers FLUX.2 [klein] or Z-Image folder runs that model, see docs/flux2-klein.md and docs/zimage.md)');
  return runtimeOptions(own);
}

interface WorkCallbacks {
  onStep: () => void;
  onUpscale: (e: { factor: number }) => void;
  onRedraw: ReturnType<typeof redrawNotice>;
}

/**
 * Progress counts sampling steps and, for sizes above the model's own, one tick per image for the
 * learned upscale (the cascade's second stage), named on the bar when it runs; an image the output
 * filter refused and the pipeline draws again adds its steps.
 */
async function run(o: SharedOptions, label: string, work: (pipe: Pipeline, callbacks: WorkCallbacks) => Promise<GeneratedImage[]>, plan: ReturnType<typeof planOutputs>, stepsPerImage: (pipe: Pipeline) => number) {
  const pipe = await loadCliPipeline(o);
  const perImage = stepsPerImage(pipe);
  const progress = stepProgress(perImage * o.n, label);
  try {
    const images = await work(pipe, {
      onStep: () => progress.tick(),
      onUpscale: (e) => progress.tick(`(upscale ×${e.factor})`),
      onRedraw: redrawNotice(progress, perImage),
    });
    progress.stop();
    await writeOutputs(plan, images, Boolean(o.sidecar));
  } finally {
    progress.stop();
    await pipe.release();
  }
}

export function registerGenerateCommands(program: Command): void {
  shared(
    program
      .command('generate')
      .description('make images from a text prompt')
      .argument('[prompt]', 'what to draw (or use --prompt-file)')
      .option('--size <WxH>', "image size: sides multiples of 16, at least 64, at most 1,048,576 pixels (default: the model's native size, 128x128 for the shipped model)")
      .option('--negative <text>', 'what to steer away from (negative prompt)')
      .option('--guidance-interval <lo,hi>', "guide only while the noise level is in [lo, hi], e.g. 0.2,0.8 (fewer passes; default: the model's sampling.guidanceInterval, else every step)", parseInterval('--guidance-interval')),
  ).action(async (promptArg: string | undefined, o: SharedOptions & { size?: string; negative?: string; guidanceInterval?: [number, number] }) => {
    const prompt = resolvePrompt(promptArg, o.promptFile, 'prompt');
    const asked = o.size === undefined ? undefined : parseSize(o.size, '--size');
    const plan = planOutputs(o.out, o.n, o.format, `flowpaint-${Date.now()}`);
    const steps = o.steps ?? (o.fast ? 4 : 20);
    const sizeFor = (pipe: Pipeline) => asked ?? pipe.info.sizes.native;
    await run(o, 'generate', (pipe, callbacks) => {
      return pipe.generate({ prompt, negativePrompt: o.negative, ...sizeFor(pipe), n: o.n, seed: o.seed, steps, guidance: o.guidance, guidanceInterval: o.guidanceInterval, fast: o.fast, sampler: o.sampler, ...callbacks });
    }, plan, (pipe) => {
      const size = sizeFor(pipe);
      return steps + (pipe.plan(size.width, size.height).upscale ? 1 : 0);
    });
  });

  shared(
    program
      .command('edit')
      .description('edit an image by instruction, or repaint the white part of --mask (inpainting)')
      .argument('<image>', 'the image to edit')
      .argument('[instruction]', 'what to change (or use --prompt-file)')
      .option('--mask <file>', 'mask image of the same size: white = change, black = keep exactly')
      .option('--image-guidance <g>', 'how closely to follow the source image (default 1.5)', parseNumber('--image-guidance', { min: 0, max: 30 })),
  ).action(async (imagePath: string, instructionArg: string | undefined, o: SharedOptions & { mask?: string; imageGuidance?: number }) => {
    const instruction = resolvePrompt(instructionArg, o.promptFile, 'instruction');
    let image = await readImage(imagePath);
    let mask: Mask | undefined = o.mask ? await readMask(o.mask, image.width, image.height) : undefined;
    const fit = fitSize(image.width, image.height);
    if (fit.width !== image.width || fit.height !== image.height) {
      // The model works on sides that are multiples of 16 within the pixel limit.
      process.stderr.write(`flowpaint: working at ${fit.width}x${fit.height} (the input is ${image.width}x${image.height})\n`);
      image = await resizeImage(image, fit.width, fit.height);
      if (mask) mask = await resizeMask(mask, fit.width, fit.height);
    }
    const plan = planOutputs(o.out, o.n, o.format, `flowpaint-edit-${Date.now()}`);
    const steps = o.steps ?? (o.fast ? 4 : 20);
    const history = previousHistory(imagePath);
    // The input file, byte for byte: the C2PA manifest names it as the parent ingredient.
    const parent = { bytes: readFileSync(imagePath), title: basename(imagePath) };
    await run(o, 'edit', async (pipe, callbacks) => {
      const out = await pipe.edit({ image, instruction, mask, n: o.n, seed: o.seed, steps, guidance: o.guidance, imageGuidance: o.imageGuidance, fast: o.fast, sampler: o.sampler, ...callbacks });
      // Each round records the rounds before it, so a chain of edits can be replayed exactly.
      for (const img of out) {
        img.metadata['flowpaint:history'] = JSON.stringify([...history, JSON.parse(img.metadata['flowpaint:parameters']!)]);
        img.provenance = { ...img.provenance, parent };
      }
      return out;
    }, plan, (pipe) => {
      // Larger than the model's own area: the edit window is upscaled back (one more tick), unless it is the bucket's size.
      const { native } = pipe.info.sizes;
      return steps + (pipe.upscaler && image.width * image.height > native.width * native.height ? 1 : 0);
    });
  });
}

/** The edit history carried in a PNG made by flowpaint (empty for other images). */
function previousHistory(path: string): unknown[] {
  if (!path.toLowerCase().endsWith('.png')) return [];
  const meta = readPngText(readFileSync(path));
  const raw = meta['flowpaint:history'] ?? (meta['flowpaint:parameters'] ? `[${meta['flowpaint:parameters']}]` : undefined);
  try {
    return raw ? (JSON.parse(raw) as unknown[]) : [];
  } catch {
    return [];
  }
}
