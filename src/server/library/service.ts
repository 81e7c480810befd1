// The server's side of a photo library (the folder `flowpaint photos` works on): what the Library
// tab reads and changes, over the same DIR/.flowpaint/ store as the command. The store is opened
// afresh for each request, so changes made by the command in the meantime are seen. Anything that
// writes (an edit, a restore, a re-index, a batch) runs one at a time and holds the store's lock
// file, so the command and the server never write the index at once; a second writer is told
// who is busy instead of waiting. Batches run in the background under the same journal as the
// command's: stopping one (or the server) keeps every finished version, and resume does the rest.
import { randomInt } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import sharp from 'sharp';
import { fitSize } from '../../pipeline/sizes.ts';
import type { Logger } from '../log.ts';
import type { JobQueue } from '../queue.ts';
import type { BatchJournal, EditSpec, PhotoRecord, PhotoStore, VersionRecord } from '../../photos/index.ts';
import { queueEditor } from './queue-editor.ts';

/** The photo library's module loads the pipeline's image code (and through it the engine): only when a library is used. */
type Photos = typeof import('../../photos/index.ts');
let photosModule: Promise<Photos> | undefined;
const photos = () => (photosModule ??= import('../../photos/index.ts'));

/** A failure the routes turn into an HTTP answer; `kind` decides the status. */
export class LibraryError extends Error {
  override name = 'LibraryError';
  constructor(readonly kind: 'not_found' | 'busy' | 'unavailable' | 'bad_request', message: string, readonly param: string | null = null) {
    super(message);
  }
}

export interface VersionSummary {
  n: number;
  parent: number;
  width: number;
  height: number;
  created: string;
  instruction: string;
  preset?: string;
  masked: boolean;
  seed: number;
  steps: number;
  model: string;
  modelVersion: string;
  batch?: string;
}

export interface PhotoSummary {
  id: string;
  path: string;
  format: string;
  bytes: number;
  /** Upright size of the original. */
  width: number;
  height: number;
  /** The size edits work at (version 0 as the library shows it). */
  working: { width: number; height: number };
  current: number;
  hasLocation: boolean;
  changed: boolean;
  missing: boolean;
  versions: VersionSummary[];
}

export interface BatchSummary {
  id: string;
  created: string;
  instruction: string;
  total: number;
  done: number;
  failed: number;
  pending: number;
  running: boolean;
  errors: Array<{ photo: string; error: string }>;
}

export interface LibraryEdit {
  instruction: string;
  preset?: string;
  steps: number;
  seed?: number;
  /** The version to edit (default: the current one). */
  from?: number;
  /** White-on-black PNG at the working size of `from` (white = change). */
  mask?: Uint8Array;
}

export class LibraryService {
  /** What is writing now, said in words ("an edit of beach.jpg"), or null. */
  private busy: string | null = null;
  private running?: { id: string; stop: AbortController };

  constructor(
    readonly dir: string,
    private readonly deps: { queue: () => JobQueue | undefined; state: { draining: boolean }; logger: Logger },
  ) {}

  get name(): string {
    return basename(resolve(this.dir));
  }

  async open(): Promise<PhotoStore> {
    const { PhotoStore } = await photos();
    try {
      return PhotoStore.open(this.dir);
    } catch (err) {
      throw new LibraryError('unavailable', `the photo library at ${this.dir} cannot be read: ${(err as Error).message}`);
    }
  }

  async summary(): Promise<{ name: string; indexed: boolean; busy: string | null; photos: PhotoSummary[]; batches: BatchSummary[] }> {
    const store = await this.open();
    return {
      name: this.name,
      indexed: existsSync(store.path('index.json')),
      busy: this.busy,
      photos: store.photos.map((p) => summarise(this.dir, p, fitSize(p.width, p.height))),
      batches: await this.batches(store),
    };
  }

  async photo(id: string): Promise<{ store: PhotoStore; photo: PhotoRecord }> {
    const store = await this.open();
    const photo = store.photos.find((p) => p.id === id);
    if (!photo) throw new LibraryError('not_found', `no photo ${id} in the library (rescan the folder if it is new)`);
    return { store, photo };
  }

