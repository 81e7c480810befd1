// The second stage of the cascade: from the size the model drew at to the size that was asked
// for. With a learned upscaler (the model directory's upscaler.safetensors) the image is doubled
// by it as many times as needed, up to ×8, and a final Lanczos resize lands on the exact size
// (usually a downscale, which loses nothing). Without one, Lanczos does it all.
import type { Rgb } from '../model/layout.ts';
import { type Upscaler, lanczos } from '../model/upscaler.ts';

/** ×2 stages at most (×8): the base model's buckets reach 1 MP within three doublings. */
export const MAX_X2_STAGES = 3;

/** How many learned ×2 stages take `from` to at least `to` (capped at MAX_X2_STAGES; 0 when `to` is not larger). */
export function x2Stages(from: { width: number; height: number }, to: { width: number; height: number }): number {
  const ratio = Math.max(to.width / from.width, to.height / from.height);
  if (ratio <= 1) return 0;
  return Math.min(MAX_X2_STAGES, Math.ceil(Math.log2(ratio) - 1e-9));
}

export interface UpscaleStage {
  /** 1-based index of the ×2 stage just finished. */
  stage: number;
  stages: number;
  width: number;
  height: number;
}

/** Resizes `img` to width×height through the learned stages (when there is an upscaler and it is an enlargement). */
export async function upscaleTo(img: Rgb, width: number, height: number, upscaler: Upscaler | undefined, onStage?: (s: UpscaleStage) => void | Promise<void>): Promise<Rgb> {
  const stages = upscaler ? x2Stages(img, { width, height }) : 0;
  let x = img;
  for (let k = 1; k <= stages; k++) {
    x = await upscaler!.x2(x);
    await onStage?.({ stage: k, stages, width: x.width, height: x.height });
  }
  return lanczos(x, width, height);
}

/** What the metadata records for the second stage. */
export function upscaleLabel(stages: number): string {
  return stages > 0 ? `learned x${2 ** stages} (${stages} x2 stage${stages > 1 ? 's' : ''}) + lanczos3` : 'lanczos3';
}
