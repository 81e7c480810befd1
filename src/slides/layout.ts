// Where text and picture go on a 16:9 slide (13.333 × 7.5 inches, PowerPoint's widescreen), and
// what size to draw each picture at: the layout's aspect ratio at about the model's native area,
// with sides multiples of 16 and within the card's limits.
import { MAX_PIXELS, MIN_SIDE, SIDE_MULTIPLE, type Size } from '../pipeline/index.ts';
import type { LayoutName } from './outline.ts';

export const SLIDE_W = 13.333;
export const SLIDE_H = 7.5;

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Layout {
  /** Width ÷ height of the picture drawn for it. */
  aspect: number;
  title: Box;
  text: Box;
  /** Where the picture may go; it is fitted inside (side) or covers it (background). */
  picture?: Box;
  fit: 'contain' | 'cover';
}

const TITLE: Box = { x: 0.5, y: 0.35, w: 12.33, h: 1.1 };

export const LAYOUTS: Record<LayoutName, Layout> = {
  side: { aspect: 4 / 3, title: TITLE, text: { x: 0.5, y: 1.6, w: 6.3, h: 5.4 }, picture: { x: 7.05, y: 1.6, w: 5.78, h: 5.4 }, fit: 'contain' },
  square: { aspect: 1, title: TITLE, text: { x: 0.5, y: 1.6, w: 6.9, h: 5.4 }, picture: { x: 7.63, y: 1.6, w: 5.2, h: 5.4 }, fit: 'contain' },
  background: { aspect: 16 / 9, title: { x: 0.75, y: 4.6, w: 11.83, h: 1.2 }, text: { x: 0.75, y: 5.8, w: 11.83, h: 1.2 }, picture: { x: 0, y: 0, w: SLIDE_W, h: SLIDE_H }, fit: 'cover' },
  none: { aspect: 1, title: TITLE, text: { x: 0.5, y: 1.6, w: 12.33, h: 5.4 }, fit: 'contain' },
};

/** Aspect ratios within this relative error count as matching; among those the largest area wins. */
const ASPECT_TOLERANCE = 0.05;

/**
 * The size to draw a picture of this aspect ratio at. Every valid size (sides multiples of 16, at
 * least 64) is a candidate; preferred are a trained bucket within 5 % of the aspect ratio, then
 * the largest size within 5 % whose area is at most `area` (the model's native area), else the
 * smallest size within 5 % (the pipeline draws it at the nearest trained bucket and resizes).
 */
export function imageSizeFor(aspect: number, area: number, buckets: Size[] = []): Size {
  const limit = Math.min(MAX_PIXELS, Math.max(area, MIN_SIDE * MIN_SIDE));
  const err = (s: Size) => Math.abs(s.width / s.height / aspect - 1);
  const bucket = buckets.filter((b) => b.width * b.height <= limit && err(b) <= ASPECT_TOLERANCE).sort((a, b) => b.width * b.height - a.width * a.height)[0];
  if (bucket) return { width: bucket.width, height: bucket.height };
  const matching: Size[] = [];
  for (let w = MIN_SIDE; w * MIN_SIDE <= MAX_PIXELS; w += SIDE_MULTIPLE) {
    for (const h of new Set([Math.floor(w / aspect / SIDE_MULTIPLE) * SIDE_MULTIPLE, Math.ceil(w / aspect / SIDE_MULTIPLE) * SIDE_MULTIPLE])) {
      if (h >= MIN_SIDE && w * h <= MAX_PIXELS && err({ width: w, height: h }) <= ASPECT_TOLERANCE) matching.push({ width: w, height: h });
    }
  }
  const byArea = (a: Size, b: Size) => a.width * a.height - b.width * b.height || err(a) - err(b);
  const within = matching.filter((s) => s.width * s.height <= limit).sort(byArea);
  if (within.length) return within[within.length - 1]!;
  return matching.sort(byArea)[0] ?? { width: MIN_SIDE, height: MIN_SIDE };
}

/** The picture's box inside `slot` keeping its aspect ratio, centred (contain). */
export function containBox(slot: Box, width: number, height: number): Box {
  const scale = Math.min(slot.w / width, slot.h / height);
  const w = width * scale;
  const h = height * scale;
  return { x: round(slot.x + (slot.w - w) / 2), y: round(slot.y + (slot.h - h) / 2), w: round(w), h: round(h) };
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
