// Turns an image into the scorer's input: one row per grid cell holding the cell resampled to
// CELL_SIDE² pixels, a coarse CONTEXT_SIDE² thumbnail of the whole image (so the classifier can
// tell the background from an object of the same colour elsewhere) and which cell it is.
// A second view, the "object crop", is the square around the cell's largest foreground blob
// (pixels unlike the colour that dominates the cell's rim), resampled to CROP_SIDE² in colour and
// as colour-free shape: it shows one object at the same scale and place whatever its size,
// count, jitter and recolouring, which is what class identity needs.
// Area resampling makes the features nearly independent of the image size.
import type { Box, RgbImage } from '../../data/index.ts';
import { cellBox } from '../../data/scene.ts';

export const CELL_SIDE = 16;
export const CONTEXT_SIDE = 6;
export const CROP_SIDE = 16;
/** Crop: RGB, silhouette and normalised luminance. */
const CROP_VALUES = CROP_SIDE * CROP_SIDE * 5;
/** Blob statistics (count and size cues), in a fixed slot. */
const BLOB_VALUES = 6;
export const FEATURES = CELL_SIDE * CELL_SIDE * 3 + CROP_VALUES + BLOB_VALUES + CONTEXT_SIDE * CONTEXT_SIDE * 3 + 9;
/** Colour distance (sum of absolute channel differences) beyond which a pixel is foreground. */
const FOREGROUND_DISTANCE = 60;

/** Source pixels and their weights for each output position along one axis (box filter). */
function areaWeights(start: number, length: number, out: number): { idx: number[]; w: number[] }[] {
  const res: { idx: number[]; w: number[] }[] = [];
  const scale = length / out;
  for (let i = 0; i < out; i++) {
    const a = start + i * scale;
    const b = start + (i + 1) * scale;
    const idx: number[] = [];
    const w: number[] = [];
    for (let p = Math.floor(a); p < Math.ceil(b); p++) {
      const overlap = Math.min(b, p + 1) - Math.max(a, p);
      if (overlap > 1e-9) {
        idx.push(p);
        w.push(overlap / scale);
      }
    }
    res.push({ idx, w });
  }
  return res;
}

/** Area-averages `box` of `img` to side×side, writing values in [-1, 1] into `dst` at `offset`. */
export function resampleBox(img: RgbImage, box: Box, side: number, dst: Float32Array, offset: number): void {
  const xs = areaWeights(box.x, box.width, side);
  const ys = areaWeights(box.y, box.height, side);
  const d = img.data;
  for (let oy = 0; oy < side; oy++) {
    const ry = ys[oy]!;
    for (let ox = 0; ox < side; ox++) {
      const rx = xs[ox]!;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let a = 0; a < ry.idx.length; a++) {
        const rowOff = ry.idx[a]! * img.width;
        const wy = ry.w[a]!;
        for (let c = 0; c < rx.idx.length; c++) {
          const o = (rowOff + rx.idx[c]!) * 3;
          const wgt = wy * rx.w[c]!;
          r += d[o]! * wgt;
          g += d[o + 1]! * wgt;
          b += d[o + 2]! * wgt;
        }
      }
      const k = offset + (oy * side + ox) * 3;
      dst[k] = r / 127.5 - 1;
      dst[k + 1] = g / 127.5 - 1;
      dst[k + 2] = b / 127.5 - 1;
    }
  }
}

