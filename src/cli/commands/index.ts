// Every subcommand lives in its own module, listed here in the order `--help` shows them: making
// images first, then serving, training, measuring, and the data.
//
// A module is imported only when its command runs. Loading them all cost 2.4 s of CPU before any
// work (the pipeline with the safety filters, the server, the eval scorer, pptxgenjs, BullMQ…), so
// `flowpaint --help` took a second and every command paid for all the others. The top-level help
// is drawn from COMMAND_SUMMARY instead; cli.test.ts checks it against the real registrations.
import type { Command } from 'commander';

type Register = (program: Command) => void;

export interface CommandModule {
  /** The commands the module registers. */
  commands: string[];
  load: () => Promise<Register>;
}

export const COMMAND_MODULES: CommandModule[] = [
  { commands: ['generate', 'edit'], load: async () => (await import('./generate.ts')).registerGenerateCommands },
  { commands: ['slides'], load: async () => (await import('./slides.ts')).registerSlidesCommand },
  { commands: ['photos'], load: async () => (await import('./photos.ts')).registerPhotosCommand },
  { commands: ['serve'], load: async () => (await import('./serve.ts')).registerServeCommand },
  { commands: ['worker'], load: async () => (await import('./worker.ts')).registerWorkerCommand },
  { commands: ['train', 'export'], load: async () => (await import('./train.ts')).registerTrainCommands },
  { commands: ['train-upscaler'], load: async () => (await import('./train-upscaler.ts')).registerTrainUpscalerCommand },
  { commands: ['distill', 'distill-export'], load: async () => (await import('./distill.ts')).registerDistillCommands },
  { commands: ['eval', 'train-scorer'], load: async () => (await import('./eval.ts')).registerEvalCommand },
  { commands: ['redteam'], load: async () => (await import('./redteam.ts')).registerRedteamCommand },
  { commands: ['data'], load: async () => (await import('./data.ts')).registerDataCommand },
];

/** [name, usage term, description] of every command, as the top-level help lists them. */
export const COMMAND_SUMMARY: [string, string, string][] = [
  ['generate', 'generate [options] [prompt]', 'make images from a text prompt'],
  ['edit', 'edit [options] <image> [instruction]', 'edit an image by instruction, or repaint the white part of --mask (inpainting)'],
  ['slides', 'slides [options] <outline>', 'make a .pptx deck from a Markdown outline, with a generated picture per slide'],
  ['photos', 'photos', 'a library over a folder of photos: index, thumbnails, batch edits, versions (originals are never modified)'],
  ['serve', 'serve [options]', 'serve the OpenAI-compatible Images API (POST /v1/images/generations, /v1/images/edits)'],
  ['worker', 'worker [options]', 'run jobs from the Redis queue that `flowpaint serve --redis` fills'],
  ['train', 'train [options]', 'train a model on generated scenes and edit pairs (checkpoints go to the run directory)'],
  ['export', 'export [options] <run-dir>', "write a run's EMA weights (or --raw) as a model directory for generate/edit --model"],
  ['train-upscaler', 'train-upscaler [options]', "train the ×2/×4/×8 upscaler (used for sizes above the model's native size) on exact low/high pairs of rendered scenes"],
  ['distill', 'distill [options] [model-dir]', 'distil a model into Flash, a few-step student with one forward pass per step (resumable; see docs/flash.md)'],
  ['distill-export', 'distill-export [options] <run-dir>', "write a distillation run's student (EMA weights) into its model directory as flash.safetensors; --fast then uses it"],
  ['eval', 'eval [options] <suite>', 'measure a model: compose (objects, counts, colours, positions, relations), edit, text (OCR), speed, all; or the scorer itself'],
  ['train-scorer', 'train-scorer [options]', "train the evaluation scorer on rendered scenes with flowpaint's engine and measure it on held-out renders"],
  ['redteam', 'redteam [options]', 'measure the safety filters on the red-team suite (pre- and post-mitigation)'],
  ['data', 'data', 'inspect the generated training data'],
];

/** Registers every command for real (imports every module). */
export async function registerCommands(program: Command): Promise<void> {
  for (const m of COMMAND_MODULES) (await m.load())(program);
}

/**
 * Registers what this command line needs: the module of the command it names (also after
 * `help`), or, for the top-level help, version and unknown commands, summary entries only.
 */
export async function registerCommandsFor(program: Command, args: string[]): Promise<void> {
  const positional = args.filter((a) => !a.startsWith('-'));
  const name = positional[0] === 'help' ? positional[1] : positional[0];
  const module = COMMAND_MODULES.find((m) => name !== undefined && m.commands.includes(name));
  if (module) {
    (await module.load())(program);
    return;
  }
  const terms = new Map(COMMAND_SUMMARY.map(([n, term]) => [n, term]));
  for (const [n, , description] of COMMAND_SUMMARY) program.command(n).description(description);
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? cmd.name() });
}
