// `flowpaint slides OUTLINE.md -o deck.pptx`: a deck from a Markdown outline, a picture per slide.
import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { checkWritable, DEFAULT_STEPS, FAST_STEPS, writeFileAtomically } from '../../pipeline/index.ts';
import { makeDeck, parseOutline, slidesToMake } from '../../slides/index.ts';
import { UsageError } from '../errors.ts';
import { parseNumber, stepProgress } from '../output.ts';
import { loadCliPipeline } from '../policy.ts';

interface SlidesOptions {
  out?: string;
  regenerate?: number;
  edit?: [string, string];
  seed?: number;
  steps?: number;
  guidance?: number;
  fast?: boolean;
  model?: string;
  threads?: number;
  safetyConfig?: string;
  title?: string;
}

export function registerSlidesCommand(program: Command): void {
  program
    .command('slides')
    .description('make a .pptx deck from a Markdown outline, with a generated picture per slide')
    .argument('<outline>', "Markdown outline: '# Heading' per slide, bullets, optional '> image: PROMPT', '> layout: side|square|background|none', '> notes: TEXT'")
    .option('-o, --out <file>', 'the deck (default: the outline name with .pptx)')
    .option('--regenerate <n>', 'draw slide N\'s picture again (new seed unless --seed); every other slide keeps its bytes', parseNumber('--regenerate', { integer: true, min: 1 }))
    .option('--edit <n_and_instruction...>', 'edit slide N\'s picture by instruction: --edit 3 "make the sky orange"; every other slide keeps its bytes')
    .option('--seed <s>', 'seed of the first slide (slide i gets seed + i - 1); with --regenerate/--edit, that slide\'s seed', parseNumber('--seed', { integer: true, min: 0, max: 0xffffffff }))
    .option('--steps <n>', 'sampling steps (default 20; 4 with --fast)', parseNumber('--steps', { integer: true, min: 1, max: 200 }))
    .option('--guidance <g>', 'text guidance scale (default 4)', parseNumber('--guidance', { min: 0, max: 30 }))
    .option('--fast', 'the few-step mode (4 steps)')
    .option('--title <text>', 'the deck\'s document title (default: the first slide\'s heading)')
    .option('--model <dir>', 'model directory (default: the shipped model in models/default)')
    .option('--threads <n>', 'compute threads (default: all cores)', parseNumber('--threads', { integer: true, min: 1, max: 256 }))
    .option('--safety-config <file>', 'safety policy JSON (default: $FLOWPAINT_SAFETY_CONFIG, else the built-in policy; see SAFETY.md)')
    .action(async (outlinePath: string, o: SlidesOptions) => {
      let text: string;
      try {
        text = readFileSync(outlinePath, 'utf8');
      } catch (err) {
        throw new UsageError(`${outlinePath}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      const slides = parseOutline(text, outlinePath);
      const out = o.out ?? `${outlinePath.slice(0, outlinePath.length - extname(outlinePath).length)}.pptx`;
      if (extname(out).toLowerCase() !== '.pptx') throw new UsageError(`-o ${out}: the deck must be a .pptx file`);
      checkWritable(out);
      const edit = o.edit ? parseEdit(o.edit) : undefined;
      if (edit && o.regenerate !== undefined) throw new UsageError('give --regenerate or --edit, not both');
      const previous = (o.regenerate !== undefined || edit) && existsSync(out) ? readFileSync(out) : undefined;
      const steps = o.steps ?? (o.fast ? FAST_STEPS : DEFAULT_STEPS);
      const count = slidesToMake({ slides, regenerate: o.regenerate, edit }).length;
      const pipe = await loadCliPipeline(o);
      const progress = stepProgress(count * steps, 'slides');
      try {
        const result = await makeDeck(pipe, {
          slides, previous: previous ? new Uint8Array(previous) : undefined, regenerate: o.regenerate, edit,
          seed: o.seed, steps, guidance: o.guidance, fast: o.fast, title: o.title ?? undefined,
          onStep: progress.tick,
          onSlide: process.stderr.isTTY ? undefined : (n, what) => process.stderr.write(`flowpaint: slide ${n}/${slides.length}: ${what}\n`),
        });
        progress.stop();
        for (const w of result.warnings) process.stderr.write(`flowpaint: ${w}\n`);
        writeFileAtomically(out, result.deck);
        process.stdout.write(`${out}\n`);
      } finally {
        progress.stop();
        await pipe.release();
      }
    });
}

function parseEdit(args: string[]): { slide: number; instruction: string } {
  const [n, ...rest] = args;
  const slide = Number(n);
  if (!Number.isInteger(slide) || slide < 1) throw new UsageError(`--edit takes a slide number then the instruction, e.g. --edit 3 "make the sky orange"; got '${n}'`);
  const instruction = rest.join(' ').trim();
  if (!instruction) throw new UsageError(`--edit ${slide}: the instruction is missing, e.g. --edit ${slide} "make the sky orange"`);
  return { slide, instruction };
}


