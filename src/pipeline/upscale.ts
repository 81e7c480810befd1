// The second stage of the cascade: from the size the model drew at to the size that was asked
// for. With a learned upscaler (the model directory's upscaler.safetensors) the image is enlarged
// by its ×2, ×4 or ×8 head — the smallest that covers the request — and a final Lanczos resize
// lands on the exact size (usually a downscale, which loses nothing). Without one, Lanczos does it all.
import type { RgbImage } from '../image/index.ts';
import { FACTORS, type Factor, type Upscaler, lanczos } from '../model/upscaler.ts';

/** The learned factor that takes `from` to at least `to` (×8 at most), or undefined when `to` is not larger. */
export function upscaleFactor(from: { width: number; height: number }, to: { width: number; height: number }): Factor | undefined {
  const ratio = Math.max(to.width / from.width, to.height / from.height);
  if (ratio <= 1) return undefined;
  return FACTORS.find((f) => f >= ratio - 1e-9) ?? FACTORS[FACTORS.length - 1]!;
}

export interface UpscaleStage {
  factor: Factor;
  /** The upscaler's output size (before the final resize to the request). */
  width: number;
  height: number;
}

/** Resizes `img` to width×height through the learned upscaler (when there is one and it is an enlargement). */
export async function upscaleTo(img: RgbImage, width: number, height: number, upscaler: Upscaler | undefined, onStage?: (s: UpscaleStage) => void | Promise<void>): Promise<RgbImage> {
  const f = upscaler ? upscaleFactor(img, { width, height }) : undefined;
  let x = img;
  if (f) {
    x = await upscaler!.upscale(img, f);
    await onStage?.({ factor: f, width: x.width, height: x.height });
  }
  return lanczos(x, width, height);
}

/** What the metadata records for the second stage. */
export function upscaleLabel(factor: Factor | undefined): string {
  return factor ? `learned x${factor} + lanczos3` : 'lanczos3';
}
