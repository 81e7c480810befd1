// Choosing an output size in the page. The rules themselves (sides a multiple of `sideMultiple`,
// at least `minSide`, at most `maxPixels` in all, any aspect ratio) are the server's, sent with
// /playground/api/config from their one home in src/data/sizes.ts; nothing here repeats them.
// The model draws best at its native size, which the server reports: the presets are built
// around it, and larger sizes are drawn at a trained size and resized by the server.
import type { ServerConfig, Size } from './api.ts';

/** The server's size rules, as the config carries them. */
export type SizeRules = Pick<ServerConfig, 'maxPixels' | 'minSide' | 'sideMultiple'>;

export const ASPECTS = ['1:1', '4:3', '3:4', '3:2', '2:3', '16:9', '9:16', '21:9', '4:1', '1:4'] as const;

export interface AreaPreset {
  label: string;
  pixels: number;
}

const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

/** "W:H" in lowest terms. */
export function aspectOf(size: Size): string {
  const g = gcd(size.width, size.height);
  return `${size.width / g}:${size.height / g}`;
}

/** The aspect ratios to offer: the native one first (when it is not a common one), then the common ones. */
export function aspectsFor(native: Size | null): string[] {
  const own = native ? aspectOf(native) : '1:1';
  return (ASPECTS as readonly string[]).includes(own) ? [...ASPECTS] : [own, ...ASPECTS];
}

const k = (px: number) => `~${Math.round(px / 1000).toLocaleString('en-US')}k px`;

/**
 * Resolutions to offer: the model's native area first (what it draws), then 2× and 4× its sides
 * (drawn at a trained size and resized), then the largest allowed. Without a native size (the model
 * is still loading) the old fixed steps.
 */
export function areaPresets(native: Size | null, maxPixels: number): AreaPreset[] {
  if (!native) {
    return [256 * 256, 512 * 512, 768 * 768].map((px) => ({ label: k(px), pixels: px })).concat({ label: `largest (≤ ${maxPixels.toLocaleString('en-US')} px)`, pixels: maxPixels });
  }
  const base = native.width * native.height;
  const presets: AreaPreset[] = [{ label: `native (${native.width}×${native.height})`, pixels: Math.min(base, maxPixels) }];
  for (const f of [2, 4]) {
    const px = base * f * f;
    if (px < maxPixels) presets.push({ label: `${f}× sides (${k(px)})`, pixels: px });
  }
  if (presets.at(-1)!.pixels < maxPixels) presets.push({ label: `largest (≤ ${maxPixels.toLocaleString('en-US')} px)`, pixels: maxPixels });
  return presets;
}

/** The largest size with this aspect ratio and at most `pixels` pixels on the server's side grid. */
export function sizeFor(aspect: string, pixels: number, rules: SizeRules): Size {
  const [a, b] = aspect.split(':').map(Number) as [number, number];
  const scale = Math.sqrt(Math.min(pixels, rules.maxPixels) / (a * b));
  const step = rules.sideMultiple;
  // The small tolerance keeps an exact fit (the native size itself) from rounding down a step.
  const snap = (v: number) => Math.max(rules.minSide, Math.floor(v / step + 1e-9) * step);
  return { width: snap(a * scale), height: snap(b * scale) };
}

/** Why a size is not allowed, or null when it is. */
export function sizeProblem(width: number, height: number, rules: SizeRules): string | null {
  const { maxPixels, minSide, sideMultiple } = rules;
  if (!Number.isInteger(width) || !Number.isInteger(height)) return 'width and height must be whole numbers';
  if (width < minSide || height < minSide) return `each side must be at least ${minSide} px`;
  if (width % sideMultiple || height % sideMultiple) return `each side must be a multiple of ${sideMultiple}`;
  if (width * height > maxPixels) return `${width}×${height} is ${(width * height).toLocaleString('en-US')} pixels; the limit is ${maxPixels.toLocaleString('en-US')}`;
  return null;
}

/** A hint on how the model will draw a size: at it, or at a trained size and resized. */
export function sizeNote(size: Size, native: Size | null): string | null {
  if (!native) return null;
  if (size.width * size.height <= native.width * native.height) return `The model draws this size directly (native ${native.width}×${native.height}).`;
  return `Larger than the model's native ${native.width}×${native.height}: drawn at its nearest trained size and resized, so it has no more detail than the native image.`;
}

export const randomSeed = () => Math.floor(Math.random() * 2 ** 31);
