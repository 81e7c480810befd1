// `flowpaint generate|edit --model DIR` when DIR is a diffusers folder (it has model_index.json):
// FLUX.2 [klein] or Z-Image, with the same command lines, outputs, exit codes, safety and
// provenance as with flowpaint's own models, through src/pipeline/diffusers.ts. main.ts sends such
// command lines here. The own models' sampling options that a folder's pipeline does not have are
// refused by name: klein is step-distilled (no guidance at all); Z-Image takes --guidance and
// --negative (its Turbo checkpoint samples without guidance by default); --fast, --sampler,
// --image-guidance and --guidance-interval apply to neither.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command } from 'commander';
import { resolveProvider } from '../../engine/index.ts';
import { type DiffusersKind, defaultStepsFor, diffusersKind } from '../../model/diffusers/detect.ts';
import { parseSize, readImage, readMask } from '../../pipeline/index.ts';
import { DiffusersPipeline } from '../../pipeline/diffusers.ts';
import { UsageError } from '../errors.ts';
import { type ImageCommandOptions, outputOptions, runtimeOptions, stepsOption } from '../image-options.ts';
import { parseNumber, planOutputs, redrawNotice, resolvePrompt, stepProgress, writeOutputs } from '../output.ts';
import { readSafetyConfig } from '../policy.ts';

interface Options extends ImageCommandOptions {
  steps?: number;
  model: string;
  guidance?: number;
}

const LABEL: Record<DiffusersKind, string> = { 'flux2-klein': 'FLUX.2 [klein]', 'z-image': 'Z-Image' };
const NOT_FOR: Record<DiffusersKind, string[]> = {
  'flux2-klein': ['--fast', '--sampler', '--guidance', '--negative', '--image-guidance', '--guidance-interval'],
  'z-image': ['--fast', '--sampler', '--image-guidance', '--guidance-interval'],
};
const WHY: Record<DiffusersKind, string> = {
  'flux2-klein': 'step-distilled: 4 steps, no guidance',
  'z-image': 'Euler steps; --guidance and --negative are its only sampling options',
};

function shared(cmd: Command, kind: DiffusersKind): Command {
  const own = cmd.requiredOption('--model <dir>', 'a diffusers folder (model_index.json, transformer/, text_encoder/, tokenizer/, vae/, scheduler/)');
  if (kind === 'z-image') own.option('--guidance <g>', 'classifier-free guidance scale (default 0: Z-Image-Turbo samples without; the base Z-Image wants about 4)', parseNumber('--guidance', { min: 0, max: 30 }));
  const why = kind === 'z-image' ? 'Z-Image-Turbo is distilled for 8' : 'klein is step-distilled';
  return runtimeOptions(
    stepsOption(outputOptions(own), `${defaultStepsFor(kind)}: ${why}`),
    'linear layers of the text encoder and transformer in int8 or int4 (the VAE stays float32); default none (float32)',
  );
}

function load(o: Options): DiffusersPipeline {
  return DiffusersPipeline.load({
    modelDir: o.model,
    threads: o.threads,
    quantize: o.quantize,
    provider: resolveProvider(o.device),
    safetyConfig: readSafetyConfig(o.safetyConfig ?? process.env.FLOWPAINT_SAFETY_CONFIG),
  });
}

/** The --model folder of a command line (main.ts has checked it is a diffusers folder). */
function modelOf(argv: string[]): string {
  const i = argv.findIndex((a) => a === '--model' || a.startsWith('--model='));
  return argv[i]!.startsWith('--model=') ? argv[i]!.slice('--model='.length) : argv[i + 1]!;
}

/** Runs a generate/edit command line against a diffusers folder. */
export async function runDiffusersCommand(argv: string[]): Promise<void> {
  // An unreadable or unknown model_index.json is reported by the loader, naming the file.
  const kind = diffusersKind(modelOf(argv)) ?? 'flux2-klein';
  const refused = argv.slice(2).find((a) => NOT_FOR[kind].includes(a.split('=')[0]!));
  if (refused) throw new UsageError(`${refused} does not apply to ${LABEL[kind]} (${WHY[kind]})`);
  const defaultSteps = defaultStepsFor(kind);
  const program = new Command().name('flowpaint').exitOverride().showHelpAfterError();
  const generate = program
    .command('generate')
    .description(`make images from a text prompt with a ${LABEL[kind]} folder`)
    .argument('[prompt]', 'what to draw (or use --prompt-file)')
    .option('--size <WxH>', 'image size: sides multiples of 16, at most 1,048,576 pixels (default 1024x1024)');
  if (kind === 'z-image') generate.option('--negative <text>', 'what to steer away from (with --guidance above 0)');
  shared(generate, kind).action(async (promptArg: string | undefined, o: Options & { size?: string; negative?: string }) => {
    const prompt = resolvePrompt(promptArg, o.promptFile, 'prompt');
    const plan = planOutputs(o.out, o.n, o.format, `flowpaint-${Date.now()}`);
    const pipe = load(o);
    const size = o.size === undefined ? pipe.nativeSize : parseSize(o.size, '--size');
    const steps = o.steps ?? defaultSteps;
    const progress = stepProgress(steps * o.n, 'generate');
    try {
      const images = await pipe.generate({ prompt, negativePrompt: o.negative, guidance: o.guidance, ...size, n: o.n, seed: o.seed, steps, onStep: () => progress.tick(), onRedraw: redrawNotice(progress, steps) });
      progress.stop();
      await writeOutputs(plan, images, Boolean(o.sidecar));
    } finally {
      progress.stop();
      await pipe.release();
    }
  });
  const editHelp = kind === 'z-image'
    ? 'repaint the white part of --mask (Z-Image is text-to-image: a mask is required)'
    : 'edit an image by instruction (the image is the reference the model attends to), or repaint the white part of --mask';
  shared(
    program
      .command('edit')
      .description(editHelp)
      .argument('<image>', 'the image to edit (sides multiples of 16)')
      .argument('[instruction]', 'what to change (or use --prompt-file)')
      .option('--mask <file>', 'mask image of the same size: white = change, black = keep exactly (pinned to the input in the latents while sampling, then its bytes)'),
    kind,
  ).action(async (imagePath: string, instructionArg: string | undefined, o: Options & { mask?: string }) => {
    if (kind === 'z-image' && !o.mask) throw new UsageError('Z-Image is a text-to-image model: edit needs --mask (inpainting: white = repaint); instruction edits are not supported');
    const instruction = resolvePrompt(instructionArg, o.promptFile, 'instruction');
    const image = await readImage(imagePath);
    const mask = o.mask ? await readMask(o.mask, image.width, image.height) : undefined;
    const plan = planOutputs(o.out, o.n, o.format, `flowpaint-edit-${Date.now()}`);
    const pipe = load(o);
    const steps = o.steps ?? defaultSteps;
    const parent = { bytes: readFileSync(imagePath), title: basename(imagePath) };
    const progress = stepProgress(steps * o.n, 'edit');
    try {
      const images = await pipe.edit({ image, instruction, mask, guidance: o.guidance, n: o.n, seed: o.seed, steps, onStep: () => progress.tick(), onRedraw: redrawNotice(progress, steps) });
      for (const img of images) img.provenance = { ...img.provenance, parent };
      progress.stop();
      await writeOutputs(plan, images, Boolean(o.sidecar));
    } finally {
      progress.stop();
      await pipe.release();
    }
  });
  await program.parseAsync(argv);
}
