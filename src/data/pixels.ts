// Read-back helpers: compare images and measure regions. Used by tests and by evaluators that
// check generated pixels against a scene's ground truth.
import type { Box, Mask, RgbColor, RgbImage } from './image.ts';

export function pixelAt(img: RgbImage, x: number, y: number): RgbColor {
  const o = (y * img.width + x) * 3;
  return [img.data[o]!, img.data[o + 1]!, img.data[o + 2]!];
}

/** Mask of pixels that differ between two same-sized images. */
export function diffMask(a: RgbImage, b: RgbImage): Mask {
  if (a.width !== b.width || a.height !== b.height) throw new RangeError('diffMask: sizes differ');
  const data = new Uint8Array(a.width * a.height);
  for (let p = 0, o = 0; p < data.length; p++, o += 3) {
    if (a.data[o] !== b.data[o] || a.data[o + 1] !== b.data[o + 1] || a.data[o + 2] !== b.data[o + 2]) data[p] = 255;
  }
  return { width: a.width, height: a.height, data };
}

export function countSet(mask: Mask): number {
  let n = 0;
  for (const v of mask.data) if (v) n++;
  return n;
}

/** Pixels set in `a` but not in `b`. */
export function countOutside(a: Mask, b: Mask): number {
  let n = 0;
  for (let p = 0; p < a.data.length; p++) if (a.data[p] && !b.data[p]) n++;
  return n;
}

export function countInBox(mask: Mask, box: Box): number {
  let n = 0;
  for (let y = Math.max(0, box.y); y < Math.min(mask.height, box.y + box.height); y++) {
    for (let x = Math.max(0, box.x); x < Math.min(mask.width, box.x + box.width); x++) if (mask.data[y * mask.width + x]) n++;
  }
  return n;
}

export function boxContains(outer: Box, inner: Box): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
}

export function pointInAnyBox(x: number, y: number, boxes: readonly Box[]): boolean {
  return boxes.some((b) => x >= b.x && x < b.x + b.width && y >= b.y && y < b.y + b.height);
}