  /**
   * A version's thumbnail (256 px, JPEG, no metadata): the one made at indexing for the original,
   * made from the stored PNG for a later version.
   */
  async thumbnail(id: string, n: number): Promise<Uint8Array> {
    const { store, photo } = await this.photo(id);
    if (n === 0) return readFileSync(this.inside(store.root, store.path(photo.thumb), `the thumbnail of ${photo.path}`));
    const v = this.version(photo, n);
    const { THUMB_SIDE } = await photos();
    const file = this.inside(store.root, store.path(v.file), `${photo.path} version ${n}`);
    return sharp(file).resize(THUMB_SIDE, THUMB_SIDE, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer();
  }

  /**
   * A version's image as the library shows and edits it: version 0 is the original upright at the
   * working size, as a PNG without metadata (so no location leaves the library); a later version
   * is its stored PNG.
   */
  async image(id: string, n: number): Promise<{ bytes: Uint8Array; immutable: boolean }> {
    const { store, photo } = await this.photo(id);
    if (n === 0) {
      this.inside(this.dir, join(this.dir, photo.path), photo.path);
      const img = await store.workingImage(photo, 0);
      return { bytes: await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer(), immutable: false };
    }
    const v = this.version(photo, n);
    return { bytes: readFileSync(this.inside(store.root, store.path(v.file), `${photo.path} version ${n}`)), immutable: true };
  }

  /** Makes a new version of one photo through the queue; the request's signal cancels it. */
  async edit(id: string, e: LibraryEdit, signal: AbortSignal): Promise<{ photo: PhotoSummary; version: VersionSummary }> {
    const queue = this.queue();
    // Checked before waiting for the store, so bad input is told as such even while it is busy.
    const checked = await this.photo(id);
    const from = e.from ?? checked.photo.current;
    const size = from === 0 ? fitSize(checked.photo.width, checked.photo.height) : this.version(checked.photo, from);
    const mask = e.mask ? await maskPng(e.mask, size.width, size.height) : undefined;
    return this.exclusive(`an edit of ${checked.photo.path}`, async (store) => {
      const { editPhoto } = await photos();
      const photo = store.photos.find((p) => p.id === id);
      if (!photo) throw new LibraryError('not_found', `no photo ${id} in the library`);
      if (from !== 0) this.version(photo, from);
      const { version } = await editPhoto(
        store,
        queueEditor({ queue, whenFull: 'throw' }),
        photo,
        { instruction: e.instruction, preset: e.preset, mask: mask && store.addMask(mask), seed: e.seed ?? randomInt(0, 2 ** 31), steps: e.steps, exif: 'strip' },
        { from, signal },
      );
      return { photo: summarise(this.dir, photo, fitSize(photo.width, photo.height)), version: versionSummary(version) };
    });
  }

  async restore(id: string, n: number): Promise<PhotoSummary> {
    const checked = await this.photo(id);
    if (n !== 0) this.version(checked.photo, n);
    return this.exclusive(`a restore of ${checked.photo.path}`, async (store) => {
      const photo = store.photos.find((p) => p.id === id);
      if (!photo) throw new LibraryError('not_found', `no photo ${id} in the library`);
      if (n !== 0) {
        const v = this.version(photo, n);
        this.inside(store.root, store.path(v.file), `${photo.path} version ${n}`);
      }
      store.restore(photo, n);
      return summarise(this.dir, photo, fitSize(photo.width, photo.height));
    });
  }

  /** Rescans the folder: new photos get records and thumbnails. */
  async index() {
    return this.exclusive('a rescan of the folder', (store) => store.index());
  }

  /** A preset's instruction (the same phrasings as `flowpaint photos edit --preset`). */
  async presetInstruction(name: string, args: { object?: string; color?: string; text?: string }): Promise<string> {
    const { presetInstruction } = await photos();
    return presetInstruction(name, args);
  }

  async presets(): Promise<Array<{ name: string; needs: string[]; about: string }>> {
    const { PRESETS } = await photos();
    return Object.entries(PRESETS).map(([name, p]) => ({ name, needs: p.needs, about: p.about }));
  }

  /** Writes a batch's journal and starts it in the background; its progress is in `summary().batches`. */
  async startBatch(ids: string[], spec: Omit<EditSpec, 'mask' | 'exif' | 'guidance' | 'imageGuidance'> & { steps: number }): Promise<BatchSummary> {
    return this.background('a new batch', async (store) => {
      const unknown = ids.filter((id) => !store.photos.some((p) => p.id === id));
      if (unknown.length) throw new LibraryError('bad_request', `not in the library: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}`, 'photos');
      const { createBatch } = await photos();
      return createBatch(store, ids.map((id) => store.photos.find((p) => p.id === id)!), { ...spec, exif: 'strip' });
    });
  }

  /** Starts an interrupted batch again from its journal. */
  async resumeBatch(id: string): Promise<BatchSummary> {
    return this.background(`resuming batch ${id}`, async (store) => {
      const journal = (await this.journals(store)).find((j) => j.id === id);
      if (!journal) throw new LibraryError('not_found', `no batch ${id}`);
      if (!journal.items.some((i) => i.status === 'pending')) throw new LibraryError('bad_request', `batch ${id} has nothing left to do`);
      return journal;
    });
  }

  /** Stops the running batch after (or within) its current photo, like Ctrl-C. */
  stopBatch(id: string): void {
    if (this.running?.id !== id) throw new LibraryError('not_found', `batch ${id} is not running`);
    this.running.stop.abort();
  }

  /** Resolves when no batch is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.busy) await new Promise((r) => setTimeout(r, 20));
  }

  /**
   * Claims the store (as `exclusive` does: refused while anything writes, lock file held), lets
   * `prepare` choose the journal, and answers once the batch has started; the claim is released
   * when the batch ends, not when the request does.
   */
  private async background(what: string, prepare: (store: PhotoStore) => Promise<BatchJournal>): Promise<BatchSummary> {
    const queue = this.queue();
    if (this.busy) throw new LibraryError('busy', `the library is busy with ${this.busy}; try again when it is done`);
    this.busy = what;
    let unlock: (() => void) | undefined;
    let journal: BatchJournal;
    let store: PhotoStore;
    try {
      store = await this.open();
      try {
        unlock = store.lock();
      } catch (err) {
        throw new LibraryError('busy', (err as Error).message);
      }
      journal = await prepare(store);
    } catch (err) {
      unlock?.();
      this.busy = null;
      throw err;
    }
    const stop = new AbortController();
    this.busy = `batch ${journal.id}`;
    this.running = { id: journal.id, stop };
    const log = this.deps.logger.child({ batch: journal.id });
    const editor = queueEditor({ queue, whenFull: 'wait' });
    const stopping: typeof editor = {
      info: editor.info,
      // The server is shutting down: stop like Ctrl-C; the journal keeps the rest for resume.
      edit: (req) => {
        if (this.deps.state.draining) stop.abort();
        if (stop.signal.aborted) return Promise.reject(Object.assign(new Error('the batch was stopped'), { name: 'AbortError' }));
        return editor.edit(req);
      },
    };
    void (async () => {
      try {
        const { runBatch } = await photos();
        const r = await runBatch(store, stopping, journal, { signal: stop.signal });
        log.info({ event: 'library.batch', ...r }, `batch ${journal.id}: ${r.done} done, ${r.failed} failed, ${r.pending} left`);
      } catch (err) {
        log.error({ event: 'library.batch_failed', err }, `batch ${journal.id} stopped by an error; resume it to go on`);
      } finally {
        unlock?.();
        this.busy = null;
        this.running = undefined;
      }
    })();
    return batchSummary(store, journal, true);
  }

  private async journals(store: PhotoStore): Promise<BatchJournal[]> {
    const dir = store.path('batches');
    if (!existsSync(dir)) return [];
    const out: BatchJournal[] = [];
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
      try {
        out.push(JSON.parse(readFileSync(join(dir, f), 'utf8')) as BatchJournal);
      } catch {
        // A journal being replaced is never half-written (rename), but a hand-edited one may be.
      }
    }
    return out;
  }

