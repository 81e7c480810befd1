// Output sizes the model card allows: up to 1,048,576 pixels in total, any aspect ratio, with
// sides that are multiples of 16 (the patch grid) and at least 64 px.
import { InputError } from './errors.ts';

export const MAX_PIXELS = 1_048_576;
export const MIN_SIDE = 64;
export const SIDE_MULTIPLE = 16;

export function validateSize(width: number, height: number): void {
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v)) throw new InputError(`${name} must be an integer, got ${v}`);
    if (v < MIN_SIDE) throw new InputError(`${name} must be at least ${MIN_SIDE} px, got ${v}`);
    if (v % SIDE_MULTIPLE !== 0) throw new InputError(`${name} must be a multiple of ${SIDE_MULTIPLE}, got ${v}`);
  }
  if (width * height > MAX_PIXELS) {
    throw new InputError(`${width}x${height} is ${(width * height).toLocaleString('en-US')} pixels; the limit is ${MAX_PIXELS.toLocaleString('en-US')}`);
  }
}
