// Reads lettering back with Tesseract (Debian's tesseract-ocr, installed by
// scripts/install-system-deps.sh): an OCR engine the project did not write, so a text score
// does not grade the model with its own assumptions. Called as a subprocess on a PNG; no
// language data is ever downloaded.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import type { Box, RgbImage } from '../data/index.ts';

const run = promisify(execFile);

export class OcrUnavailable extends Error {
  override name = 'OcrUnavailable';
}

let checked: Promise<string> | null = null;

/** Tesseract's version line; throws OcrUnavailable (with the fix) when it is not installed. */
export function tesseractVersion(): Promise<string> {
  checked ??= run('tesseract', ['--version'])
    .then(({ stdout, stderr }) => (stdout || stderr).split('\n')[0]!.trim())
    .catch(() => {
      checked = null;
      throw new OcrUnavailable('tesseract is not installed: run scripts/install-system-deps.sh (Debian/Ubuntu: apt-get install tesseract-ocr)');
    });
  return checked;
}

export interface OcrOptions {
  /** Tesseract page segmentation mode (default 6: a block of text). */
  psm?: number;
  /** Scale so that the region's shorter side is about this many pixels (default 512). */
  targetSide?: number;
  /** Read only this region. */
  box?: Box;
}

/**
 * Colour layers the image is split into before reading: background, plate, ink, and one for
 * their antialiased mixtures (on ground-truth signs at 128², 3 layers read 22 of 30 words, 4 read 28).
 */
export const OCR_LAYERS = 4;

function crop(img: RgbImage, box: Box): RgbImage {
  const data = new Uint8Array(box.width * box.height * 3);
  for (let y = 0; y < box.height; y++) {
    data.set(img.data.subarray(((box.y + y) * img.width + box.x) * 3, ((box.y + y) * img.width + box.x + box.width) * 3), y * box.width * 3);
  }
  return { width: box.width, height: box.height, data };
}

/** Splits pixels into k colour clusters (k-means in RGB, deterministic start); returns each pixel's cluster. */
export function colorLayers(img: RgbImage, k: number, iterations = 10): Uint8Array {
  const n = img.width * img.height;
  const d = img.data;
  // Start from the most frequent colours (4 bits a channel) that are clearly apart: on a
  // rendered sign these are background, plate and ink, however unequal their areas.
  const bins = new Map<number, { n: number; r: number; g: number; b: number }>();
  for (let i = 0; i < n; i++) {
    const key = ((d[i * 3]! >> 4) << 8) | ((d[i * 3 + 1]! >> 4) << 4) | (d[i * 3 + 2]! >> 4);
    const v = bins.get(key) ?? { n: 0, r: 0, g: 0, b: 0 };
    v.n++;
    v.r += d[i * 3]!;
    v.g += d[i * 3 + 1]!;
    v.b += d[i * 3 + 2]!;
    bins.set(key, v);
  }
  const ranked = [...bins.entries()].sort((a, b) => b[1].n - a[1].n || a[0] - b[0]).map(([, v]) => [v.r / v.n, v.g / v.n, v.b / v.n]);
  let centres: number[][] = [];
  for (const minApart of [96, 48, 0]) {
    for (const c of ranked) {
      if (centres.length === k) break;
      if (centres.every((x) => Math.abs(x[0]! - c[0]!) + Math.abs(x[1]! - c[1]!) + Math.abs(x[2]! - c[2]!) > minApart)) centres.push(c);
    }
  }
  while (centres.length < k) centres.push(centres[0] ?? [0, 0, 0]);
  const assign = new Uint8Array(n);
  for (let it = 0; it < iterations; it++) {
    const sums = centres.map(() => [0, 0, 0, 0]);
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bd = Infinity;
      for (let j = 0; j < k; j++) {
        const c = centres[j]!;
        const dist = (d[i * 3]! - c[0]!) ** 2 + (d[i * 3 + 1]! - c[1]!) ** 2 + (d[i * 3 + 2]! - c[2]!) ** 2;
        if (dist < bd) {
          bd = dist;
          best = j;
        }
      }
      assign[i] = best;
      const s = sums[best]!;
      s[0]! += d[i * 3]!;
      s[1]! += d[i * 3 + 1]!;
      s[2]! += d[i * 3 + 2]!;
      s[3]!++;
    }
    centres = sums.map((s, j) => (s[3]! > 0 ? [s[0]! / s[3]!, s[1]! / s[3]!, s[2]! / s[3]!] : centres[j]!));
  }
  return assign;
}

