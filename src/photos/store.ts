// A photo library over a folder of the user's photos. The originals are only ever read: the
// library lives in DIR/.flowpaint/ — index.json (each photo, its versions and which is current),
// thumbs/ (small upright JPEGs without metadata), versions/<photo>/<n>.png (each edit, with its
// full history in the PNG and in the index), masks/ and batches/ (resumable batch journals).
// Every file is written through a temp file and a rename, so a crash leaves the previous state.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { writeFileAtomic } from '../engine/index.ts';
import { InputError } from '../errors.ts';
import type { RgbImage } from '../image/index.ts';
import { decodeImage, fitSize, MAX_INPUT_PIXELS } from '../pipeline/index.ts';
import { hasLocation } from './exif.ts';

export const STORE_DIRNAME = '.flowpaint';
export const PHOTO_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.heic', '.heif', '.avif', '.tif', '.tiff', '.gif'];
export const THUMB_SIDE = 256;

export type ExifMode = 'strip' | 'keep' | 'keep-location';

/** Everything needed to make a version again, bit for bit, from its parent. */
export interface EditRecipe {
  instruction: string;
  preset?: string;
  /** A mask in the store (masks/<sha>.png), white = change, in upright photo coordinates. */
  mask?: string;
  seed: number;
  steps: number;
  guidance?: number;
  imageGuidance?: number;
  exif: ExifMode;
  model: string;
  modelVersion: string;
}

export interface VersionRecord {
  /** 1, 2, …; 0 is the original. */
  n: number;
  parent: number;
  file: string;
  sha256: string;
  width: number;
  height: number;
  created: string;
  recipe: EditRecipe;
  batch?: { id: string; item: number };
}

export interface PhotoRecord {
  id: string;
  /** Relative to the library folder, with forward slashes. */
  path: string;
  bytes: number;
  sha256: string;
  format: string;
  /** Upright size (after EXIF orientation). */
  width: number;
  height: number;
  orientation: number;
  hasLocation: boolean;
  thumb: string;
  versions: VersionRecord[];
  /** The version shown and edited next; 0 = the original. */
  current: number;
  /** Set when the original's bytes changed since it was indexed (its versions keep their parent). */
  changed?: boolean;
}

interface IndexFile {
  version: 1;
  photos: PhotoRecord[];
}

export interface IndexReport {
  added: string[];
  unchanged: number;
  changed: string[];
  missing: string[];
  skipped: { path: string; reason: string }[];
}

export interface VerifyReport {
  /** Originals whose bytes match the index. */
  originals: number;
  /** Versions whose files match their checksums. */
  versions: number;
  problems: { path: string; version?: number; problem: string }[];
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A photo decoded upright (EXIF orientation applied), flattened to RGB, at full size. */
export async function decodeUpright(bytes: Uint8Array, what: string): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'truncated' })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (err) {
    throw new InputError(`${what} could not be decoded: ${(err as Error).message.split('\n')[0]}`);
  }
}

export class PhotoStore {
  readonly root: string;
  private data: IndexFile;

