// How well an edit left alone what it was not asked to change: PSNR and SSIM between the edited
// image and its source over the pixels outside the edit's mask. Both are computed on exactly
// the untouched region, so a perfect edit (the data issue's own target) scores 100% SSIM and
// unbounded PSNR, whatever happened inside the mask. The measures themselves are src/image's.
import { type Mask, PSNR_IDENTICAL, type RgbImage, psnrOutside, ssimOutside } from '../image/index.ts';

/** Re-exported for modules that still import the measures from here; their home is src/image. */
export { PSNR_IDENTICAL, psnrOutside, ssimOutside };

export interface Preservation {
  /** dB over RGB values outside the mask (PSNR_IDENTICAL when identical). */
  psnr: number;
  /** Mean SSIM of luma over windows lying wholly outside the mask, 0..1; null when no window fits. */
  ssim: number | null;
  /** Pixels outside the mask. */
  pixels: number;
  /** Side of the SSIM windows used (7, or 3 when the region is too thin for 7). */
  window: number;
}

/** PSNR and SSIM of `edited` against `source` outside `mask` (everything when no mask). */
export function preservation(source: RgbImage, edited: RgbImage, mask?: Mask): Preservation {
  const { psnr, pixels } = psnrOutside(source, edited, mask);
  let window = 7;
  let ssim = ssimOutside(source, edited, mask, window);
  if (ssim === null) {
    window = 3;
    ssim = ssimOutside(source, edited, mask, window);
  }
  // Summed-area tables leave ~1e-14 of rounding; 9 decimals keep identical regions at exactly 1.
  return { psnr, ssim: ssim === null ? null : Math.min(1, Math.round(ssim * 1e9) / 1e9), pixels, window };
}
