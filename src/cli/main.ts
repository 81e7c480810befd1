// The flowpaint command: one commander program, each subcommand registered from its own module.
import { Command, CommanderError } from 'commander';
import { registerCommands, registerCommandsFor } from './commands/index.ts';
import { diffusersModelOf } from './commands/klein-detect.ts';
import { exitCodeFor, describeError } from './errors.ts';

/**
 * The program for a command line: only the module of the command it names is imported (see
 * commands/index.ts); `all` registers every command for real (tests, tooling).
 */
export async function buildProgram(args: string[] | 'all'): Promise<Command> {
  const program = new Command();
  program
    .name('flowpaint')
    .description('Text-to-image generation and image editing with flow-matching diffusion transformers')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  if (args === 'all') await registerCommands(program);
  else await registerCommandsFor(program, args);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    // generate/edit --model DIR where DIR is a diffusers folder (FLUX.2 [klein]): its own loader.
    if (diffusersModelOf(argv.slice(2))) return await (await import('./commands/klein.ts')).runKleinCommand(argv);
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
