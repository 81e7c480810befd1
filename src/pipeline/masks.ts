// Mask arithmetic for edits: growing a mask, finding what an instruction edit changed, and the
// final composite that blends a seam of a few pixels and copies the input's bytes everywhere else.
import type { Mask, RgbImage } from '../image/index.ts';

/** Grows a mask by `radius` pixels (Chebyshev distance: a square neighbourhood). */
export function dilateMask(m: Mask, radius: number): Mask {
  if (radius <= 0) return { width: m.width, height: m.height, data: m.data.slice() };
  const { width: w, height: h } = m;
  // Separable max filter: rows, then columns.
  const rows = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = 0;
      for (let dx = Math.max(0, x - radius); dx <= Math.min(w - 1, x + radius) && !v; dx++) v = m.data[y * w + dx]!;
      rows[y * w + x] = v ? 255 : 0;
    }
  }
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = 0;
      for (let dy = Math.max(0, y - radius); dy <= Math.min(h - 1, y + radius) && !v; dy++) v = rows[dy * w + x]!;
      out[y * w + x] = v ? 255 : 0;
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * The region an instruction edit changed: pixels whose colour moved by more than `threshold`
 * (after a 3×3 average, so single-pixel noise does not count), grown by one pixel.
 */
export function autoEditMask(before: RgbImage, after: RgbImage, threshold = 24): Mask {
  const { width: w, height: h } = before;
  const diff = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) {
    let d = 0;
    for (let c = 0; c < 3; c++) d = Math.max(d, Math.abs(before.data[i * 3 + c]! - after.data[i * 3 + c]!));
    diff[i] = d;
  }
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      let k = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
          s += diff[yy * w + xx]!;
          k++;
        }
      }
      data[y * w + x] = s / k > threshold ? 255 : 0;
    }
  }
  return dilateMask({ width: w, height: h, data }, 1);
}

/**
 * Inside `region`: the generated pixels. In a band of `seam` pixels around it: a blend that fades
 * from generated to source. Everywhere else: the source bytes, exactly.
 */
export function compositeOutside(source: RgbImage, generated: RgbImage, region: Mask, seam: number): RgbImage {
  const { width: w, height: h } = source;
  const out = source.data.slice();
  const rings: Mask[] = [region];
  for (let k = 1; k <= seam; k++) rings.push(dilateMask(region, k));
  for (let i = 0; i < w * h; i++) {
    let level = -1;
    for (let k = 0; k <= seam; k++) {
      if (rings[k]!.data[i]) {
        level = k;
        break;
      }
    }
    if (level < 0) continue;
    const a = 1 - level / (seam + 1); // 1 inside the region, fading across the seam
    for (let c = 0; c < 3; c++) {
      const j = i * 3 + c;
      out[j] = Math.round(a * generated.data[j]! + (1 - a) * source.data[j]!);
    }
  }
  return { width: w, height: h, data: out };
}
