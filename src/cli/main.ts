// The flowpaint command: one commander program, each subcommand registered from its own module.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerCommands, registerCommandsFor } from './commands/index.ts';
import { diffusersModelOf } from './commands/diffusers-detect.ts';
import { exitCodeFor, describeError } from './errors.ts';

/** The version is package.json's, read once at start-up rather than repeated here. */
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * The program for a command line: only the module of the command it names is imported (see
 * commands/index.ts); `all` registers every command for real (tests, tooling).
 */
export async function buildProgram(args: string[] | 'all'): Promise<Command> {
  const program = new Command();
  program
    .name('flowpaint')
    .description('Text-to-image generation and image editing with flow-matching diffusion transformers')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  if (args === 'all') await registerCommands(program);
  else await registerCommandsFor(program, args);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    // generate/edit --model DIR where DIR is a diffusers folder (FLUX.2 [klein], Z-Image): its own loader.
    if (diffusersModelOf(argv.slice(2))) return await (await import('./commands/diffusers.ts')).runDiffusersCommand(argv);
    const program = await buildProgram(argv.slice(2));
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version arrive here with exit code 0.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`flowpaint: ${describeError(err)}\n`);
    process.exitCode = exitCodeFor(err);
  }
}