  private async batches(store: PhotoStore): Promise<BatchSummary[]> {
    return (await this.journals(store)).reverse().map((j) => batchSummary(store, j, this.running?.id === j.id));
  }

  /** Runs a change to the store alone, holding its lock file; refuses while something else writes. */
  private async exclusive<T>(what: string, fn: (store: PhotoStore) => Promise<T>): Promise<T> {
    if (this.busy) throw new LibraryError('busy', `the library is busy with ${this.busy}; try again when it is done`);
    this.busy = what;
    let unlock: (() => void) | undefined;
    try {
      const store = await this.open();
      try {
        unlock = store.lock();
      } catch (err) {
        throw new LibraryError('busy', (err as Error).message);
      }
      return await fn(store);
    } finally {
      unlock?.();
      this.busy = null;
    }
  }

  private queue(): JobQueue {
    const q = this.deps.queue();
    if (!q) throw new LibraryError('unavailable', 'the model is still loading; retry shortly');
    return q;
  }

  private version(p: PhotoRecord, n: number): VersionRecord {
    const v = p.versions.find((x) => x.n === n);
    if (!v) throw new LibraryError('not_found', `${p.path} has no version ${n} (it has ${p.versions.length ? `0 to ${Math.max(...p.versions.map((x) => x.n))}` : 'only the original, 0'})`);
    return v;
  }

