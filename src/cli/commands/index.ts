// Every subcommand lives in its own module and is registered here, in the order `--help` lists
// them: making images first, then serving, training, measuring, and the data.
import type { Command } from 'commander';
import { registerDataCommand } from './data.ts';
import { registerDistillCommands } from './distill.ts';
import { registerEvalCommand } from './eval.ts';
import { registerGenerateCommands } from './generate.ts';
import { registerPhotosCommand } from './photos.ts';
import { registerRedteamCommand } from './redteam.ts';
import { registerServeCommand } from './serve.ts';
import { registerSlidesCommand } from './slides.ts';
import { registerTrainCommands } from './train.ts';
import { registerTrainUpscalerCommand } from './train-upscaler.ts';
import { registerWorkerCommand } from './worker.ts';

export function registerCommands(program: Command): void {
  registerGenerateCommands(program);
  registerSlidesCommand(program);
  registerPhotosCommand(program);
  registerServeCommand(program);
  registerWorkerCommand(program);
  registerTrainCommands(program);
  registerTrainUpscalerCommand(program);
  registerDistillCommands(program);
  registerEvalCommand(program);
  registerRedteamCommand(program);
  registerDataCommand(program);
}