/** Enlarges an image (Lanczos) so that its shorter side is about `side` pixels. */
async function enlarge(img: RgbImage, side: number): Promise<RgbImage> {
  const scale = Math.max(1, side / Math.min(img.width, img.height));
  const width = Math.round(img.width * scale);
  const height = Math.round(img.height * scale);
  if (width === img.width && height === img.height) return img;
  const data = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

async function tesseract(gray: Uint8Array, width: number, height: number, psm: number): Promise<string> {
  const png = await sharp(Buffer.from(gray.buffer, gray.byteOffset, gray.byteLength), { raw: { width, height, channels: 1 } })
    .extend({ top: 20, bottom: 20, left: 20, right: 20, background: { r: 255, g: 255, b: 255 } })
    .png()
    .toBuffer();
  const dir = mkdtempSync(join(tmpdir(), 'flowpaint-ocr-'));
  try {
    const file = join(dir, 'in.png');
    writeFileSync(file, png);
    try {
      const { stdout } = await run('tesseract', [file, 'stdout', '--psm', String(psm), '-l', 'eng'], {
        env: { ...process.env, OMP_THREAD_LIMIT: '1' },
        maxBuffer: 1 << 20,
      });
      return stdout;
    } catch (err) {
      // Tesseract can fail on one odd layer of one generated image; that layer reads as nothing
      // (so the word counts as not read) instead of losing a whole evaluation. Its input is kept.
      const kept = join(tmpdir(), `flowpaint-ocr-failed-${process.pid}-${Date.now()}.png`);
      writeFileSync(kept, png);
      const e = err as { code?: number | string; signal?: string };
      process.stderr.write(`ocr: tesseract failed (exit ${e.code ?? '?'}${e.signal ? `, ${e.signal}` : ''}); this layer reads as nothing; its input is kept at ${kept}\n`);
      return '';
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The uppercase letter tokens Tesseract reads in the image (or `opts.box` of it). Lettering is
 * coloured ink on a coloured plate on a coloured background, which defeats Tesseract's global
 * threshold; so the picture is enlarged first (generated letters are a few pixels tall; colour
 * clustering after enlarging keeps their edges smooth), split into OCR_LAYERS colour layers,
 * and each layer is read as black on white. Tokens of all layers are returned: a layer
 * without the word reads as nothing or noise, never as the word.
 */
export async function readText(img: RgbImage, opts: OcrOptions = {}): Promise<string[]> {
  await tesseractVersion();
  const region = await enlarge(opts.box ? crop(img, opts.box) : img, opts.targetSide ?? 512);
  const layers = colorLayers(region, OCR_LAYERS);
  const out: string[] = [];
  for (let k = 0; k < OCR_LAYERS; k++) {
    const gray = new Uint8Array(layers.length);
    let inked = 0;
    for (let i = 0; i < layers.length; i++) {
      gray[i] = layers[i] === k ? 0 : 255;
      if (layers[i] === k) inked++;
    }
    if (inked === 0 || inked === layers.length) continue;
    out.push(...tokens(await tesseract(gray, region.width, region.height, opts.psm ?? 6)));
  }
  return out;
}

/**
 * Horizontal stretches tried in turn by readWord. The lettering fonts are condensed (Anton's
 * letters are about twice as tall as wide), which Tesseract's English model misreads at times
 * (IGLOO as "LGLO", ROBIN as "RIGBIIH" on perfectly sharp 128² renders); widened 1.5× or 2× it
 * reads them. Widening cannot put a word into a picture that lacks it: the false-pass probes of
 * `npm run bench -- judges` (blank signs, another word's sign) stay at 0.
 */
export const READ_STRETCHES = [1, 1.5, 2] as const;

/** The image widened by `factor` (Lanczos), height unchanged. */
async function stretch(img: RgbImage, factor: number): Promise<RgbImage> {
  if (factor === 1) return img;
  const width = Math.round(img.width * factor);
  const data = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, img.height, { kernel: 'lanczos3', fit: 'fill' })
    .raw()
    .toBuffer();
  return { width, height: img.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * Reads the picture looking for `word`: as readText, then widened by each of READ_STRETCHES
 * until a read contains the word. Returns every token read (so CER is from the closest of all).
 */
export async function readWord(img: RgbImage, word: string, opts: OcrOptions = {}): Promise<string[]> {
  const region = opts.box ? crop(img, opts.box) : img;
  const out: string[] = [];
  for (const f of READ_STRETCHES) {
    const read = await readText(await stretch(region, f), { ...opts, box: undefined });
    out.push(...read);
    if (read.includes(word)) break;
  }
  return out;
}

/** Words as the lettering alphabet has them: A–Z runs, uppercased. */
export function tokens(text: string): string[] {
  return (text.toUpperCase().match(/[A-Z]+/g) ?? []).filter((t) => t.length > 0);
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

export interface WordScore {
  /** The word was read exactly (as one of the tokens). */
  correct: boolean;
  /** Character error rate: edit distance to the closest token / word length, capped at 1. */
  cer: number;
  /** The closest token ('' when nothing was read). */
  read: string;
}

/**
 * Scores a read-back against the expected word, as text-rendering benchmarks do with OCR on the
 * whole image: correct when any token equals the word; CER from the closest token (1 when
 * nothing was read).
 */
export function scoreWord(expected: string, read: readonly string[]): WordScore {
  let best = '';
  let bestD = Infinity;
  for (const t of read) {
    const d = editDistance(expected, t);
    if (d < bestD) {
      bestD = d;
      best = t;
    }
  }
  const cer = read.length === 0 ? 1 : Math.min(1, bestD / expected.length);
  return { correct: read.includes(expected), cer, read: best };
}
