// Image comparisons more than one layer measures with: PSNR over RGB and mean SSIM over luma,
// each over the pixels outside an optional mask (everything when none). The edit evaluation
// (eval/preservation.ts) scores how well an edit left its surroundings alone with them; the
// memorisation check (train/memorise.ts) and the benchmarks compare whole images.
import type { Mask, RgbImage } from './types.ts';

/** PSNR is reported as this many dB when the region is identical (JSON has no Infinity). */
export const PSNR_IDENTICAL = 100;

function checkPair(a: RgbImage, b: RgbImage, mask?: Mask): void {
  if (a.width !== b.width || a.height !== b.height) throw new RangeError(`preservation: images are ${a.width}x${a.height} and ${b.width}x${b.height}`);
  if (mask && (mask.width !== a.width || mask.height !== a.height)) throw new RangeError(`preservation: mask is ${mask.width}x${mask.height}, images ${a.width}x${a.height}`);
}

export function psnrOutside(a: RgbImage, b: RgbImage, mask?: Mask): { psnr: number; pixels: number } {
  checkPair(a, b, mask);
  let se = 0;
  let n = 0;
  for (let p = 0; p < a.width * a.height; p++) {
    if (mask && mask.data[p]) continue;
    for (let c = 0; c < 3; c++) {
      const d = a.data[p * 3 + c]! - b.data[p * 3 + c]!;
      se += d * d;
    }
    n++;
  }
  if (n === 0) return { psnr: Number.NaN, pixels: 0 };
  const mse = se / (n * 3);
  return { psnr: mse === 0 ? PSNR_IDENTICAL : Math.min(PSNR_IDENTICAL, 10 * Math.log10((255 * 255) / mse)), pixels: n };
}

function luma(img: RgbImage): Float64Array {
  const out = new Float64Array(img.width * img.height);
  for (let p = 0; p < out.length; p++) out[p] = 0.299 * img.data[p * 3]! + 0.587 * img.data[p * 3 + 1]! + 0.114 * img.data[p * 3 + 2]!;
  return out;
}

/** Summed-area table of `f(p)` with a zero border row and column. */
function integral(w: number, h: number, f: (p: number) => number): Float64Array {
  const s = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += f(y * w + x);
      s[(y + 1) * (w + 1) + x + 1] = s[y * (w + 1) + x + 1]! + row;
    }
  }
  return s;
}

/**
 * Mean SSIM (Wang et al. 2004, uniform windows, K1 = 0.01, K2 = 0.03) over the side×side
 * windows that lie wholly outside the mask.
 */
export function ssimOutside(a: RgbImage, b: RgbImage, mask: Mask | undefined, side: number): number | null {
  checkPair(a, b, mask);
  const { width: w, height: h } = a;
  if (w < side || h < side) return null;
  const la = luma(a);
  const lb = luma(b);
  const sa = integral(w, h, (p) => la[p]!);
  const sb = integral(w, h, (p) => lb[p]!);
  const saa = integral(w, h, (p) => la[p]! * la[p]!);
  const sbb = integral(w, h, (p) => lb[p]! * lb[p]!);
  const sab = integral(w, h, (p) => la[p]! * lb[p]!);
  const sm = integral(w, h, (p) => (mask && mask.data[p] ? 1 : 0));
  const box = (s: Float64Array, x: number, y: number) =>
    s[(y + side) * (w + 1) + x + side]! - s[y * (w + 1) + x + side]! - s[(y + side) * (w + 1) + x]! + s[y * (w + 1) + x]!;
  const n = side * side;
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let total = 0;
  let windows = 0;
  for (let y = 0; y + side <= h; y++) {
    for (let x = 0; x + side <= w; x++) {
      if (box(sm, x, y) > 0) continue;
      const ma = box(sa, x, y) / n;
      const mb = box(sb, x, y) / n;
      // Sample (n − 1) covariances, as the reference implementation does.
      const va = ((box(saa, x, y) - n * ma * ma) / (n - 1));
      const vb = ((box(sbb, x, y) - n * mb * mb) / (n - 1));
      const cov = ((box(sab, x, y) - n * ma * mb) / (n - 1));
      total += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
      windows++;
    }
  }
  return windows > 0 ? total / windows : null;
}
