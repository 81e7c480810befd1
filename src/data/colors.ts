// The 11 basic colour terms (Berlin & Kay) with one fixed RGB each, the recolouring rule that
// turns "an apple" into "a blue apple", and the inverse: naming the colour of pixels, so that
// tests and evaluators can check a caption's colour words against the image.
import type { RgbColor, RgbaImage } from './image.ts';

export const COLOR_NAMES = [
  'red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'brown', 'black', 'white', 'gray',
] as const;
export type ColorName = (typeof COLOR_NAMES)[number];

/** Chosen far apart from each other so that the named colour can be read back from pixels. */
export const PALETTE: Readonly<Record<ColorName, RgbColor>> = {
  red: [214, 32, 32],
  orange: [246, 134, 22],
  yellow: [248, 222, 40],
  green: [38, 160, 60],
  blue: [36, 92, 214],
  purple: [128, 52, 178],
  pink: [244, 132, 196],
  brown: [122, 74, 36],
  black: [22, 22, 22],
  white: [244, 244, 244],
  gray: [128, 128, 128],
};

export function isColorName(s: string): s is ColorName {
  return (COLOR_NAMES as readonly string[]).includes(s);
}

/** Colours that read clearly against each other; used to keep objects visible on backgrounds. */
export function contrastingColors(bg: ColorName): ColorName[] {
  return COLOR_NAMES.filter((c) => colorDistance(PALETTE[c], PALETTE[bg]) > 110);
}

/** "Redmean" weighted RGB distance: cheap and close enough to perceived difference for naming. */
export function colorDistance(a: RgbColor, b: RgbColor): number {
  const rm = (a[0] + b[0]) / 2;
  const dr = a[0] - b[0];
  const dg = a[1] - b[1];
  const db = a[2] - b[2];
  return Math.sqrt((2 + rm / 256) * dr * dr + 4 * dg * dg + (2 + (255 - rm) / 256) * db * db);
}

const CHROMATIC = COLOR_NAMES.filter((c) => c !== 'black' && c !== 'white' && c !== 'gray');

/**
 * The basic colour term for one pixel. Near-neutral pixels are named by lightness alone
 * (black, gray, white), as people do; the rest go to the nearest chromatic palette colour.
 */
export function nearestColorName(rgb: RgbColor): ColorName {
  const max = Math.max(rgb[0], rgb[1], rgb[2]);
  const min = Math.min(rgb[0], rgb[1], rgb[2]);
  if (max - min < 32) {
    const l = luminance(rgb[0], rgb[1], rgb[2]);
    return l < 64 ? 'black' : l < 192 ? 'gray' : 'white';
  }
  let best: ColorName = 'red';
  let bestD = Infinity;
  for (const name of CHROMATIC) {
    const d = colorDistance(rgb, PALETTE[name]);
    if (d < bestD) {
      bestD = d;
      best = name;
    }
  }
  return best;
}

export function luminance(r: number, g: number, b: number): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

/** Strength of the shading kept from the original art when recolouring. */
export const RECOLOR_SHADING = 0.4;
/** Largest lightness shift; beyond it, dark outlines and highlights would change the colour's name. */
export const RECOLOR_MAX_SHIFT = 56;

/**
 * Recolours a sprite to a named colour: every visible pixel becomes the target colour, made
 * lighter or darker by RECOLOR_SHADING times how far its luminance is from the sprite's mean
 * (at most RECOLOR_MAX_SHIFT).
 * The mean colour of the result is therefore the target colour (up to clipping), while the
 * shape's inner detail (outlines, highlights) stays visible. Alpha is kept.
 */
export function recolorSprite(sprite: RgbaImage, color: ColorName): RgbaImage {
  const src = sprite.data;
  const out = new Uint8Array(src.length);
  let sumL = 0;
  let sumA = 0;
  for (let i = 0; i < src.length; i += 4) {
    const a = src[i + 3]!;
    sumL += luminance(src[i]!, src[i + 1]!, src[i + 2]!) * a;
    sumA += a;
  }
  const meanL = sumA > 0 ? sumL / sumA : 128;
  const [tr, tg, tb] = PALETTE[color];
  for (let i = 0; i < src.length; i += 4) {
    const a = src[i + 3]!;
    if (a === 0) continue;
    const raw = RECOLOR_SHADING * (luminance(src[i]!, src[i + 1]!, src[i + 2]!) - meanL);
    const off = raw > RECOLOR_MAX_SHIFT ? RECOLOR_MAX_SHIFT : raw < -RECOLOR_MAX_SHIFT ? -RECOLOR_MAX_SHIFT : raw;
    out[i] = clamp255(tr + off);
    out[i + 1] = clamp255(tg + off);
    out[i + 2] = clamp255(tb + off);
    out[i + 3] = a;
  }
  return { width: sprite.width, height: sprite.height, data: out };
}

function clamp255(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

/**
 * Names the dominant colour of a set of pixels: each pixel votes for its nearest palette
 * colour and the most voted name wins. Voting (not averaging) keeps thin outlines and
 * highlights from dragging the answer to a neighbouring colour.
 */
export function dominantColorName(pixels: Iterable<RgbColor>): ColorName {
  const votes = new Map<ColorName, number>();
  for (const p of pixels) {
    const n = nearestColorName(p);
    votes.set(n, (votes.get(n) ?? 0) + 1);
  }
  let best: ColorName = 'black';
  let bestV = -1;
  for (const [n, v] of votes) {
    if (v > bestV) {
      best = n;
      bestV = v;
    }
  }
  return best;
}
