// Users' own data as training samples: loaded from a folder or a JSONL manifest, checked up
// front, assigned to aspect-ratio buckets, and served in shuffled same-size batches.
// Strict mode (the default) fails at load time with the first problem; skip mode leaves bad
// items out and counts them. Either way an epoch never throws: a file that breaks after
// loading is skipped and recorded in `skipped`.
import { stat } from 'node:fs/promises';
import { aspectBuckets, nearestBucket, type Size } from '../buckets.ts';
import { DataRng } from '../rng.ts';
import type { Mask, RgbImage } from '../image.ts';
import { DEFAULT_LIMITS, decodeMaskToSize, decodeToSize, inspectImage, type DecodeLimits } from './decode.ts';
import { DataFileError, type SkippedItem, type Where } from './errors.ts';
import { scanFolder } from './folder.ts';
import { parseManifest } from './manifest.ts';

export interface LoadOptions {
  /** Pixel budget for the default buckets. Default 256×256. */
  maxPixels?: number;
  /** Explicit bucket list (overrides maxPixels). */
  buckets?: Size[];
  /** 'throw' (default): the first bad item fails the load. 'skip': leave it out and count it. */
  onError?: 'throw' | 'skip';
  /** 'decode' (default) decodes every image at load; 'header' only reads headers (faster, for huge sets). */
  verify?: 'decode' | 'header';
  limits?: Partial<DecodeLimits>;
}

export type DatasetItem =
  | { kind: 't2i'; image: Where; caption: string; bucket: Size }
  | { kind: 'edit'; source: Where; target: Where; mask?: Where; instruction: string; bucket: Size };

export type UserSample =
  | { kind: 't2i'; image: RgbImage; caption: string; item: number }
  | { kind: 'edit'; source: RgbImage; target: RgbImage; mask: Mask | null; instruction: string; item: number };

export interface EpochOptions {
  seed: number;
  batchSize: number;
  /** Drop each bucket's final short batch. Default false. */
  dropLast?: boolean;
}

export class UserDataset {
  readonly items: DatasetItem[];
  /** Items left out at load (skip mode) or during epochs (files that broke later). */
  readonly skipped: SkippedItem[];
  readonly buckets: Size[];
  private readonly limits: DecodeLimits;

  constructor(items: DatasetItem[], skipped: SkippedItem[], buckets: Size[], limits: DecodeLimits) {
    this.items = items;
    this.skipped = skipped;
    this.buckets = buckets;
    this.limits = limits;
  }

  get size(): number {
    return this.items.length;
  }

  /** Decodes item i at its bucket size. Throws DataFileError naming the file. */
  async get(i: number): Promise<UserSample> {
    const it = this.items[i];
    if (!it) throw new RangeError(`item ${i} is out of range (dataset has ${this.items.length})`);
    if (it.kind === 't2i') {
      return { kind: 't2i', image: await decodeToSize(it.image, it.bucket, this.limits), caption: it.caption, item: i };
    }
    const [source, target, mask] = await Promise.all([
      decodeToSize(it.source, it.bucket, this.limits),
      decodeToSize(it.target, it.bucket, this.limits),
      it.mask ? decodeMaskToSize(it.mask, it.bucket, this.limits) : Promise.resolve(null),
    ]);
    return { kind: 'edit', source, target, mask, instruction: it.instruction, item: i };
  }

