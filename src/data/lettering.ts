// Draws uppercase words in Anton, an OFL font shipped by the npm package @expo-google-fonts/anton.
// Letters are rasterised one at a time by resvg at the exact pixel size needed and cached, so a
// word costs a few blits once its letters have been seen at that size.
import { Resvg } from '@resvg/resvg-js';
import { createRequire } from 'node:module';
import type { Mask } from './image.ts';

const require = createRequire(import.meta.url);
export const FONT_PACKAGE = '@expo-google-fonts/anton';
export const FONT_FILE = require.resolve(`${FONT_PACKAGE}/400Regular/Anton_400Regular.ttf`);
export const FONT_FAMILY = 'Anton';

interface Glyph {
  /** Coverage of the whole glyph canvas column range [x0, x1) (full canvas height). */
  cov: Uint8Array;
  width: number;
  height: number;
  /** Rows that hold ink, over the whole canvas height. */
  top: number;
  bottom: number;
}

const glyphCache = new Map<string, Glyph>();

/** Renders text with the shipped font into a coverage map (alpha only). */
export function renderTextCoverage(svgBody: string, width: number, height: number): Mask {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${svgBody}</svg>`;
  const r = new Resvg(svg, {
    font: { fontFiles: [FONT_FILE], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
  }).render();
  const px = r.pixels;
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = px[i * 4 + 3]!;
  return { width, height, data };
}

function glyph(letter: string, fontSize: number): Glyph {
  const key = `${letter}${fontSize}`;
  const hit = glyphCache.get(key);
  if (hit) return hit;
  const canvasW = Math.ceil(fontSize * 1.2) + 4;
  const canvasH = Math.ceil(fontSize * 1.3) + 4;
  const baseline = Math.round(fontSize * 1.05) + 2;
  const cov = renderTextCoverage(
    `<text x="2" y="${baseline}" font-family="${FONT_FAMILY}" font-size="${fontSize}" fill="#000">${letter}</text>`,
    canvasW,
    canvasH,
  );
  let x0 = canvasW;
  let x1 = -1;
  let top = canvasH;
  let bottom = -1;
  for (let y = 0; y < canvasH; y++) {
    for (let x = 0; x < canvasW; x++) {
      if (cov.data[y * canvasW + x]! > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < top) top = y;
        if (y > bottom) bottom = y;
      }
    }
  }
  if (x1 < 0) throw new Error(`font ${FONT_FAMILY} has no ink for "${letter}"`);
  const width = x1 - x0 + 1;
  const out = new Uint8Array(width * canvasH);
  for (let y = 0; y < canvasH; y++) out.set(cov.data.subarray(y * canvasW + x0, y * canvasW + x1 + 1), y * width);
  const g: Glyph = { cov: out, width, height: canvasH, top, bottom };
  glyphCache.set(key, g);
  return g;
}

function letterGap(fontSize: number): number {
  return Math.max(1, Math.round(fontSize * 0.06));
}

function measure(text: string, fontSize: number): { width: number; top: number; bottom: number } {
  let width = 0;
  let top = Infinity;
  let bottom = -Infinity;
  for (let i = 0; i < text.length; i++) {
    const g = glyph(text[i]!, fontSize);
    width += g.width + (i > 0 ? letterGap(fontSize) : 0);
    top = Math.min(top, g.top);
    bottom = Math.max(bottom, g.bottom);
  }
  return { width, top, bottom };
}

/**
 * The largest rendering of `text` (uppercase A–Z) that fits in maxWidth × maxHeight, as a
 * coverage map cropped to its ink. Returns null if even a 4 px font does not fit.
 */
export function wordCoverage(text: string, maxWidth: number, maxHeight: number): Mask | null {
  if (!/^[A-Z]+$/.test(text)) throw new RangeError(`lettering supports A–Z only, got "${text}"`);
  // Anton's capitals are about 0.86 em tall when the canvas is measured; start from the height.
  let fontSize = Math.floor(maxHeight / 0.9);
  for (let tries = 0; fontSize >= 4 && tries < 12; tries++) {
    const m = measure(text, fontSize);
    const h = m.bottom - m.top + 1;
    if (m.width <= maxWidth && h <= maxHeight) return drawWord(text, fontSize, m);
    const scale = Math.min(maxWidth / m.width, maxHeight / h);
    fontSize = Math.min(fontSize - 1, Math.floor(fontSize * scale));
  }
  return null;
}

function drawWord(text: string, fontSize: number, m: { width: number; top: number; bottom: number }): Mask {
  const height = m.bottom - m.top + 1;
  const data = new Uint8Array(m.width * height);
  let x = 0;
  for (let i = 0; i < text.length; i++) {
    const g = glyph(text[i]!, fontSize);
    for (let y = 0; y < height; y++) {
      const src = (y + m.top) * g.width;
      const dst = y * m.width + x;
      for (let k = 0; k < g.width; k++) {
        const v = g.cov[src + k]!;
        if (v > data[dst + k]!) data[dst + k] = v;
      }
    }
    x += g.width + letterGap(fontSize);
  }
  return { width: m.width, height, data };
}
