// Conditioning dropout for training, which is what makes classifier-free guidance possible:
// the same network learns the conditional velocity and, on the dropped samples, the
// unconditional one(s) that guidance subtracts.
import { checkProbability } from './check.ts';
import type { FlowRng } from './timesteps.ts';

export interface ConditioningDropoutOptions {
  /** Probability that the text is dropped (replaced by the empty prompt). Default 0.1. */
  textDrop?: number;
  /** Probability that the source image is dropped (edit samples only). Default 0.1. */
  imageDrop?: number;
  /**
   * Probability that both are dropped together. Default textDrop·imageDrop (independent
   * drops). Edit guidance needs v(∅,∅) as well as v(I,∅); with independent drops at 0.1
   * only 1% of edit samples train it, so InstructPix2Pix-style training raises this
   * (e.g. textDrop = imageDrop = 0.1, bothDrop = 0.05 gives 5% / 5% / 5%). Must lie in
   * [max(0, textDrop + imageDrop − 1), min(textDrop, imageDrop)].
   */
  bothDrop?: number;
}

/** Which conditions to drop for one training sample. */
export interface ConditioningDrop {
  /** Train this sample with the empty prompt. */
  dropText: boolean;
  /** Train this sample without the source image (as a text-to-image sample). */
  dropImage: boolean;
}

/**
 * Draws which conditions to drop for one training sample, from a single uniform draw so
 * the four outcomes have exactly these probabilities:
 *   both: bothDrop; text only: textDrop − bothDrop; image only: imageDrop − bothDrop;
 *   neither: the rest.
 * The marginals are always textDrop and imageDrop. For a text-to-image sample (no source
 * image) the trainer ignores `dropImage`; with imageDrop = 0 the draw is text dropout only.
 */
export function conditioningDropout(rng: FlowRng, options: ConditioningDropoutOptions = {}): ConditioningDrop {
  const { textDrop = 0.1, imageDrop = 0.1 } = options;
  checkProbability('textDrop', textDrop);
  checkProbability('imageDrop', imageDrop);
  const bothDrop = options.bothDrop ?? textDrop * imageDrop;
  checkProbability('bothDrop', bothDrop);
  const lo = Math.max(0, textDrop + imageDrop - 1);
  const hi = Math.min(textDrop, imageDrop);
  // A small tolerance so that e.g. bothDrop = textDrop computed in floating point is accepted.
  if (bothDrop < lo - 1e-12 || bothDrop > hi + 1e-12) {
    throw new RangeError(
      `bothDrop must be in [${lo}, ${hi}] for textDrop = ${textDrop} and imageDrop = ${imageDrop}, got ${bothDrop}`,
    );
  }
  const u = rng.uniform();
  const textOnly = textDrop - bothDrop;
  const imageOnly = imageDrop - bothDrop;
  if (u < bothDrop) return { dropText: true, dropImage: true };
  if (u < bothDrop + textOnly) return { dropText: true, dropImage: false };
  if (u < bothDrop + textOnly + imageOnly) return { dropText: false, dropImage: true };
  return { dropText: false, dropImage: false };
}
