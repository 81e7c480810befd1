// `flowpaint photos <action> DIR …`: a library over a folder of photos — index and thumbnails,
// batch edits with a progress bar (resumable), versions with history, restore, replay, export.
// The photos themselves are never written; everything lives in DIR/.flowpaint/.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { checkWritable, DEFAULT_STEPS, FAST_STEPS, type Pipeline, writeFileAtomically } from '../../pipeline/index.ts';
import { type BatchJournal, createBatch, type ExifMode, PhotoStore, PRESETS, presetInstruction, replayVersion, runBatch, unfinishedBatches } from '../../photos/index.ts';
import { UsageError } from '../errors.ts';
import { parseNumber } from '../output.ts';
import { loadCliPipeline } from '../policy.ts';

interface ModelOptions {
  model?: string;
  threads?: number;
  safetyConfig?: string;
}

interface EditOptions extends ModelOptions {
  all?: boolean;
  instruction?: string;
  preset?: string;
  object?: string;
  color?: string;
  text?: string;
  mask?: string;
  seed?: number;
  steps?: number;
  fast?: boolean;
  guidance?: number;
  imageGuidance?: number;
  keepExif?: boolean;
  keepLocation?: boolean;
}

function modelOptions(cmd: Command): Command {
  return cmd
    .option('--model <dir>', 'model directory (default: the shipped model in models/default)')
    .option('--threads <n>', 'compute threads (default: all cores)', parseNumber('--threads', { integer: true, min: 1, max: 256 }))
    .option('--safety-config <file>', 'safety policy JSON (default: $FLOWPAINT_SAFETY_CONFIG, else the built-in policy; see SAFETY.md)');
}

function pipelineFor(o: ModelOptions): Promise<Pipeline> {
  return loadCliPipeline(o);
}

function say(line: string): void {
  process.stderr.write(`flowpaint: ${line}\n`);
}

