// What happens when the output filter refuses a picture the user asked for in innocent words. The
// nudity classifier misreads some plain generated pictures (a brown field with a grey sign scored
// 0.84 "explicit"; SAFETY.md), and a refusal on a first try is the worst answer an innocent
// request can get. So a refused image is drawn again from another seed, up to MAX_REDRAWS times,
// and only an image that passes the same filter at the same thresholds ever leaves; the refusal is
// still audited, the image's metadata lists the refused seeds, and the caller is told. Nothing
// becomes reachable that was not: anyone can ask again with another seed.
// From refusal.ts, not safety/index.ts, which also loads the red-team suite and release.ts that no
// image request runs (see pipeline.ts).
import { SafetyRefusal } from '../safety/refusal.ts';
import type { GeneratedImage } from './requests.ts';

/** How many other seeds one image may try after the output filter refuses it. */
export const MAX_REDRAWS = 2;

export interface RedrawEvent {
  /** Which image of the request (0-based). */
  index: number;
  /** The seed whose image the filter refused. */
  refusedSeed: number;
  /** The seed drawn next. */
  seed: number;
  /** The refusal, for the caller's message. */
  refusal: SafetyRefusal;
}

/** The metadata's record of an image's refused seeds: absent when there were none. */
export function refusedSeeds(refused: number[]): number[] | undefined {
  return refused.length > 0 ? refused : undefined;
}

/** The seed of redraw `attempt` (1, 2, …) of an image: far from seed + i, the seeds of the request's other images. */
export function redrawSeed(seed: number, attempt: number): number {
  return (seed + Math.imul(attempt, 0x9e3779b1)) >>> 0;
}

/**
 * Draws image `index` from `seed` and screens it; on an output-filter refusal draws it again from
 * redrawSeed(seed, 1), (seed, 2), … and throws the last refusal when every try was refused. `draw`
 * gets the seeds refused so far, for the image's metadata. Any other error ends it at once.
 */
export async function drawScreened(
  seed: number,
  index: number,
  draw: (seed: number, refusedSeeds: number[]) => Promise<GeneratedImage>,
  screen: (image: GeneratedImage) => Promise<void>,
  onRedraw?: (e: RedrawEvent) => void | Promise<void>,
): Promise<GeneratedImage> {
  const refused: number[] = [];
  for (let attempt = 0; ; attempt++) {
    const s = attempt === 0 ? seed : redrawSeed(seed, attempt);
    const image = await draw(s, [...refused]);
    try {
      await screen(image);
      return image;
    } catch (e) {
      if (!(e instanceof SafetyRefusal) || e.stage !== 'output-image' || attempt === MAX_REDRAWS) throw e;
      refused.push(s);
      await onRedraw?.({ index, refusedSeed: s, seed: redrawSeed(seed, attempt + 1), refusal: e });
    }
  }
}
