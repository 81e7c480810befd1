// `flowpaint generate|edit --model DIR` when DIR is a diffusers FLUX.2 [klein] folder (it has
// model_index.json): the same command lines, outputs, exit codes, safety and provenance as with
// flowpaint's own models, through src/pipeline/klein.ts. main.ts sends such command lines here.
// klein is step-distilled (4 steps, no guidance), so the own model's sampling options
// (--fast, --sampler, --guidance, --negative, --image-guidance) do not apply and are refused.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command } from 'commander';
import { parseSize, readImage, readMask } from '../../pipeline/index.ts';
import { KLEIN_DEFAULT_STEPS, KleinPipeline } from '../../pipeline/klein.ts';
import { UsageError } from '../errors.ts';
import { type ImageCommandOptions, outputOptions, runtimeOptions, stepsOption } from '../image-options.ts';
import { planOutputs, redrawNotice, resolvePrompt, stepProgress, writeOutputs } from '../output.ts';
import { readSafetyConfig } from '../policy.ts';

interface Options extends ImageCommandOptions {
  steps?: number;
  model: string;
}

const NOT_FOR_KLEIN = ['--fast', '--sampler', '--guidance', '--negative', '--image-guidance'];

function shared(cmd: Command): Command {
  const own = cmd.requiredOption('--model <dir>', 'a diffusers FLUX.2 [klein] folder (model_index.json, transformer/, text_encoder/, tokenizer/, vae/, scheduler/)');
  return runtimeOptions(
    stepsOption(outputOptions(own), `${KLEIN_DEFAULT_STEPS}: klein is step-distilled`),
    'linear layers of the text encoder and transformer in int8 or int4 (the VAE stays float32); default none (float32)',
  );
}

function load(o: Options): KleinPipeline {
  return KleinPipeline.load({
    modelDir: o.model,
    threads: o.threads,
    quantize: o.quantize,
    safetyConfig: readSafetyConfig(o.safetyConfig ?? process.env.FLOWPAINT_SAFETY_CONFIG),
  });
}

/** Runs a generate/edit command line against a diffusers folder. */
export async function runKleinCommand(argv: string[]): Promise<void> {
  const refused = argv.slice(2).find((a) => NOT_FOR_KLEIN.includes(a.split('=')[0]!));
  if (refused) throw new UsageError(`${refused} does not apply to FLUX.2 [klein] (step-distilled: ${KLEIN_DEFAULT_STEPS} steps, no guidance)`);
  const program = new Command().name('flowpaint').exitOverride().showHelpAfterError();
  shared(
    program
      .command('generate')
      .description('make images from a text prompt with a FLUX.2 [klein] folder')
      .argument('[prompt]', 'what to draw (or use --prompt-file)')
      .option('--size <WxH>', 'image size: sides multiples of 16, at most 1,048,576 pixels (default 1024x1024)'),
  ).action(async (promptArg: string | undefined, o: Options & { size?: string }) => {
    const prompt = resolvePrompt(promptArg, o.promptFile, 'prompt');
    const plan = planOutputs(o.out, o.n, o.format, `flowpaint-${Date.now()}`);
    const pipe = load(o);
    const size = o.size === undefined ? pipe.nativeSize : parseSize(o.size, '--size');
    const steps = o.steps ?? KLEIN_DEFAULT_STEPS;
    const progress = stepProgress(steps * o.n, 'generate');
    try {
      const images = await pipe.generate({ prompt, ...size, n: o.n, seed: o.seed, steps, onStep: () => progress.tick(), onRedraw: redrawNotice(progress, steps) });
      progress.stop();
      await writeOutputs(plan, images, Boolean(o.sidecar));
    } finally {
      progress.stop();
      await pipe.release();
    }
  });
  shared(
    program
      .command('edit')
      .description('edit an image by instruction (the image is the reference the model attends to), or repaint the white part of --mask')
      .argument('<image>', 'the image to edit (sides multiples of 16)')
      .argument('[instruction]', 'what to change (or use --prompt-file)')
      .option('--mask <file>', 'mask image of the same size: white = change, black = keep exactly (pinned to the input in the latents while sampling, then its bytes)'),
  ).action(async (imagePath: string, instructionArg: string | undefined, o: Options & { mask?: string }) => {
    const instruction = resolvePrompt(instructionArg, o.promptFile, 'instruction');
    const image = await readImage(imagePath);
    const mask = o.mask ? await readMask(o.mask, image.width, image.height) : undefined;
    const plan = planOutputs(o.out, o.n, o.format, `flowpaint-edit-${Date.now()}`);
    const pipe = load(o);
    const steps = o.steps ?? KLEIN_DEFAULT_STEPS;
    const parent = { bytes: readFileSync(imagePath), title: basename(imagePath) };
    const progress = stepProgress(steps * o.n, 'edit');
    try {
      const images = await pipe.edit({ image, instruction, mask, n: o.n, seed: o.seed, steps, onStep: () => progress.tick(), onRedraw: redrawNotice(progress, steps) });
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