export function registerPhotosCommand(program: Command): void {
  const photos = program
    .command('photos')
    .description('a library over a folder of photos: index, thumbnails, batch edits, versions (originals are never modified)');

  photos
    .command('index')
    .description('find the photos in DIR (recursively) and make thumbnails; run again to pick up new ones')
    .argument('<dir>')
    .action(async (dir: string) => {
      const store = PhotoStore.open(dir);
      const r = await store.index();
      for (const s of r.skipped) say(`skipped ${s.path}: ${s.reason}`);
      for (const c of r.changed) say(`${c} changed since it was indexed; its versions keep their history`);
      for (const m of r.missing) say(`${m} is missing from the folder`);
      process.stdout.write(`${store.photos.length} photos (${r.added.length} new, ${r.changed.length} changed, ${r.unchanged} unchanged, ${r.skipped.length} skipped) in ${store.root}\n`);
    });

  photos
    .command('list')
    .description('the photos, their versions and which is current')
    .argument('<dir>')
    .option('--json', 'as JSON')
    .action((dir: string, o: { json?: boolean }) => {
      const store = PhotoStore.open(dir);
      if (o.json) return void process.stdout.write(`${JSON.stringify(store.photos, null, 2)}\n`);
      for (const p of store.photos) {
        process.stdout.write(`${p.id}  ${p.path}  ${p.width}x${p.height}  versions: ${p.versions.length}  current: ${p.current === 0 ? 'original' : `v${p.current}`}${p.hasLocation ? '  (has location)' : ''}\n`);
      }
    });

  modelOptions(
    photos
      .command('edit')
      .description('edit photos (a new version each, from its current version), in a resumable batch with a progress bar')
      .argument('<dir>')
      .argument('[photos...]', 'photos by path or id (or --all)')
      .option('--all', 'every photo in the library')
      .option('--instruction <text>', 'what to change, e.g. "make the sky orange"')
      .option('--preset <name>', `a named edit: ${Object.entries(PRESETS).map(([k, v]) => `${k} (${v.about})`).join(', ')}`)
      .option('--object <name>', 'for --preset remove / recolor')
      .option('--color <name>', 'for --preset recolor')
      .option('--text <text>', 'for --preset sign-text')
      .option('--mask <file>', 'repaint only the white part (resized to each photo, upright coordinates)')
      .option('--seed <s>', 'seed of the first photo (photo i gets seed + i)', parseNumber('--seed', { integer: true, min: 0, max: 0xffffffff }))
      .option('--steps <n>', 'sampling steps (default 20; 4 with --fast)', parseNumber('--steps', { integer: true, min: 1, max: 200 }))
      .option('--fast', 'the few-step mode (4 steps)')
      .option('--guidance <g>', 'text guidance scale (default 4)', parseNumber('--guidance', { min: 0, max: 30 }))
      .option('--image-guidance <g>', 'how closely to follow the photo (default 1.5)', parseNumber('--image-guidance', { min: 0, max: 30 }))
      .option('--keep-exif', "copy the photo's EXIF (camera, date…) into versions, without its location")
      .option('--keep-location', 'with --keep-exif, keep the GPS location too (default: location is stripped)'),
  ).action(async (dir: string, refs: string[], o: EditOptions) => {
    const store = PhotoStore.open(dir);
    if (o.instruction && o.preset) throw new UsageError('give --instruction or --preset, not both');
    if (!o.instruction && !o.preset) throw new UsageError('say what to change: --instruction "…" or --preset NAME');
    if (o.keepLocation && !o.keepExif) throw new UsageError('--keep-location goes with --keep-exif');
    if (!o.all && refs.length === 0) throw new UsageError('name the photos to edit, or use --all');
    if (o.all && refs.length) throw new UsageError('give photo names or --all, not both');
    const instruction = o.preset ? presetInstruction(o.preset, o) : o.instruction!;
    const list = o.all ? [...store.photos] : refs.map((r) => store.find(r));
    if (list.length === 0) throw new UsageError(`the library at ${dir} has no photos (run 'flowpaint photos index ${dir}')`);
    const mask = o.mask ? store.addMask(readMaskFile(o.mask)) : undefined;
    const exif: ExifMode = o.keepLocation ? 'keep-location' : o.keepExif ? 'keep' : 'strip';
    const pipe = await pipelineFor(o);
    try {
      const journal = createBatch(store, list, { instruction, preset: o.preset, mask, seed: o.seed, steps: o.steps ?? (o.fast ? FAST_STEPS : DEFAULT_STEPS), guidance: o.guidance, imageGuidance: o.imageGuidance, exif });
      await runWithProgress(store, pipe, journal);
    } finally {
      await pipe.release();
    }
  });

  modelOptions(photos.command('resume').description('finish batches that Ctrl-C or a crash interrupted').argument('<dir>')).action(async (dir: string, o: ModelOptions) => {
    const store = PhotoStore.open(dir);
    const left = unfinishedBatches(store);
    if (left.length === 0) return void process.stdout.write('nothing to resume\n');
    const pipe = await pipelineFor(o);
    try {
      for (const j of left) await runWithProgress(store, pipe, j);
    } finally {
      await pipe.release();
    }
  });

  photos
    .command('history')
    .description("a photo's versions: parent, instruction, seed, steps, model")
    .argument('<dir>')
    .argument('<photo>')
    .action((dir: string, ref: string) => {
      const store = PhotoStore.open(dir);
      const p = store.find(ref);
      process.stdout.write(`${p.path}${p.current === 0 ? '  (current)' : ''}\n`);
      for (const v of p.versions) {
        const r = v.recipe;
        process.stdout.write(`v${v.n} from ${v.parent === 0 ? 'original' : `v${v.parent}`}: "${r.instruction}"${r.mask ? ' (masked)' : ''} seed ${r.seed}, ${r.steps} steps, ${r.model} ${r.modelVersion}, ${v.width}x${v.height}${p.current === v.n ? '  (current)' : ''}\n`);
      }
    });

  photos
    .command('verify')
    .description('check that every original is byte-identical to what was indexed and every version matches its checksum (exit 1 if not)')
    .argument('<dir>')
    .action((dir: string) => {
      const store = PhotoStore.open(dir);
      const r = store.verify();
      for (const p of r.problems) say(`${p.path}${p.version !== undefined ? ` v${p.version}` : ''}: ${p.problem}`);
      process.stdout.write(`${r.originals}/${store.photos.length} originals byte-identical, ${r.versions}/${store.photos.reduce((n, p) => n + p.versions.length, 0)} versions intact${r.problems.length ? `, ${r.problems.length} problems` : ''}\n`);
      if (r.problems.length) process.exitCode = 1;
    });

  photos
    .command('restore')
    .description('make a version current again (0 = the original); nothing is deleted')
    .argument('<dir>')
    .argument('<photo>')
    .argument('<version>', 'version number, 0 for the original', parseNumber('version', { integer: true, min: 0 }))
    .action((dir: string, ref: string, n: number) => {
      const store = PhotoStore.open(dir);
      const p = store.find(ref);
      store.restore(p, n);
      process.stdout.write(`${p.path}: current is ${n === 0 ? 'the original' : `v${n}`}\n`);
    });

  modelOptions(
    photos
      .command('replay')
      .description("make a version again from its parent with its recorded recipe and check the pixels match")
      .argument('<dir>')
      .argument('<photo>')
      .argument('<version>', 'version number', parseNumber('version', { integer: true, min: 1 })),
  ).action(async (dir: string, ref: string, n: number, o: ModelOptions) => {
    const store = PhotoStore.open(dir);
    const p = store.find(ref);
    const pipe = await pipelineFor(o);
    try {
      const r = await replayVersion(store, pipe, p, n);
      if (!r.modelMatches) say(`v${n} was made with ${p.versions.find((v) => v.n === n)!.recipe.model}; this is ${pipe.info.id} ${pipe.info.version}`);
      process.stdout.write(`${p.path} v${n}: ${r.identical ? 'identical' : 'different'}\n`);
      if (!r.identical) process.exitCode = 1;
    } finally {
      await pipe.release();
    }
  });

  photos
    .command('export')
    .description("write a photo's current (or a given) version to a file")
    .argument('<dir>')
    .argument('<photo>')
    .requiredOption('-o, --out <file>', 'where to write it')
    .option('--version <n>', 'this version instead of the current one (0 = the original)', parseNumber('--version', { integer: true, min: 0 }))
    .action((dir: string, ref: string, o: { out: string; version?: number }) => {
      const store = PhotoStore.open(dir);
      const p = store.find(ref);
      checkWritable(o.out);
      writeFileAtomically(o.out, store.versionBytes(p, o.version ?? p.current));
      process.stdout.write(`${o.out}\n`);
    });
}

function readMaskFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(`--mask ${path}: cannot read (${(err as NodeJS.ErrnoException).code})`);
  }
}

/** Runs a batch with a progress bar (lines when stderr is not a terminal); Ctrl-C stops cleanly. */
async function runWithProgress(store: PhotoStore, pipe: Pipeline, j: BatchJournal): Promise<void> {
  const unlock = store.lock();
  const abort = new AbortController();
  const onSigint = () => {
    say('stopping: finished versions are kept; run `flowpaint photos resume` to do the rest');
    abort.abort();
  };
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  const before = j.items.filter((i) => i.status !== 'pending').length;
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ stream: process.stderr, format: `batch ${j.id} |{bar}| {value}/{total} photos | {file} | ETA {eta_formatted}`, hideCursor: true }, cliProgress.Presets.shades_classic)
    : undefined;
  bar?.start(j.items.length, before, { file: '' });
  try {
    const r = await runBatch(store, pipe, j, {
      signal: abort.signal,
      onItem: (p) => {
        if (bar) bar.update(p.done + p.failed, { file: p.path });
        else say(`${p.done + p.failed}/${p.total} ${p.path}`);
      },
    });
    bar?.stop();
    for (const item of j.items.filter((i) => i.status === 'failed')) say(`${store.find(item.photo).path}: ${item.error}`);
    process.stdout.write(`batch ${j.id}: ${r.done} done, ${r.failed} failed, ${r.pending} left\n`);
    if (r.pending > 0) process.exitCode = 130;
    else if (r.failed > 0) process.exitCode = 1;
  } finally {
    bar?.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    unlock();
  }
}
