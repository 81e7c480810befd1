// Every subcommand lives in its own module and is registered here.
import type { Command } from 'commander';
import { registerDataCommand } from './data.ts';
import { registerRedteamCommand } from './redteam.ts';
import { registerTrainCommands } from './train.ts';

export function registerCommands(program: Command): void {
  registerDataCommand(program);
  registerRedteamCommand(program);
  registerTrainCommands(program);
}
