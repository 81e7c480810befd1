// A contact sheet of what the model learns from: scenes with their captions, or edit
// triplets (source | target | mask) with their instructions, as one PNG.
import sharp from 'sharp';
import { composeScene } from './compose.ts';
import { makeEditPair } from './edits.ts';
import { blitCoverage, createImage, type Mask, type RgbImage } from './image.ts';
import { FONT_FAMILY, renderTextCoverage } from './lettering.ts';
import { mixSeed } from './rng.ts';
import type { Split } from './sampler.ts';
import { validateSize } from './sizes.ts';

export interface PreviewOptions {
  n: number;
  size: number;
  seed: number;
  edits: boolean;
  split?: Split;
}

const GAP = 6;
const TEXT_LINES = 5;

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Greedy word wrap by an estimated character width; the last line ends in … when cut. */
export function wrapText(text: string, charsPerLine: number, maxLines: number): string[] {
  const lines: string[] = [];
  let cur = '';
  const words = text.split(/\s+/);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const next = cur ? `${cur} ${w}` : w;
    if (next.length <= charsPerLine || !cur) {
      cur = next;
      continue;
    }
    lines.push(cur);
    cur = w;
    if (lines.length === maxLines) {
      lines[maxLines - 1] = `${lines[maxLines - 1]!.replace(/\s*\S*$/, '')} …`;
      return lines;
    }
  }
  if (cur) lines.push(cur);
  return lines.slice(0, maxLines);
}

function paste(dst: RgbImage, src: RgbImage, x: number, y: number): void {
  for (let row = 0; row < src.height; row++) {
    dst.data.set(src.data.subarray(row * src.width * 3, (row + 1) * src.width * 3), ((y + row) * dst.width + x) * 3);
  }
}

function maskAsImage(m: Mask): RgbImage {
  const img = createImage(m.width, m.height);
  for (let p = 0; p < m.data.length; p++) img.data[p * 3] = img.data[p * 3 + 1] = img.data[p * 3 + 2] = m.data[p]!;
  return img;
}

function drawCaption(sheet: RgbImage, text: string, x: number, y: number, width: number, fontSize: number): void {
  const lineH = Math.round(fontSize * 1.25);
  const lines = wrapText(text, Math.max(8, Math.floor(width / (fontSize * 0.48))), TEXT_LINES);
  const body = lines
    .map((l, i) => `<text x="0" y="${(i + 1) * lineH - Math.round(fontSize * 0.25)}" font-family="${FONT_FAMILY}" font-size="${fontSize}" fill="#000">${escapeXml(l)}</text>`)
    .join('');
  const cov = renderTextCoverage(body, width, lineH * TEXT_LINES);
  blitCoverage(sheet, cov, x, y, [20, 20, 20]);
}

export interface SheetCell {
  /** Square tiles of `size` pixels, shown side by side. */
  tiles: RgbImage[];
  text: string;
}

/** A captioned contact sheet: cells of tiles with wrapped text under each, in a grid. */
export function contactSheet(cells: SheetCell[], size: number, cols = Math.ceil(Math.sqrt(cells.length))): RgbImage {
  const perCell = cells[0]?.tiles.length ?? 1;
  const cellW = perCell * size + (perCell - 1) * 2;
  const fontSize = Math.max(10, Math.round(size / 11));
  const textH = Math.round(fontSize * 1.25) * TEXT_LINES;
  const cellH = size + 4 + textH;
  const rows = Math.ceil(cells.length / cols);
  const sheet = createImage(cols * cellW + (cols + 1) * GAP, rows * cellH + (rows + 1) * GAP, [255, 255, 255]);
  cells.forEach((c, i) => {
    const x = GAP + (i % cols) * (cellW + GAP);
    const y = GAP + Math.floor(i / cols) * (cellH + GAP);
    c.tiles.forEach((t, k) => paste(sheet, t, x + k * (size + 2), y));
    drawCaption(sheet, c.text, x, y + size + 4, cellW, fontSize);
  });
  return sheet;
}

/** Builds the sheet in memory. */
export function previewSheet(opts: PreviewOptions): RgbImage {
  validateSize(opts.size, opts.size);
  const cells: SheetCell[] = [];
  for (let i = 0; i < opts.n; i++) {
    const seed = mixSeed(opts.seed, i);
    if (opts.edits) {
      const e = makeEditPair(seed, { width: opts.size, height: opts.size, split: opts.split });
      cells.push({ tiles: [e.source, e.target, maskAsImage(e.mask)], text: `[${e.kind}] ${e.instruction}` });
    } else {
      const c = composeScene(seed, { width: opts.size, height: opts.size, split: opts.split });
      cells.push({ tiles: [c.image], text: c.captions.short });
    }
  }
  const cols = opts.edits ? Math.max(1, Math.min(opts.n, Math.round(Math.sqrt(opts.n / 2)))) : Math.ceil(Math.sqrt(opts.n));
  return contactSheet(cells, opts.size, cols);
}

export async function writePreview(path: string, opts: PreviewOptions): Promise<void> {
  const sheet = previewSheet(opts);
  await sharp(Buffer.from(sheet.data.buffer, sheet.data.byteOffset, sheet.data.length), {
    raw: { width: sheet.width, height: sheet.height, channels: 3 },
  })
    .png()
    .toFile(path);
}
