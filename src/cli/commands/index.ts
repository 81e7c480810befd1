// Every subcommand lives in its own module and is registered here.
import type { Command } from 'commander';
import { registerDataCommand } from './data.ts';
import { registerEvalCommand } from './eval.ts';
import { registerRedteamCommand } from './redteam.ts';
import { registerServeCommand } from './serve.ts';
import { registerTrainCommands } from './train.ts';
import { registerWorkerCommand } from './worker.ts';
import { registerGenerateCommands } from './generate.ts';

export function registerCommands(program: Command): void {
  registerDataCommand(program);
  registerEvalCommand(program);
  registerRedteamCommand(program);
  registerServeCommand(program);
  registerGenerateCommands(program);
  registerTrainCommands(program);
  registerWorkerCommand(program);
}