  /**
   * A path the index names, checked to resolve (links followed) inside `root`: a hand-edited or
   * damaged index cannot make the server read files outside the library.
   */
  private inside(root: string, path: string, what: string): string {
    if (!existsSync(path)) throw new LibraryError('not_found', `${what} is missing from the library folder`);
    const real = realpathSync(path);
    const base = realpathSync(root);
    const rel = relative(base, real);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new LibraryError('not_found', `${what} lies outside the library folder`);
    }
    return real;
  }
}

function versionSummary(v: VersionRecord): VersionSummary {
  const r = v.recipe;
  return {
    n: v.n, parent: v.parent, width: v.width, height: v.height, created: v.created, instruction: r.instruction,
    ...(r.preset ? { preset: r.preset } : {}), masked: Boolean(r.mask), seed: r.seed, steps: r.steps, model: r.model,
    modelVersion: r.modelVersion, ...(v.batch ? { batch: v.batch.id } : {}),
  };
}

function summarise(dir: string, p: PhotoRecord, working: { width: number; height: number }): PhotoSummary {
  return {
    id: p.id, path: p.path, format: p.format, bytes: p.bytes, width: p.width, height: p.height, working, current: p.current,
    hasLocation: p.hasLocation, changed: Boolean(p.changed), missing: !existsSync(join(dir, p.path)), versions: p.versions.map(versionSummary),
  };
}

function batchSummary(store: PhotoStore, j: BatchJournal, running: boolean): BatchSummary {
  const count = (s: string) => j.items.filter((i) => i.status === s).length;
  const pathOf = (id: string) => store.photos.find((p) => p.id === id)?.path ?? id;
  return {
    id: j.id, created: j.created, instruction: j.recipe.instruction, total: j.items.length, done: count('done'), failed: count('failed'),
    pending: count('pending'), running, errors: j.items.filter((i) => i.status === 'failed').map((i) => ({ photo: pathOf(i.photo), error: i.error ?? '' })),
  };
}

/**
 * The page's mask (the Images API's convention: transparent = change; or white = change without
 * alpha) as the library stores masks: white on black, at the working size.
 */
async function maskPng(bytes: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const { decodeMask } = await import('../run-job.ts');
  const m = await decodeMask(bytes, width, height);
  if (!m.data.some((v) => v === 255)) throw new LibraryError('bad_request', 'the mask marks nothing to change; send no mask for an edit of the whole photo', 'mask');
  return sharp(m.data, { raw: { width, height, channels: 1 } }).png().toBuffer();
}
