// Edits over a library: one photo (a new version from its current one), or a batch of photos
// under a journal (batches/<id>.json) that records the recipe and each item's state. A batch
// interrupted by Ctrl-C or a crash keeps every finished version; resuming redoes only the rest
// (an item whose version reached the index before the journal did is recognised, not redone).
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { InputError } from '../errors.ts';
import { DEFAULT_STEPS, type EditRequest, encodeImage, type GeneratedImage, type Mask, maskFromRgb, readPngText, resizeMask } from '../pipeline/index.ts';
import { decodeImage } from '../pipeline/index.ts';
import type { RgbImage } from '../image/index.ts';
import { exifForVersion } from './exif.ts';
import { type EditRecipe, type ExifMode, type PhotoRecord, type PhotoStore, type VersionRecord } from './store.ts';
import sharp from 'sharp';

/** Named edits, written as the instructions the model was trained on (src/data/edits.ts). */
export const PRESETS: Record<string, { needs: ('object' | 'color' | 'text')[]; instruction: (a: PresetArgs) => string; about: string }> = {
  deblur: { needs: [], instruction: () => 'remove the motion blur', about: 'clean up motion blur' },
  remove: { needs: ['object'], instruction: (a) => `remove the ${a.object}`, about: 'remove an object (--object)' },
  recolor: { needs: ['object', 'color'], instruction: (a) => `make the ${a.object} ${a.color}`, about: 'recolour an object (--object, --color)' },
  'sign-text': { needs: ['text'], instruction: (a) => `change the text on the sign to "${a.text}"`, about: "change a sign's text (--text)" },
};

export interface PresetArgs {
  object?: string;
  color?: string;
  text?: string;
}

export function presetInstruction(name: string, args: PresetArgs): string {
  const p = PRESETS[name];
  if (!p) throw new InputError(`unknown preset '${name}' (${Object.keys(PRESETS).join(', ')})`);
  for (const k of p.needs) if (!args[k]?.trim()) throw new InputError(`preset ${name} needs --${k}`);
  return p.instruction(args);
}

/**
 * What edits need of a pipeline: the CLI passes its Pipeline; the server passes one that sends
 * each edit through its job queue (src/server/library/queue-editor.ts).
 */
export interface PhotoEditor {
  edit(req: EditRequest): Promise<GeneratedImage[]>;
  readonly info: { id: string; version: string };
}

export interface EditSpec {
  instruction: string;
  preset?: string;
  /** A mask PNG stored in the library (PhotoStore.addMask). */
  mask?: string;
  seed?: number;
  steps?: number;
  guidance?: number;
  imageGuidance?: number;
  exif?: ExifMode;
}

/** Makes a version of photo `p` from version `from` (default: its current one) with a recipe. */
export async function editPhoto(
  store: PhotoStore,
  pipe: PhotoEditor,
  p: PhotoRecord,
  recipe: Omit<EditRecipe, 'model' | 'modelVersion'>,
  opts: { from?: number; batch?: VersionRecord['batch']; signal?: AbortSignal; onStep?: () => void } = {},
): Promise<{ version: VersionRecord; image: RgbImage }> {
  const parent = opts.from ?? p.current;
  const image = await store.workingImage(p, parent);
  const mask = recipe.mask ? await loadMask(store, recipe.mask, image) : undefined;
  const [out] = await pipe.edit({
    image, instruction: recipe.instruction, mask, seed: recipe.seed, steps: recipe.steps, guidance: recipe.guidance,
    imageGuidance: recipe.imageGuidance, signal: opts.signal, onStep: opts.onStep,
  });
  const info = pipe.info;
  const full: EditRecipe = { ...recipe, model: info.id, modelVersion: info.version };
  const parentBytes = store.versionBytes(p, parent);
  const history = [...parentHistory(parent === 0 ? undefined : parentBytes), JSON.parse(out!.metadata['flowpaint:parameters']!)];
  const exif = recipe.exif !== 'strip' ? originalExif(store, p) : undefined;
  const exifBytes = exif ? await exif : undefined;
  const png = await encodeImage(out!.image, {
    format: 'png',
    metadata: { ...out!.metadata, 'flowpaint:history': JSON.stringify(history) },
    // The C2PA manifest names the version it came from as its parent ingredient.
    provenance: { ...out!.provenance, parent: { bytes: parentBytes, title: parent === 0 ? p.path : `${p.path} v${parent}` } },
    exif: exifBytes ? exifForVersion(exifBytes, { keepLocation: recipe.exif === 'keep-location' }) : undefined,
  });
  const version = store.addVersion(p, png, { parent, width: out!.image.width, height: out!.image.height, recipe: full, batch: opts.batch });
  return { version, image: out!.image };
}

/**
 * Runs version n's recipe again from its parent and says whether the pixels match the stored
 * version (the same input, recipe, model and machine give the same bytes). Writes nothing.
 */
