// Which kind a cell holds, from the class head's probabilities, without the training prior.
// The scorer trains on scenes whose objects are a named class 70% of the time, spread over 25
// names, and one of 275 unnamed classes ("other") 30% of the time; lettering plates fill about
// one cell in twenty. So among non-empty cells its head has learnt that "other" is ~10× and
// "plate" ~7× likelier than any one named class before it looks at the picture, and a recoloured
// strawberry it finds 40% strawberry-like and 50% other-like is answered "other". The suites
// ask about named classes in pictures whose make-up has nothing to do with that training mix,
// so the judge divides the prior out (logit adjustment, Menon et al., "Long-tail learning via
// logit adjustment", ICLR 2021) — but only to choose between the non-empty kinds: whether a cell
// holds anything at all is left to the plain head, so a blank or patchwork cell does not turn
// into an object because objects were rare.
import { CELL_KINDS, KIND_EMPTY, KIND_OTHER, KIND_PLATE } from './labels.ts';

/**
 * Kind shares of the cells the scorer trains on (data.ts's sampler, mosaics included), relative
 * to the mean named class: measured over 20,000 training scenes (`scorerKindPriors` in the
 * tests recounts them and fails if the sampler drifts from these).
 */
export const KIND_PRIOR_RATIO = { plate: 6.8, other: 10.6 } as const;

/** How much of the prior is divided out: 0 = the plain argmax, 1 = all of it. */
export const PRIOR_CORRECTION = 1;

/** The kind index a cell is read as. */
export function decideKind(p: Float32Array, correction = PRIOR_CORRECTION): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
  if (best === KIND_EMPTY || correction === 0) return best;
  let pick = -1;
  let score = -Infinity;
  for (let i = 0; i < p.length; i++) {
    if (i === KIND_EMPTY) continue;
    const ratio = i === KIND_PLATE ? KIND_PRIOR_RATIO.plate : i === KIND_OTHER ? KIND_PRIOR_RATIO.other : 1;
    const s = Math.log(Math.max(p[i]!, 1e-12)) - correction * Math.log(ratio);
    if (s > score) {
      score = s;
      pick = i;
    }
  }
  return pick;
}

export { CELL_KINDS };
