// Images shared by every layer (like src/errors.ts): the containers and the comparisons.
export type { Mask, RgbImage } from './types.ts';
export { PSNR_IDENTICAL, psnrOutside, ssimOutside } from './compare.ts';