/** The most common colour (quantised to 4 bits a channel) on the box's one-pixel rim. */
function rimColor(img: RgbImage, box: Box): [number, number, number] {
  const votes = new Map<number, { n: number; r: number; g: number; b: number }>();
  const add = (x: number, y: number) => {
    const o = (y * img.width + x) * 3;
    const r = img.data[o]!;
    const g = img.data[o + 1]!;
    const b = img.data[o + 2]!;
    const key = ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4);
    const v = votes.get(key) ?? { n: 0, r: 0, g: 0, b: 0 };
    v.n++;
    v.r += r;
    v.g += g;
    v.b += b;
    votes.set(key, v);
  };
  const x1 = box.x + box.width - 1;
  const y1 = box.y + box.height - 1;
  for (let x = box.x; x <= x1; x++) {
    add(x, box.y);
    add(x, y1);
  }
  for (let y = box.y + 1; y < y1; y++) {
    add(box.x, y);
    add(x1, y);
  }
  let best = { n: 0, r: 0, g: 0, b: 0 };
  for (const v of votes.values()) if (v.n > best.n) best = v;
  return best.n > 0 ? [best.r / best.n, best.g / best.n, best.b / best.n] : [0, 0, 0];
}

/** Foreground of a box: pixels unlike its rim colour (255), as a mask of the box's size. */
export function foregroundMask(img: RgbImage, box: Box): Uint8Array {
  const [br, bg, bb] = rimColor(img, box);
  const fg = new Uint8Array(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      const o = ((box.y + y) * img.width + box.x + x) * 3;
      const d = Math.abs(img.data[o]! - br) + Math.abs(img.data[o + 1]! - bg) + Math.abs(img.data[o + 2]! - bb);
      if (d > FOREGROUND_DISTANCE) fg[y * box.width + x] = 255;
    }
  }
  return fg;
}

/**
 * The square around the largest 8-connected foreground blob of `box` (one object of a group,
 * whatever the count), in image coordinates and clipped to the image; the box itself when the
 * cell has no foreground worth the name.
 */
export function largestBlobSquare(img: RgbImage, box: Box, fg = foregroundMask(img, box)): Box {
  return blobAnalysis(img, box, fg).square;
}

export interface BlobStats {
  /** Square around the largest blob (the box itself when there is none). */
  square: Box;
  /** Geometry read straight off the foreground, for count and size (scale-free numbers). */
  stats: number[];
}

export function blobAnalysis(img: RgbImage, box: Box, fg = foregroundMask(img, box)): BlobStats {
  const w = box.width;
  const h = box.height;
  const seen = new Uint8Array(w * h);
  const stack: number[] = [];
  let best = { n: 0, x0: 0, y0: 0, x1: 0, y1: 0 };
  const areas: number[] = [];
  for (let start = 0; start < fg.length; start++) {
    if (!fg[start] || seen[start]) continue;
    const cur = { n: 0, x0: w, y0: h, x1: -1, y1: -1 };
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      const x = p % w;
      const y = (p - x) / w;
      cur.n++;
      if (x < cur.x0) cur.x0 = x;
      if (x > cur.x1) cur.x1 = x;
      if (y < cur.y0) cur.y0 = y;
      if (y > cur.y1) cur.y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const q = yy * w + xx;
          if (fg[q] && !seen[q]) {
            seen[q] = 1;
            stack.push(q);
          }
        }
      }
    }
    areas.push(cur.n);
    if (cur.n > best.n) best = cur;
  }
  const total = fg.reduce((a, v) => a + (v ? 1 : 0), 0);
  // Blobs at least a quarter the size of the largest: roughly the instances of a group.
  const big = areas.filter((a) => a >= best.n / 4 && a >= 4).length;
  const short = Math.min(w, h);
  const stats = [
    total / (w * h),
    best.n / (w * h),
    Math.min(big, 6) / 6,
    (best.x1 - best.x0 + 1) / short,
    (best.y1 - best.y0 + 1) / short,
    areas.length > 0 ? Math.min(areas.length, 20) / 20 : 0,
  ];
  // Specks (noise, antialiasing) are not objects.
  if (best.n < Math.max(4, (w * h) / 400)) return { square: box, stats };
  const side = Math.max(best.x1 - best.x0 + 1, best.y1 - best.y0 + 1, 2) + 2;
  const cx = box.x + (best.x0 + best.x1 + 1) / 2;
  const cy = box.y + (best.y0 + best.y1 + 1) / 2;
  const sw = Math.min(side, img.width);
  const sh = Math.min(side, img.height);
  const sx = Math.max(0, Math.min(img.width - sw, Math.round(cx - sw / 2)));
  const sy = Math.max(0, Math.min(img.height - sh, Math.round(cy - sh / 2)));
  return { square: { x: sx, y: sy, width: sw, height: sh }, stats };
}

