// Edits of images larger than the model's own size: the editor runs at model scale on the part of
// the picture that matters, and the result is upscaled back into place. For inpainting that part
// is the mask's bounding box plus context around it; for instruction edits (no mask) it is the
// whole image. The window has a trained bucket's aspect ratio, so the model sees the shape it
// learned, and it is never smaller than that bucket (a small mask in a big photo is edited at full
// resolution, with no resizing at all).
import type { Size } from '../model/config.ts';
import type { Mask } from './image-io.ts';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Bounding box of the set pixels of a mask (undefined when empty). */
export function maskBounds(m: Mask): Box | undefined {
  let x0 = m.width;
  let y0 = m.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      if (!m.data[y * m.width + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? undefined : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

function nearestBucket(buckets: readonly Size[], aspect: number): Size {
  let best = buckets[0]!;
  for (const b of buckets) if (Math.abs(Math.log(b.width / b.height / aspect)) < Math.abs(Math.log(best.width / best.height / aspect))) best = b;
  return best;
}

/**
 * The window of a width×height image to edit and the model size to edit it at. `focus` is the
 * region that must be inside (the mask's bounds); context of half its larger side (at least 16 px)
 * is added around it. Without focus, the whole image.
 */
export function editWindow(width: number, height: number, buckets: readonly Size[], focus?: Box): { box: Box; model: Size } {
  if (!focus) return { box: { x: 0, y: 0, width, height }, model: nearestBucket(buckets, width / height) };
  const margin = Math.max(16, Math.round(Math.max(focus.width, focus.height) / 2));
  let w = Math.min(width, focus.width + 2 * margin);
  let h = Math.min(height, focus.height + 2 * margin);
  const model = nearestBucket(buckets, w / h);
  const aspect = model.width / model.height;
  // Widen or heighten to the bucket's aspect, then to at least the bucket's size, within the image.
  if (w / h < aspect) w = h * aspect;
  else h = w / aspect;
  const grow = Math.max(1, model.width / w, model.height / h);
  w = Math.min(width, Math.round(w * grow));
  h = Math.min(height, Math.round(h * grow));
  // Centred on the focus, shifted to lie inside the image.
  const cx = focus.x + focus.width / 2;
  const cy = focus.y + focus.height / 2;
  const x = Math.max(0, Math.min(width - w, Math.round(cx - w / 2)));
  const y = Math.max(0, Math.min(height - h, Math.round(cy - h / 2)));
  return { box: { x, y, width: w, height: h }, model };
}

export function cropRgb(img: { width: number; height: number; data: Uint8Array }, b: Box): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(b.width * b.height * 3);
  for (let y = 0; y < b.height; y++) data.set(img.data.subarray(((b.y + y) * img.width + b.x) * 3, ((b.y + y) * img.width + b.x + b.width) * 3), y * b.width * 3);
  return { width: b.width, height: b.height, data };
}

export function cropMask(m: Mask, b: Box): Mask {
  const data = new Uint8Array(b.width * b.height);
  for (let y = 0; y < b.height; y++) data.set(m.data.subarray((b.y + y) * m.width + b.x, (b.y + y) * m.width + b.x + b.width), y * b.width);
  return { width: b.width, height: b.height, data };
}

/** A copy of `img` with `patch` written at the box's position. */
export function pasteRgb(img: { width: number; height: number; data: Uint8Array }, patch: { width: number; height: number; data: Uint8Array }, b: Box): { width: number; height: number; data: Uint8Array } {
  const data = img.data.slice();
  for (let y = 0; y < b.height; y++) data.set(patch.data.subarray(y * b.width * 3, (y + 1) * b.width * 3), ((b.y + y) * img.width + b.x) * 3);
  return { width: img.width, height: img.height, data };
}

/** A mask of width×height, empty except for `patch` at the box's position. */
export function placeMask(width: number, height: number, patch: Mask, b: Box): Mask {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < b.height; y++) data.set(patch.data.subarray(y * b.width, (y + 1) * b.width), (b.y + y) * width + b.x);
  return { width, height, data };
}
