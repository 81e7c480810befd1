// Every subcommand lives in its own module and is registered here.
import type { Command } from 'commander';

export function registerCommands(_program: Command): void {}
