// The top-level help is drawn from COMMAND_SUMMARY without importing the command modules; it must
// say what the real registrations say, and a command line must load its own module only.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Command } from 'commander';
import { buildProgram } from '../main.ts';
import { COMMAND_MODULES, COMMAND_SUMMARY } from './index.ts';

describe('command registry', () => {
  test('the summary matches every real command (name, usage, description) in order', async () => {
    const program = await buildProgram('all');
    const help = program.createHelp();
    const real = program.commands.map((c) => [c.name(), help.subcommandTerm(c), c.description()]);
    assert.deepEqual(COMMAND_SUMMARY, real);
    assert.deepEqual(COMMAND_MODULES.flatMap((m) => m.commands), real.map(([n]) => n));
  });

  test('a command line registers only the module of the command it names; the top-level help lists them all', async () => {
    const gen = await buildProgram(['generate', 'a red apple', '--seed', '1']);
    assert.deepEqual(gen.commands.map((c) => c.name()), ['generate', 'edit']);
    assert.ok(gen.commands[0]!.options.some((o) => o.long === '--fast'));
    const viaHelp = await buildProgram(['help', 'distill']);
    assert.deepEqual(viaHelp.commands.map((c) => c.name()), ['distill', 'distill-export']);
    const top = await buildProgram(['--help']);
    const text = top.helpInformation();
    for (const [, term] of COMMAND_SUMMARY) assert.ok(text.includes(term), term);
    assert.ok(top instanceof Command);
  });
});
