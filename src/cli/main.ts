// The flowpaint command: one commander program, each subcommand registered from its own module.
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.ts';
import { exitCodeFor, describeError } from './errors.ts';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('flowpaint')
    .description('Text-to-image generation and image editing with flow-matching diffusion transformers')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
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
