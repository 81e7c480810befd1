// Output sizes the model takes: sides multiples of 16, at least 64, and at most 1,048,576
// pixels in all, in any aspect ratio (so 2048×512 is fine and 1536×1024 is not).
export const MAX_PIXELS = 1_048_576;
const STEP = 16;
const MIN = 64;

export const ASPECTS = ['1:1', '4:3', '3:4', '3:2', '2:3', '16:9', '9:16', '21:9', '4:1', '1:4'] as const;
export const AREAS = [
  { label: 'small (~65k px)', pixels: 256 * 256 },
  { label: 'medium (~262k px)', pixels: 512 * 512 },
  { label: 'large (~590k px)', pixels: 768 * 768 },
  { label: 'largest (≤ 1,048,576 px)', pixels: MAX_PIXELS },
] as const;

/** The largest size with this aspect ratio and at most `pixels` pixels on the 16-px grid. */
export function sizeFor(aspect: string, pixels: number): { width: number; height: number } {
  const [a, b] = aspect.split(':').map(Number) as [number, number];
  const scale = Math.sqrt(Math.min(pixels, MAX_PIXELS) / (a * b));
  const snap = (v: number) => Math.max(MIN, Math.floor(v / STEP) * STEP);
  return { width: snap(a * scale), height: snap(b * scale) };
}

/** Why a size is not allowed, or null when it is. */
export function sizeProblem(width: number, height: number): string | null {
  if (!Number.isInteger(width) || !Number.isInteger(height)) return 'width and height must be whole numbers';
  if (width < MIN || height < MIN) return `each side must be at least ${MIN} px`;
  if (width % STEP || height % STEP) return `each side must be a multiple of ${STEP}`;
  if (width * height > MAX_PIXELS) return `${width}×${height} is ${(width * height).toLocaleString('en-US')} pixels; the limit is ${MAX_PIXELS.toLocaleString('en-US')}`;
  return null;
}

export const randomSeed = () => Math.floor(Math.random() * 2 ** 31);
