// Test helpers: perfect per-cell predictions made from ground-truth labels, so the checks can
// be tested apart from the scorer (which is tested on renders separately).
import { COLOR_NAMES } from '../data/index.ts';
import { SIZES } from '../data/scene.ts';
import { CELL_KINDS, COUNTS, OBJECT_COLORS, isObjectKind, type CellLabel } from './scorer/labels.ts';
import type { CellPrediction } from './scorer/scorer.ts';
import { HEADS, HEAD_NAMES, type HeadName } from './scorer/model.ts';

export function predictionsFromLabels(labels: readonly CellLabel[]): CellPrediction[] {
  return labels.map((l, cell) => {
    const probs = {} as Record<HeadName, Float32Array>;
    for (const h of HEAD_NAMES) {
      probs[h] = new Float32Array(HEADS[h]);
      probs[h][l[h]] = 1;
    }
    return {
      cell,
      row: Math.floor(cell / 3),
      col: cell % 3,
      kind: CELL_KINDS[l.kind]!,
      kindProb: 1,
      isObject: isObjectKind(l.kind),
      color: OBJECT_COLORS[l.color]!,
      count: COUNTS[l.count]!,
      size: SIZES[l.size]!,
      background: COLOR_NAMES[l.background]!,
      probs,
    };
  });
}
