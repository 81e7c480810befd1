// Aspect-ratio buckets: a fixed list of training sizes with (nearly) equal pixel counts, so
// that a batch holds images of one size while the model still sees every shape it must draw.
import { InputError } from './errors.ts';
import { MAX_PIXELS, MIN_SIDE, SIDE_MULTIPLE } from './sizes.ts';

export interface Size {
  width: number;
  height: number;
}

export interface BucketOptions {
  /** Width/height ratios to cover; both orientations are included. Default up to 4:1. */
  ratios?: number[];
  minSide?: number;
}

const DEFAULT_RATIOS = [1, 5 / 4, 4 / 3, 3 / 2, 16 / 9, 2, 5 / 2, 3, 4];

/**
 * One bucket per aspect ratio (and its transpose): the largest size with sides that are
 * multiples of 16, at least minSide, and width × height ≤ maxPixels. Sorted by aspect ratio.
 */
export function aspectBuckets(maxPixels: number, opts: BucketOptions = {}): Size[] {
  const minSide = opts.minSide ?? MIN_SIDE;
  if (!Number.isFinite(maxPixels) || maxPixels < minSide * minSide || maxPixels > MAX_PIXELS) {
    throw new InputError(`maxPixels must be between ${minSide * minSide} and ${MAX_PIXELS}, got ${maxPixels}`);
  }
  const ratios = opts.ratios ?? DEFAULT_RATIOS;
  const seen = new Set<string>();
  const out: Size[] = [];
  for (const r0 of ratios) {
    if (!(r0 > 0)) throw new InputError(`aspect ratios must be positive, got ${r0}`);
    // Landscape first, then its transpose, so the list is symmetric in orientation.
    const size = largestWithRatio(maxPixels, Math.max(r0, 1 / r0), minSide);
    if (!size) continue;
    for (const s of [size, { width: size.height, height: size.width }]) {
      const key = `${s.width}x${s.height}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(s);
      }
    }
  }
  return out.sort((a, b) => a.width / a.height - b.width / b.height);
}

function largestWithRatio(maxPixels: number, ratio: number, minSide: number): Size | null {
  const m = SIDE_MULTIPLE;
  let best: Size | null = null;
  // Try widths around the ideal one; keep the biggest area whose ratio is within 10%.
  const ideal = Math.sqrt(maxPixels * ratio);
  for (let w = Math.max(minSide, Math.floor(ideal / m - 2) * m); w <= Math.ceil(ideal / m + 2) * m; w += m) {
    const h = Math.floor(maxPixels / w / m) * m;
    if (h < minSide) continue;
    if (Math.abs(Math.log(w / h / ratio)) > Math.log(1.1)) continue;
    if (!best || w * h > best.width * best.height || (w * h === best.width * best.height && Math.abs(Math.log(w / h / ratio)) < Math.abs(Math.log(best.width / best.height / ratio)))) {
      best = { width: w, height: h };
    }
  }
  return best;
}

/** The bucket whose aspect ratio is closest to width:height (in log ratio). */
export function nearestBucket(width: number, height: number, buckets: readonly Size[]): Size {
  if (buckets.length === 0) throw new InputError('no buckets to choose from');
  const r = Math.log(width / height);
  let best = buckets[0]!;
  for (const b of buckets) {
    if (Math.abs(Math.log(b.width / b.height) - r) < Math.abs(Math.log(best.width / best.height) - r)) best = b;
  }
  return best;
}