/**
 * Shape view of a crop that ignores colour: the silhouette (foreground fraction) and the
 * contrast-normalised luminance, side×side each, so a blue apple and a red one look alike.
 */
function shapeFeatures(img: RgbImage, crop: Box, side: number, dst: Float32Array, offset: number): void {
  const fg = foregroundMask(img, crop);
  const sil: RgbImage = { width: crop.width, height: crop.height, data: new Uint8Array(crop.width * crop.height * 3) };
  for (let p = 0; p < fg.length; p++) sil.data[p * 3] = fg[p]!;
  const tmp = new Float32Array(side * side * 3);
  resampleBox(sil, { x: 0, y: 0, width: crop.width, height: crop.height }, side, tmp, 0);
  for (let i = 0; i < side * side; i++) dst[offset + i] = tmp[i * 3]!;
  resampleBox(img, crop, side, tmp, 0);
  let mean = 0;
  for (let i = 0; i < side * side; i++) mean += 0.299 * tmp[i * 3]! + 0.587 * tmp[i * 3 + 1]! + 0.114 * tmp[i * 3 + 2]!;
  mean /= side * side;
  let v = 0;
  const lum = new Float32Array(side * side);
  for (let i = 0; i < side * side; i++) {
    lum[i] = 0.299 * tmp[i * 3]! + 0.587 * tmp[i * 3 + 1]! + 0.114 * tmp[i * 3 + 2]! - mean;
    v += lum[i]! * lum[i]!;
  }
  const sd = Math.sqrt(v / (side * side)) + 0.05;
  for (let i = 0; i < side * side; i++) dst[offset + side * side + i] = lum[i]! / sd / 3;
}

/** The nine feature rows of one image, written into `dst` starting at row `firstRow`. */
export function cellFeatures(img: RgbImage, dst: Float32Array, firstRow: number): void {
  if (img.width < 3 || img.height < 3) throw new RangeError(`scorer: image ${img.width}x${img.height} is too small`);
  const context = new Float32Array(CONTEXT_SIDE * CONTEXT_SIDE * 3);
  resampleBox(img, { x: 0, y: 0, width: img.width, height: img.height }, CONTEXT_SIDE, context, 0);
  const cellPart = CELL_SIDE * CELL_SIDE * 3;
  const cropPart = CROP_VALUES;
  for (let cell = 0; cell < 9; cell++) {
    const base = (firstRow + cell) * FEATURES;
    const box = cellBox(img.width, img.height, Math.floor(cell / 3), cell % 3);
    resampleBox(img, box, CELL_SIDE, dst, base);
    const blobs = blobAnalysis(img, box);
    const crop = blobs.square;
    resampleBox(img, crop, CROP_SIDE, dst, base + cellPart);
    shapeFeatures(img, crop, CROP_SIDE, dst, base + cellPart + CROP_SIDE * CROP_SIDE * 3);
    for (let k = 0; k < BLOB_VALUES; k++) dst[base + cellPart + cropPart + k] = blobs.stats[k]! * 2 - 1;
    const ctx = base + cellPart + cropPart + BLOB_VALUES;
    dst.set(context, ctx);
    dst.fill(0, ctx + context.length, base + FEATURES);
    dst[ctx + context.length + cell] = 1;
  }
}

export function featuresOf(images: readonly RgbImage[]): Float32Array {
  const x = new Float32Array(images.length * 9 * FEATURES);
  images.forEach((img, i) => cellFeatures(img, x, i * 9));
  return x;
}
