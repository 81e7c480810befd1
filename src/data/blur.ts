// Synthetic motion blur: a straight-line box kernel, the blur a camera or object makes when it
// moves during the exposure. Deblur edit pairs use it as the source and the sharp image as the target.
import { createImage, type Mask, type RgbImage } from './image.ts';

/** Integer pixel offsets along a line of `length` pixels centred on 0, at `angleDeg`. */
export function lineKernel(length: number, angleDeg: number): [number, number][] {
  const n = Math.max(1, Math.round(length));
  const a = (angleDeg * Math.PI) / 180;
  const dx = Math.cos(a);
  const dy = Math.sin(a);
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const t = i - (n - 1) / 2;
    // "+ 0" turns -0 into 0 so kernels compare and serialise cleanly.
    out.push([Math.round(t * dx) + 0, Math.round(t * dy) + 0]);
  }
  return out;
}

/**
 * Averages each pixel along the kernel (edges clamp). Only pixels where `region` is set are
 * changed, so the edit mask is exactly the region.
 */
export function motionBlur(img: RgbImage, length: number, angleDeg: number, region?: Mask): RgbImage {
  const { width: w, height: h } = img;
  const k = lineKernel(length, angleDeg);
  const n = k.length;
  const src = img.data;
  const out = createImage(w, h);
  out.data.set(src);
  const d = out.data;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (region && !region.data[y * w + x]) continue;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let i = 0; i < n; i++) {
        const sx = Math.min(w - 1, Math.max(0, x + k[i]![0]));
        const sy = Math.min(h - 1, Math.max(0, y + k[i]![1]));
        const o = (sy * w + sx) * 3;
        r += src[o]!;
        g += src[o + 1]!;
        b += src[o + 2]!;
      }
      const o = (y * w + x) * 3;
      d[o] = Math.round(r / n);
      d[o + 1] = Math.round(g / n);
      d[o + 2] = Math.round(b / n);
    }
  }
  return out;
}
