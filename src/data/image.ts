// Pixel containers shared by the whole data pipeline, and the few raster operations the
// composer needs. Kept dependency-free so that composing a sample never waits on I/O.

import type { Mask, RgbImage } from '../image/index.ts';

export type { Mask, RgbImage };

/** Premultiplied-free RGBA sprite as rendered from SVG (straight alpha). */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A colour: red, green, blue, each 0–255. */
export type RgbColor = readonly [number, number, number];

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function createImage(width: number, height: number, fill: RgbColor = [0, 0, 0]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  if (fill[0] !== 0 || fill[1] !== 0 || fill[2] !== 0) {
    for (let i = 0; i < data.length; i += 3) {
      data[i] = fill[0];
      data[i + 1] = fill[1];
      data[i + 2] = fill[2];
    }
  }
  return { width, height, data };
}

export function createMask(width: number, height: number): Mask {
  return { width, height, data: new Uint8Array(width * height) };
}

export function cloneImage(img: RgbImage): RgbImage {
  return { width: img.width, height: img.height, data: img.data.slice() };
}

/** Sets the mask to 255 inside the box (clipped to the mask). */
export function fillMaskBox(mask: Mask, box: Box): void {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(mask.width, Math.ceil(box.x + box.width));
  const y1 = Math.min(mask.height, Math.ceil(box.y + box.height));
  for (let y = y0; y < y1; y++) mask.data.fill(255, y * mask.width + x0, y * mask.width + x1);
}

export function fillRect(img: RgbImage, box: Box, color: RgbColor): void {
  const x0 = Math.max(0, Math.round(box.x));
  const y0 = Math.max(0, Math.round(box.y));
  const x1 = Math.min(img.width, Math.round(box.x + box.width));
  const y1 = Math.min(img.height, Math.round(box.y + box.height));
  const d = img.data;
  for (let y = y0; y < y1; y++) {
    let o = (y * img.width + x0) * 3;
    for (let x = x0; x < x1; x++, o += 3) {
      d[o] = color[0];
      d[o + 1] = color[1];
      d[o + 2] = color[2];
    }
  }
}

/**
 * Alpha-blends a straight-alpha RGBA sprite onto the image with its top-left at (x, y).
 * Integer placement only: sprites are rendered at their final size, so no resampling here.
 */
export function blitRgba(img: RgbImage, sprite: RgbaImage, x: number, y: number): void {
  const sx0 = Math.max(0, -x);
  const sy0 = Math.max(0, -y);
  const sx1 = Math.min(sprite.width, img.width - x);
  const sy1 = Math.min(sprite.height, img.height - y);
  const s = sprite.data;
  const d = img.data;
  for (let sy = sy0; sy < sy1; sy++) {
    let si = (sy * sprite.width + sx0) * 4;
    let di = ((sy + y) * img.width + sx0 + x) * 3;
    for (let sx = sx0; sx < sx1; sx++, si += 4, di += 3) {
      const a = s[si + 3]!;
      if (a === 0) continue;
      if (a === 255) {
        d[di] = s[si]!;
        d[di + 1] = s[si + 1]!;
        d[di + 2] = s[si + 2]!;
      } else {
        const ia = 255 - a;
        // +127 then /255 rounds to nearest, keeping blends exact at the end points.
        d[di] = ((s[si]! * a + d[di]! * ia + 127) / 255) | 0;
        d[di + 1] = ((s[si + 1]! * a + d[di + 1]! * ia + 127) / 255) | 0;
        d[di + 2] = ((s[si + 2]! * a + d[di + 2]! * ia + 127) / 255) | 0;
      }
    }
  }
}

/** Blends a single colour through an 8-bit coverage map (used for glyphs). */
export function blitCoverage(img: RgbImage, cov: Mask, x: number, y: number, color: RgbColor): void {
  const sx0 = Math.max(0, -x);
  const sy0 = Math.max(0, -y);
  const sx1 = Math.min(cov.width, img.width - x);
  const sy1 = Math.min(cov.height, img.height - y);
  const d = img.data;
  for (let sy = sy0; sy < sy1; sy++) {
    let si = sy * cov.width + sx0;
    let di = ((sy + y) * img.width + sx0 + x) * 3;
    for (let sx = sx0; sx < sx1; sx++, si++, di += 3) {
      const a = cov.data[si]!;
      if (a === 0) continue;
      const ia = 255 - a;
      d[di] = ((color[0] * a + d[di]! * ia + 127) / 255) | 0;
      d[di + 1] = ((color[1] * a + d[di + 1]! * ia + 127) / 255) | 0;
      d[di + 2] = ((color[2] * a + d[di + 2]! * ia + 127) / 255) | 0;
    }
  }
}

/** Copies the masked pixels of `src` into `dst` (same size), leaving the rest of `dst`. */
export function pasteMasked(dst: RgbImage, src: RgbImage, mask: Mask): void {
  if (dst.width !== src.width || dst.height !== src.height || mask.width !== dst.width || mask.height !== dst.height) {
    throw new RangeError('pasteMasked: sizes differ');
  }
  for (let p = 0, o = 0; p < mask.data.length; p++, o += 3) {
    if (mask.data[p]) {
      dst.data[o] = src.data[o]!;
      dst.data[o + 1] = src.data[o + 1]!;
      dst.data[o + 2] = src.data[o + 2]!;
    }
  }
}

/** Bilinear resize of an RGB image; used for sizes the composer has no vector source for. */
export function resizeBilinear(img: RgbImage, width: number, height: number): RgbImage {
  const out = createImage(width, height);
  const sx = img.width / width;
  const sy = img.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(img.height - 1, Math.floor(fy));
    const y1 = Math.min(img.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5);
      const x0 = Math.min(img.width - 1, Math.floor(fx));
      const x1 = Math.min(img.width - 1, x0 + 1);
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const a = img.data[(y0 * img.width + x0) * 3 + c]!;
        const b = img.data[(y0 * img.width + x1) * 3 + c]!;
        const cc = img.data[(y1 * img.width + x0) * 3 + c]!;
        const dd = img.data[(y1 * img.width + x1) * 3 + c]!;
        const top = a + (b - a) * wx;
        const bot = cc + (dd - cc) * wx;
        out.data[(y * width + x) * 3 + c] = Math.round(top + (bot - top) * wy);
      }
    }
  }
  return out;
}

export function boxesIntersect(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

export function unionBox(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}
