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
  /** Tesseract page segmentation mode: 7 = one line, 11 = sparse text (default). */
  psm?: number;
  /** Scale so that the image's shorter side is about this many pixels (default 512). */
  targetSide?: number;
  /** Read only this region. */
  box?: Box;
}

/**
 * The uppercase letter tokens Tesseract reads in the image. The image is enlarged (Lanczos)
 * first: generated lettering is a few pixels tall, below what Tesseract is tuned for, and a
 * white border keeps glyphs off the edge.
 */
export async function readText(img: RgbImage, opts: OcrOptions = {}): Promise<string[]> {
  await tesseractVersion();
  let pipeline = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
    raw: { width: img.width, height: img.height, channels: 3 },
  });
  let w = img.width;
  let h = img.height;
  if (opts.box) {
    pipeline = pipeline.extract({ left: opts.box.x, top: opts.box.y, width: opts.box.width, height: opts.box.height });
    w = opts.box.width;
    h = opts.box.height;
  }
  const scale = Math.max(1, (opts.targetSide ?? 512) / Math.min(w, h));
  const png = await pipeline
    .resize(Math.round(w * scale), Math.round(h * scale), { kernel: 'lanczos3' })
    .extend({ top: 16, bottom: 16, left: 16, right: 16, background: { r: 255, g: 255, b: 255 } })
    .png()
    .toBuffer();
  const dir = mkdtempSync(join(tmpdir(), 'flowpaint-ocr-'));
  try {
    const file = join(dir, 'in.png');
    writeFileSync(file, png);
    const { stdout } = await run('tesseract', [file, 'stdout', '--psm', String(opts.psm ?? 11), '-l', 'eng'], {
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
      maxBuffer: 1 << 20,
    });
    return tokens(stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
