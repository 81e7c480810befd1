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

/** Colour layers the image is split into before reading (background, plate, ink). */
export const OCR_LAYERS = 3;

function crop(img: RgbImage, box: Box): RgbImage {
  const data = new Uint8Array(box.width * box.height * 3);
  for (let y = 0; y < box.height; y++) {
    data.set(img.data.subarray(((box.y + y) * img.width + box.x) * 3, ((box.y + y) * img.width + box.x + box.width) * 3), y * box.width * 3);
  }
  return { width: box.width, height: box.height, data };
}

/**
 * Splits pixels into k colour clusters (k-means in RGB, started from luminance quantiles so the
 * result is deterministic); returns each pixel's cluster.
 */
export function colorLayers(img: RgbImage, k: number, iterations = 10): Uint8Array {
  const n = img.width * img.height;
  const d = img.data;
  const lum = new Float32Array(n);
  for (let i = 0; i < n; i++) lum[i] = 0.299 * d[i * 3]! + 0.587 * d[i * 3 + 1]! + 0.114 * d[i * 3 + 2]!;
  // Start each centre at the first pixel whose luminance reaches the ((j + 0.5) / k) quantile.
  const hist = new Uint32Array(256);
  for (let i = 0; i < n; i++) hist[Math.min(255, Math.round(lum[i]!))]!++;
  let centres = Array.from({ length: k }, (_, j) => {
    const want = ((j + 0.5) / k) * n;
    let level = 0;
    for (let acc = hist[0]!; acc < want && level < 255; acc += hist[++level]!);
    let p = 0;
    while (p < n - 1 && Math.round(lum[p]!) !== level) p++;
    return [d[p * 3]!, d[p * 3 + 1]!, d[p * 3 + 2]!];
  });
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

async function tesseract(gray: Uint8Array, width: number, height: number, opts: OcrOptions): Promise<string> {
  const scale = Math.max(1, (opts.targetSide ?? 512) / Math.min(width, height));
  const png = await sharp(Buffer.from(gray.buffer, gray.byteOffset, gray.byteLength), { raw: { width, height, channels: 1 } })
    .resize(Math.round(width * scale), Math.round(height * scale), { kernel: 'lanczos3' })
    .extend({ top: 20, bottom: 20, left: 20, right: 20, background: { r: 255, g: 255, b: 255 } })
    .png()
    .toBuffer();
  const dir = mkdtempSync(join(tmpdir(), 'flowpaint-ocr-'));
  try {
    const file = join(dir, 'in.png');
    writeFileSync(file, png);
    const { stdout } = await run('tesseract', [file, 'stdout', '--psm', String(opts.psm ?? 6), '-l', 'eng'], {
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
      maxBuffer: 1 << 20,
    });
    return stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The uppercase letter tokens Tesseract reads in the image (or `opts.box` of it). Lettering is
 * coloured ink on a coloured plate on a coloured background, which defeats Tesseract's global
 * threshold; so the picture is split into OCR_LAYERS colour layers and each layer is read as
 * black on white, enlarged (generated letters are a few pixels tall). Tokens of all layers
 * are returned: a layer without the word reads as nothing or noise, never as the word.
 */
export async function readText(img: RgbImage, opts: OcrOptions = {}): Promise<string[]> {
  await tesseractVersion();
  const region = opts.box ? crop(img, opts.box) : img;
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
    out.push(...tokens(await tesseract(gray, region.width, region.height, opts)));
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
