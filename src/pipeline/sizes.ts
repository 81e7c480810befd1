// Output sizes: any W×H with sides multiples of 16, at least 64, and W·H ≤ 1,048,576 (the model
// card's limit; 2048×512 is allowed, 1040×1024 is not). The rule itself lives with the data
// module, which generates training images under the same limits.
import { InputError } from '../errors.ts';
import { MAX_PIXELS, MIN_SIDE, SIDE_MULTIPLE, validateSize } from '../data/sizes.ts';

export { MAX_PIXELS, MIN_SIDE, SIDE_MULTIPLE, validateSize };

export interface Size {
  width: number;
  height: number;
}

/** "768x512" (or "768×512") → a validated size; errors name the argument and the limit. */
export function parseSize(text: string, what = 'size'): Size {
  const m = /^\s*(\d+)\s*[x×X]\s*(\d+)\s*$/.exec(text);
  if (!m) throw new InputError(`${what} '${text}' is not WIDTHxHEIGHT (for example 512x512)`);
  const size = { width: Number(m[1]), height: Number(m[2]) };
  validateSize(size.width, size.height);
  return size;
}

/** The largest valid size with the source's aspect ratio (sides multiples of 16, ≤ 1 MP). */
export function fitSize(width: number, height: number): Size {
  const scale = Math.min(1, Math.sqrt(MAX_PIXELS / (width * height)));
  const snap = (v: number) => Math.max(MIN_SIDE, Math.floor((v * scale) / SIDE_MULTIPLE) * SIDE_MULTIPLE);
  return { width: snap(width), height: snap(height) };
}