  /**
   * One pass over the data in a seeded order, as batches of one bucket each. A sample that
   * fails to decode is skipped and recorded, so a long run is not lost to one bad file.
   */
  async *epoch(opts: EpochOptions): AsyncGenerator<UserSample[]> {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${opts.batchSize}`);
    const order = new DataRng(opts.seed).shuffle(this.items.map((_, i) => i));
    const queues = new Map<string, UserSample[]>();
    for (const i of order) {
      let sample: UserSample;
      try {
        sample = await this.get(i);
      } catch (err) {
        if (!(err instanceof DataFileError)) throw err;
        this.skipped.push({ where: err.where, reason: err.reason });
        continue;
      }
      const b = this.items[i]!.bucket;
      const key = `${b.width}x${b.height}`;
      const q = queues.get(key) ?? [];
      q.push(sample);
      queues.set(key, q);
      if (q.length === opts.batchSize) {
        queues.set(key, []);
        yield q;
      }
    }
    if (!opts.dropLast) for (const q of queues.values()) if (q.length > 0) yield q;
  }
}

function limitsOf(opts: LoadOptions): DecodeLimits {
  return { ...DEFAULT_LIMITS, ...opts.limits };
}

/** Runs `fn` over items with a few in flight, keeping results in order. */
async function mapLimited<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

type Checked<T> = { ok: true; value: T } | { ok: false; error: DataFileError };

async function check<T>(fn: () => Promise<T>): Promise<Checked<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (err instanceof DataFileError) return { ok: false, error: err };
    throw err;
  }
}

function finish(items: DatasetItem[], errors: DataFileError[], opts: LoadOptions, buckets: Size[], limits: DecodeLimits): UserDataset {
  if (errors.length > 0 && (opts.onError ?? 'throw') === 'throw') throw errors[0]!;
  return new UserDataset(items, errors.map((e) => ({ where: e.where, reason: e.reason })), buckets, limits);
}

function bucketsOf(opts: LoadOptions): Size[] {
  return opts.buckets ?? aspectBuckets(opts.maxPixels ?? 256 * 256);
}

export async function loadImageFolder(dir: string, opts: LoadOptions = {}): Promise<UserDataset> {
  const limits = limitsOf(opts);
  const buckets = bucketsOf(opts);
  const scanned = await scanFolder(dir);
  const full = (opts.verify ?? 'decode') === 'decode';
  const checked = await mapLimited(scanned.items, 4, (it) => check(() => inspectImage({ file: it.image }, limits, full)));
  const items: DatasetItem[] = [];
  const errors = [...scanned.errors];
  checked.forEach((c, i) => {
    const it = scanned.items[i]!;
    if (!c.ok) errors.push(c.error);
    else items.push({ kind: 't2i', image: { file: it.image }, caption: it.caption, bucket: nearestBucket(c.value.width, c.value.height, buckets) });
  });
  // Report the first problem in file order, whichever stage found it.
  errors.sort((a, b) => (a.where.file < b.where.file ? -1 : a.where.file > b.where.file ? 1 : 0));
  return finish(items, errors, opts, buckets, limits);
}

export async function loadJsonlManifest(path: string, opts: LoadOptions = {}): Promise<UserDataset> {
  const limits = limitsOf(opts);
  const buckets = bucketsOf(opts);
  const parsed = await parseManifest(path);
  const full = (opts.verify ?? 'decode') === 'decode';
  const errors = [...parsed.errors];
  const at = (file: string, line: number): Where => ({ file, line, manifest: path });
  const checked = await mapLimited(parsed.items, 4, (it) =>
    check(async (): Promise<DatasetItem> => {
      if (it.kind === 't2i') {
        const info = await inspectImage(at(it.image, it.line), limits, full);
        return { kind: 't2i', image: at(it.image, it.line), caption: it.caption, bucket: nearestBucket(info.width, info.height, buckets) };
      }
      const src = await inspectImage(at(it.source, it.line), limits, full);
      const tgt = await inspectImage(at(it.target, it.line), limits, full);
      if (src.width !== tgt.width || src.height !== tgt.height) {
        throw new DataFileError(at(it.target, it.line), `target is ${tgt.width}x${tgt.height} but source is ${src.width}x${src.height}; they must match`);
      }
      if (it.mask) {
        const m = await inspectImage(at(it.mask, it.line), limits, full);
        if (m.width !== src.width || m.height !== src.height) {
          throw new DataFileError(at(it.mask, it.line), `mask is ${m.width}x${m.height} but source is ${src.width}x${src.height}; they must match`);
        }
      }
      return {
        kind: 'edit', source: at(it.source, it.line), target: at(it.target, it.line), instruction: it.instruction,
        bucket: nearestBucket(src.width, src.height, buckets), ...(it.mask ? { mask: at(it.mask, it.line) } : {}),
      };
    }),
  );
  const items: DatasetItem[] = [];
  for (const c of checked) {
    if (c.ok) items.push(c.value);
    else errors.push(c.error);
  }
  errors.sort((a, b) => (a.where.line ?? 0) - (b.where.line ?? 0));
  return finish(items, errors, opts, buckets, limits);
}

/** A folder, or a .jsonl manifest, chosen by what the path is. */
export async function loadDataset(path: string, opts: LoadOptions = {}): Promise<UserDataset> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new DataFileError({ file: path }, 'not found (give a folder of images with .txt captions, or a .jsonl manifest)');
  }
  if (isDir) return loadImageFolder(path, opts);
  if (!path.endsWith('.jsonl')) throw new DataFileError({ file: path }, 'expected a folder or a .jsonl manifest');
  return loadJsonlManifest(path, opts);
}
