// What a prompt asks for, in checkable form, and the check itself: the scorer's per-cell
// predictions against the expectation. One rule for every category (GenEval-like):
//   - a group is found in the cells whose predicted class is its class;
//   - a stated colour must be the predicted colour of one of those cells;
//   - a stated count must equal the sum of predicted counts over those cells;
//   - a stated position must be one of those cells;
//   - a stated relation must hold between some cell of the subject and some cell of the object.
// Attributes a prompt does not state are not checked.
// "Predicted class" for a named class is the class head's answer with its training prior divided
// out between the non-empty kinds (scorer/decide.ts): a prompt asks "is there a strawberry?",
// and the scorer's learnt belief that any object is probably one of the 275 unnamed classes
// must not answer it. Whether a cell holds anything at all is the plain head's answer.
import type { ColorName, RelationName } from '../data/index.ts';
import type { CellPrediction } from './scorer/scorer.ts';
import { CELL_KINDS, SCORER_CLASSES } from './scorer/labels.ts';
import { decideKind } from './scorer/decide.ts';

/**
 * The check's version, carried in every compose and edit result's judge name: figures measured
 * with different versions (or scorer versions) are not comparable. v1: the plain argmax class;
 * v2: named classes read with the prior divided out.
 */
export const CHECK_VERSION = 'check-v2';

export interface GroupExpectation {
  classId: string;
  color?: ColorName;
  count?: number;
  /** Grid cell, row * 3 + col. */
  cell?: number;
}

export interface Expectation {
  groups: GroupExpectation[];
  relation?: { subject: number; relation: RelationName; object: number };
}

export interface CheckResult {
  correct: boolean;
  /** Why not, in words (empty when correct). */
  failures: string[];
}

export function holds(relation: RelationName, a: { row: number; col: number }, b: { row: number; col: number }): boolean {
  switch (relation) {
    case 'left of':
      return a.col < b.col;
    case 'right of':
      return a.col > b.col;
    case 'above':
      return a.row < b.row;
    case 'below':
      return a.row > b.row;
  }
}

/** Whether the scorer, asked about `classId` (a named class, or "other"), finds it in `cell`. */
export function shows(cell: CellPrediction, classId: string): boolean {
  if (!SCORER_CLASSES.includes(classId)) return cell.kind === 'other';
  return CELL_KINDS[decideKind(cell.probs.kind)] === classId;
}

/** The cells the scorer says hold `classId` (or "other" for classes outside its vocabulary). */
export function cellsOf(cells: readonly CellPrediction[], classId: string): CellPrediction[] {
  return cells.filter((c) => shows(c, classId));
}

export function checkExpectation(cells: readonly CellPrediction[], e: Expectation): CheckResult {
  const failures: string[] = [];
  const found = e.groups.map((g) => cellsOf(cells, g.classId));
  e.groups.forEach((g, i) => {
    const at = found[i]!;
    if (at.length === 0) {
      failures.push(`no ${g.classId}`);
      return;
    }
    if (g.color !== undefined && !at.some((c) => c.color === g.color)) {
      failures.push(`${g.classId} is ${at.map((c) => c.color).join('/')}, not ${g.color}`);
    }
    if (g.count !== undefined) {
      const n = at.reduce((s, c) => s + c.count, 0);
      if (n !== g.count) failures.push(`${n} ${g.classId}, not ${g.count}`);
    }
    if (g.cell !== undefined && !at.some((c) => c.cell === g.cell)) {
      failures.push(`${g.classId} in cell ${at.map((c) => c.cell).join('/')}, not ${g.cell}`);
    }
  });
  const r = e.relation;
  if (r && found[r.subject]!.length > 0 && found[r.object]!.length > 0) {
    const ok = found[r.subject]!.some((a) => found[r.object]!.some((b) => a.cell !== b.cell && holds(r.relation, a, b)));
    if (!ok) failures.push(`${e.groups[r.subject]!.classId} not ${r.relation} ${e.groups[r.object]!.classId}`);
  }
  return { correct: failures.length === 0, failures };
}