export async function replayVersion(store: PhotoStore, pipe: PhotoEditor, p: PhotoRecord, n: number): Promise<{ identical: boolean; modelMatches: boolean }> {
  const v = store.version(p, n);
  const image = await store.workingImage(p, v.parent);
  const mask = v.recipe.mask ? await loadMask(store, v.recipe.mask, image) : undefined;
  const { recipe } = v;
  const [out] = await pipe.edit({ image, instruction: recipe.instruction, mask, seed: recipe.seed, steps: recipe.steps, guidance: recipe.guidance, imageGuidance: recipe.imageGuidance });
  const stored = await decodeImage(store.versionBytes(p, n), `${p.path} version ${n}`);
  const identical = stored.width === out!.image.width && stored.height === out!.image.height && Buffer.from(stored.data).equals(Buffer.from(out!.image.data));
  return { identical, modelMatches: pipe.info.id === recipe.model && pipe.info.version === recipe.modelVersion };
}

async function originalExif(store: PhotoStore, p: PhotoRecord): Promise<Uint8Array | undefined> {
  return (await sharp(store.original(p)).metadata()).exif;
}

function parentHistory(png: Uint8Array | undefined): unknown[] {
  if (!png) return [];
  const text = readPngText(Buffer.from(png));
  try {
    return text['flowpaint:history'] ? (JSON.parse(text['flowpaint:history']) as unknown[]) : [];
  } catch {
    return [];
  }
}

async function loadMask(store: PhotoStore, rel: string, image: RgbImage): Promise<Mask> {
  const m = maskFromRgb(await decodeImage(readFileSync(store.path(rel)), `mask ${rel}`));
  return resizeMask(m, image.width, image.height);
}

// ------------------------------------------------------------------ batches

export interface BatchItem {
  photo: string;
  seed: number;
  status: 'pending' | 'done' | 'failed';
  version?: number;
  error?: string;
}

export interface BatchJournal {
  id: string;
  created: string;
  recipe: Omit<EditRecipe, 'seed' | 'model' | 'modelVersion'>;
  items: BatchItem[];
}

/** Writes the journal of a new batch; item i gets seed + i, so every version can be replayed. */
export function createBatch(store: PhotoStore, photos: PhotoRecord[], spec: EditSpec): BatchJournal {
  if (photos.length === 0) throw new InputError('no photos to edit');
  if (!spec.instruction.trim()) throw new InputError('the instruction is empty');
  const seed = spec.seed ?? randomInt(0, 2 ** 31);
  const id = `${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
  const journal: BatchJournal = {
    id,
    created: new Date().toISOString(),
    recipe: { instruction: spec.instruction, preset: spec.preset, mask: spec.mask, steps: spec.steps ?? DEFAULT_STEPS, guidance: spec.guidance, imageGuidance: spec.imageGuidance, exif: spec.exif ?? 'strip' },
    items: photos.map((p, i) => ({ photo: p.id, seed: (seed + i) >>> 0, status: 'pending' })),
  };
  saveBatch(store, journal);
  return journal;
}

export function saveBatch(store: PhotoStore, j: BatchJournal): void {
  store.write(`batches/${j.id}.json`, new TextEncoder().encode(`${JSON.stringify(j, null, 1)}\n`));
}

/** Batches with items still pending, oldest first. */
export function unfinishedBatches(store: PhotoStore): BatchJournal[] {
  const dir = store.path('batches');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(store.path('batches', f), 'utf8')) as BatchJournal)
    .filter((j) => j.items.some((i) => i.status === 'pending'));
}

export interface BatchProgress {
  done: number;
  failed: number;
  total: number;
  path: string;
}

/**
 * Works through a batch's pending items. Stops between items (or mid-item, discarding it) when
 * `signal` aborts; the journal then says what is left. Failures (bad input, refusals) are
 * recorded per item and the batch goes on.
 */
export async function runBatch(
  store: PhotoStore,
  pipe: PhotoEditor,
  j: BatchJournal,
  opts: { signal?: AbortSignal; onItem?: (p: BatchProgress) => void; onStep?: () => void } = {},
): Promise<{ done: number; failed: number; pending: number }> {
  const count = () => ({ done: j.items.filter((i) => i.status === 'done').length, failed: j.items.filter((i) => i.status === 'failed').length });
  for (const [k, item] of j.items.entries()) {
    if (item.status !== 'pending') continue;
    if (opts.signal?.aborted) break;
    const p = store.find(item.photo);
    // A crash after the index was saved but before the journal: the version exists already.
    const existing = p.versions.find((v) => v.batch?.id === j.id && v.batch.item === k);
    try {
      if (existing) {
        item.version = existing.n;
      } else {
        const { version } = await editPhoto(store, pipe, p, { ...j.recipe, seed: item.seed }, { batch: { id: j.id, item: k }, signal: opts.signal, onStep: opts.onStep });
        item.version = version.n;
      }
      item.status = 'done';
    } catch (err) {
      if (opts.signal?.aborted) break;
      const e = err as Error;
      if (e.name !== 'InputError' && e.name !== 'SafetyRefusal') throw err;
      item.status = 'failed';
      item.error = e.message;
    }
    saveBatch(store, j);
    opts.onItem?.({ ...count(), total: j.items.length, path: p.path });
  }
  saveBatch(store, j);
  const c = count();
  return { ...c, pending: j.items.length - c.done - c.failed };
}
