// What generate and edit share: reading a prompt from an argument or a file, planning output
// paths (checked before any work), a progress bar on stderr, and writing the images at the end.
import { readFileSync } from 'node:fs';
import { basename, extname, join, dirname } from 'node:path';
import cliProgress from 'cli-progress';
import { checkWritable, encodeImage, formatFromPath, type GeneratedImage, type ImageFormat, type RedrawEvent, writeFileAtomically } from '../pipeline/index.ts';
// guidance.ts, not flow/index.ts (see pipeline.ts).
import { isGuidanceInterval } from '../flow/guidance.ts';
import { UsageError } from './errors.ts';

/** The prompt from the positional argument or --prompt-file (`-` = standard input), never both. */
export function resolvePrompt(positional: string | undefined, promptFile: string | undefined, what: string): string {
  if (positional !== undefined && promptFile !== undefined) throw new UsageError(`give the ${what} as an argument or with --prompt-file, not both`);
  if (promptFile !== undefined) {
    try {
      return readFileSync(promptFile === '-' ? 0 : promptFile, 'utf8').replace(/\s+$/, '');
    } catch (err) {
      throw new UsageError(`--prompt-file ${promptFile}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  if (positional === undefined) throw new UsageError(`missing the ${what} (quote it, or use --prompt-file FILE)`);
  return positional;
}

export interface OutputPlan {
  paths: string[];
  format: ImageFormat;
}

/** out.png for one image; out-1.png … out-K.png for several. Every path is checked now. */
export function planOutputs(out: string | undefined, n: number, formatOpt: string | undefined, fallbackStem: string): OutputPlan {
  if (formatOpt !== undefined && !['png', 'jpeg', 'jpg', 'webp'].includes(formatOpt)) {
    throw new UsageError(`--format must be png, jpeg or webp, got '${formatOpt}'`);
  }
  const asked = formatOpt === 'jpg' ? 'jpeg' : (formatOpt as ImageFormat | undefined);
  const path = out ?? `${fallbackStem}.${asked === 'jpeg' ? 'jpg' : asked ?? 'png'}`;
  const fromExt = formatFromPath(path);
  if (extname(path) && !fromExt) throw new UsageError(`-o ${path}: unknown image extension (use .png, .jpg or .webp)`);
  if (asked && fromExt && asked !== fromExt) throw new UsageError(`-o ${path} has a .${extname(path).slice(1)} extension but --format is ${asked}`);
  const format = asked ?? fromExt ?? 'png';
  const ext = extname(path) || `.${format === 'jpeg' ? 'jpg' : format}`;
  const stem = join(dirname(path), basename(path, extname(path)));
  const paths = n === 1 ? [extname(path) ? path : `${stem}${ext}`] : Array.from({ length: n }, (_, i) => `${stem}-${i + 1}${ext}`);
  for (const p of paths) checkWritable(p);
  return { paths, format };
}

/** Encodes and writes every image (only once all exist, so a failure writes nothing). */
export async function writeOutputs(plan: OutputPlan, images: GeneratedImage[], sidecar: boolean): Promise<void> {
  const encoded = await Promise.all(images.map((img) => encodeImage(img.image, { format: plan.format, metadata: img.metadata, provenance: img.provenance })));
  encoded.forEach((bytes, i) => {
    const path = plan.paths[i]!;
    writeFileAtomically(path, bytes);
    if (sidecar) writeFileAtomically(`${path}.json`, new TextEncoder().encode(`${JSON.stringify(images[i]!.metadata, null, 2)}\n`));
    process.stdout.write(`${path}\n`);
  });
}

/**
 * A step progress bar on stderr across all images of a call (TTY only). `tick(stage)` advances it
 * and names the stage now running (default "steps"); `grow(n)` adds work found on the way (a redraw).
 */
export function stepProgress(total: number, label: string): { tick: (stage?: string) => void; grow: (n: number) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { tick: () => {}, grow: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `${label} |{bar}| {value}/{total} {stage} | {duration_formatted} elapsed | ETA {eta_formatted}`, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { stage: 'steps' });
  return { tick: (stage = 'steps') => bar.increment(1, { stage }), grow: (n) => bar.setTotal(bar.getTotal() + n), stop: () => bar.stop() };
}

export function parseNumber(name: string, opts: { integer?: boolean; min?: number; max?: number } = {}) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || (opts.integer && !Number.isInteger(n))) {
      throw new UsageError(`${name} must be ${opts.integer ? 'an integer' : 'a number'}, got '${v}'`);
    }
    if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
      throw new UsageError(`${name} must be between ${opts.min ?? '-∞'} and ${opts.max ?? '∞'}, got ${v}`);
    }
    return n;
  };
}

/**
 * The CLI's answer to a redraw (pipeline/redraw.ts): a line on stderr whatever the terminal, since
 * the file's seed is not the one asked for, and the image's steps again on the progress bar.
 */
export function redrawNotice(progress: { grow: (n: number) => void }, stepsPerImage: number): (e: RedrawEvent) => void {
  return (e) => {
    process.stderr.write(`\nflowpaint: the output filter refused image ${e.index + 1} from seed ${e.refusedSeed} (${e.refusal.category}); drawing it again from seed ${e.seed}\n`);
    progress.grow(stepsPerImage);
  };
}

/** Parses a guidance interval "lo,hi" (noise levels, 0 ≤ lo ≤ hi ≤ 1) for --guidance-interval. */
export function parseInterval(name: string) {
  return (v: string): [number, number] => {
    const parts = v.split(',').map((p) => p.trim());
    const interval = parts.map(Number);
    if (parts.some((p) => p === '') || !isGuidanceInterval(interval)) {
      throw new UsageError(`${name} must be two noise levels "lo,hi" with 0 ≤ lo ≤ hi ≤ 1, got '${v}'`);
    }
    return [interval[0]!, interval[1]!];
  };
}