  private constructor(readonly dir: string) {
    this.root = join(dir, STORE_DIRNAME);
    const file = join(this.root, 'index.json');
    this.data = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as IndexFile) : { version: 1, photos: [] };
  }

  static open(dir: string): PhotoStore {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`${dir} is not a folder`);
    return new PhotoStore(dir);
  }

  get photos(): readonly PhotoRecord[] {
    return this.data.photos;
  }

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  /** A photo by id, or by its path relative to the folder (or as given on the command line). */
  find(ref: string): PhotoRecord {
    const rel = ref.split(sep).join('/').replace(/^\.\//, '');
    const p = this.data.photos.find((x) => x.id === ref || x.path === rel || join(this.dir, x.path) === ref);
    if (!p) throw new InputError(`${ref} is not in the library at ${this.dir} (run 'flowpaint photos index ${this.dir}' first)`);
    return p;
  }

  save(): void {
    this.write('index.json', new TextEncoder().encode(`${JSON.stringify(this.data, null, 1)}\n`));
  }

  write(rel: string, bytes: Uint8Array): void {
    const path = this.path(rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileAtomic(path, bytes);
  }

  /** Scans the folder (recursively, skipping dot-folders): new photos get a record and a thumbnail. */
  async index(onPhoto?: (path: string) => void): Promise<IndexReport> {
    const report: IndexReport = { added: [], unchanged: 0, changed: [], missing: [], skipped: [] };
    const seen = new Set<string>();
    for (const abs of scan(this.dir)) {
      const rel = relative(this.dir, abs).split(sep).join('/');
      seen.add(rel);
      onPhoto?.(rel);
      const bytes = readFileSync(abs);
      const hash = sha256(bytes);
      const known = this.data.photos.find((p) => p.path === rel);
      if (known && known.sha256 === hash) {
        report.unchanged++;
        continue;
      }
      let meta: Metadata;
      try {
        meta = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
        if (!meta.width || !meta.height) throw new Error('no size');
      } catch (err) {
        report.skipped.push({ path: rel, reason: (err as Error).message.split('\n')[0]! });
        continue;
      }
      const orientation = meta.orientation ?? 1;
      const swap = orientation >= 5;
      const id = known?.id ?? sha256(new TextEncoder().encode(rel)).slice(0, 12);
      const thumb = `thumbs/${id}.jpg`;
      this.write(thumb, await sharp(bytes).rotate().resize(THUMB_SIDE, THUMB_SIDE, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer());
      const record: PhotoRecord = {
        id, path: rel, bytes: bytes.length, sha256: hash, format: meta.format ?? extname(rel).slice(1),
        width: swap ? meta.height : meta.width, height: swap ? meta.width : meta.height, orientation,
        hasLocation: hasLocation(meta.exif), thumb, versions: known?.versions ?? [], current: known?.current ?? 0,
      };
      if (known) {
        record.changed = true;
        Object.assign(known, record);
        report.changed.push(rel);
      } else {
        this.data.photos.push(record);
        report.added.push(rel);
      }
    }
    report.missing = this.data.photos.filter((p) => !seen.has(p.path)).map((p) => p.path);
    this.data.photos.sort((a, b) => a.path.localeCompare(b.path));
    this.save();
    return report;
  }

  /** The original's bytes, checked against the index (they are never written). */
  original(p: PhotoRecord): Uint8Array {
    const abs = join(this.dir, p.path);
    if (!existsSync(abs)) throw new InputError(`${p.path} is missing from ${this.dir}`);
    return readFileSync(abs);
  }

  version(p: PhotoRecord, n: number): VersionRecord {
    const v = p.versions.find((x) => x.n === n);
    if (!v) throw new InputError(`${p.path} has no version ${n} (it has ${p.versions.length ? `1 to ${p.versions.length}` : 'only the original, 0'})`);
    return v;
  }

  /** A version's file bytes (n = 0: the original's). */
  versionBytes(p: PhotoRecord, n: number): Uint8Array {
    return n === 0 ? this.original(p) : readFileSync(this.path(this.version(p, n).file));
  }

  /**
   * The pixels an edit starts from: a version as stored, or the original upright at the working
   * size (sides multiples of 16, at most 1,048,576 pixels), the same way every time.
   */
  async workingImage(p: PhotoRecord, n: number): Promise<RgbImage> {
    if (n !== 0) return decodeImage(this.versionBytes(p, n), `${p.path} version ${n}`);
    const upright = await decodeUpright(this.original(p), p.path);
    const fit = fitSize(upright.width, upright.height);
    if (fit.width === upright.width && fit.height === upright.height) return upright;
    const data = await sharp(upright.data, { raw: { width: upright.width, height: upright.height, channels: 3 } }).resize(fit.width, fit.height, { fit: 'fill' }).raw().toBuffer();
    return { ...fit, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  }

  /** Records a new version (its PNG written first, then the index) and makes it current. */
  addVersion(p: PhotoRecord, png: Uint8Array, v: Omit<VersionRecord, 'n' | 'file' | 'sha256' | 'created'>): VersionRecord {
    const n = Math.max(0, ...p.versions.map((x) => x.n)) + 1;
    const file = `versions/${p.id}/${n}.png`;
    this.write(file, png);
    const record: VersionRecord = { n, file, sha256: sha256(png), created: new Date().toISOString(), ...v };
    p.versions.push(record);
    p.current = n;
    this.save();
    return record;
  }

  /** Makes version n current again (0 = the original); nothing is deleted. */
  restore(p: PhotoRecord, n: number): void {
    if (n !== 0) {
      const v = this.version(p, n);
      if (sha256(readFileSync(this.path(v.file))) !== v.sha256) throw new Error(`${p.path} version ${n}: ${v.file} does not match its recorded checksum`);
    }
    p.current = n;
    this.save();
  }

  /**
   * Checks the library against its index without changing anything: each original's bytes
   * against the checksum recorded when it was indexed, and each version's file against its own
   * (a version that matches can be restored and exported as it was made).
   */
  verify(): VerifyReport {
    const report: VerifyReport = { originals: 0, versions: 0, problems: [] };
    for (const p of this.data.photos) {
      const abs = join(this.dir, p.path);
      if (!existsSync(abs)) report.problems.push({ path: p.path, problem: 'the original is missing' });
      else if (sha256(readFileSync(abs)) !== p.sha256) report.problems.push({ path: p.path, problem: 'the original differs from the file that was indexed (run index to record it)' });
      else report.originals++;
      for (const v of p.versions) {
        const file = this.path(v.file);
        if (!existsSync(file)) report.problems.push({ path: p.path, version: v.n, problem: `${v.file} is missing` });
        else if (sha256(readFileSync(file)) !== v.sha256) report.problems.push({ path: p.path, version: v.n, problem: `${v.file} does not match its recorded checksum` });
        else report.versions++;
      }
    }
    return report;
  }

  /** Stores a mask once by content; the recipe names it. */
  addMask(png: Uint8Array): string {
    const rel = `masks/${sha256(png).slice(0, 16)}.png`;
    if (!existsSync(this.path(rel))) this.write(rel, png);
    return rel;
  }

  /** One batch at a time per library: a lock file with the owner's pid (a dead owner's lock is taken over). */
  lock(): () => void {
    mkdirSync(this.root, { recursive: true });
    const path = this.path('lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return () => {
          try {
            unlinkSync(path);
          } catch {}
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = Number(readFileSync(path, 'utf8'));
        if (owner && owner !== process.pid && alive(owner)) throw new InputError(`the library at ${this.dir} is busy (process ${owner} is working on it)`);
        unlinkSync(path);
      }
    }
    throw new InputError(`cannot lock the library at ${this.dir}`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function* scan(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) yield* scan(p);
    else if (st.isFile() && PHOTO_EXTENSIONS.includes(extname(name).toLowerCase())) yield p;
  }
}
