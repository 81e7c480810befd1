// Did an edit do what it was asked? The data issue knows the scene before and after, so the
// facts an edit changes are known exactly: the per-cell labels (what a cell holds, the object's
// colour, count and size, the background's colour) that differ between the two scenes. An edit
// succeeds when the scorer sees every changed fact as the target has it in the output —
// background facts by majority over the changed cells (a background is judged as a whole) —
// and still sees an object in every other cell where the target has one.
// Lettering is read with OCR on the plate; deblurring is judged by getting closer to the
// sharp target than the blurred source was, inside the blurred region.
import type { EditKind, Mask, RgbImage, Scene } from '../data/index.ts';
import { COLOR_NAMES } from '../data/index.ts';
import { SIZES } from '../data/scene.ts';
import { psnrOutside } from '../image/index.ts';
import { shows } from './expect.ts';
import { readWord, scoreWord } from './ocr.ts';
import { CELL_KINDS, COUNTS, OBJECT_COLORS, cellLabels, isObjectKind, type CellLabel } from './scorer/labels.ts';
import type { CellPrediction } from './scorer/scorer.ts';

export interface ChangeFact {
  cell: number;
  what: 'kind' | 'color' | 'count' | 'size' | 'background';
  /** The target's value, as a name. */
  want: string;
}

function kindName(l: CellLabel): string {
  return CELL_KINDS[l.kind]!;
}

/** The per-cell facts that differ between two scenes, as the target has them. */
export function changedFacts(source: Scene, target: Scene): ChangeFact[] {
  const a = cellLabels(source);
  const b = cellLabels(target);
  const facts: ChangeFact[] = [];
  for (let cell = 0; cell < 9; cell++) {
    const s = a[cell]!;
    const t = b[cell]!;
    if (s.kind !== t.kind) facts.push({ cell, what: 'kind', want: kindName(t) });
    if (isObjectKind(t.kind)) {
      // A new object in a cell brings its attributes; a changed object only its changed ones.
      const fresh = s.kind !== t.kind;
      // A fresh object's colour is checked only when the edit names one (a recoloured object):
      // in its own colours ("swap the cars for four maple leaves") the instruction states no
      // colour, and, as in compose, attributes not stated are not checked.
      const named = target.objects.find((o) => o.row * 3 + o.col === cell)?.color ?? null;
      if (fresh ? named !== null : s.color !== t.color) facts.push({ cell, what: 'color', want: OBJECT_COLORS[t.color]! });
      if (fresh || s.count !== t.count) facts.push({ cell, what: 'count', want: String(COUNTS[t.count]) });
      if (!fresh && s.size !== t.size) facts.push({ cell, what: 'size', want: SIZES[t.size]! });
    }
    if (s.background !== t.background) facts.push({ cell, what: 'background', want: COLOR_NAMES[t.background]! });
  }
  return facts;
}

function seen(p: CellPrediction, f: ChangeFact): boolean {
  switch (f.what) {
    case 'kind':
      // An object kind is a question about that class (prior-corrected, as in compose);
      // empty and plate are the plain head's answer.
      return f.want === 'empty' || f.want === 'plate' ? p.kind === f.want : shows(p, f.want);
    case 'color':
      return p.color === f.want;
    case 'count':
      return String(p.count) === f.want;
    case 'size':
      return p.size === f.want;
    case 'background':
      return p.background === f.want;
  }
}

export interface ChangeResult {
  changed: boolean;
  /** Facts checked, and those the output got wrong. */
  facts: number;
  failures: string[];
}

/** Checks the scorer's view of the output against the changed facts. */
export function checkFacts(pred: readonly CellPrediction[], facts: readonly ChangeFact[]): ChangeResult {
  const failures: string[] = [];
  const bg = facts.filter((f) => f.what === 'background');
  for (const f of facts) {
    if (f.what === 'background') continue;
    if (!seen(pred[f.cell]!, f)) failures.push(`cell ${f.cell} ${f.what}: ${describe(pred[f.cell]!, f)} not ${f.want}`);
  }
  if (bg.length > 0) {
    const right = bg.filter((f) => seen(pred[f.cell]!, f)).length;
    if (right * 2 <= bg.length) failures.push(`background right in ${right}/${bg.length} changed cells`);
  }
  return { changed: failures.length === 0, facts: facts.length, failures };
}

function describe(p: CellPrediction, f: ChangeFact): string {
  return f.what === 'kind' ? p.kind : f.what === 'count' ? String(p.count) : String(p[f.what]);
}

export interface EditCase {
  kind: EditKind;
  source: RgbImage;
  target: RgbImage;
  mask: Mask;
  sourceScene: Scene;
  targetScene: Scene;
}

/** PSNR (dB) an image reaches against the sharp target inside the mask. */
function psnrInside(a: RgbImage, b: RgbImage, mask: Mask): number {
  const inverse: Mask = { width: mask.width, height: mask.height, data: mask.data.map((v) => (v ? 0 : 255)) };
  return psnrOutside(a, b, inverse).psnr;
}

/** Deblurring counts when the output is at least this much closer (dB) to the sharp target than the source was. */
export const DEBLUR_GAIN_DB = 1;

/**
 * Whether `output` shows the change `c` asks for; `pred` is the scorer's view of `output`,
 * `sourcePred` (when given) its view of the picture that was edited.
 */
export async function changeHappened(c: EditCase, output: RgbImage, pred: readonly CellPrediction[], sourcePred?: readonly CellPrediction[]): Promise<ChangeResult> {
  if (c.kind === 'deblur') {
    const before = psnrInside(c.source, c.target, c.mask);
    const after = psnrInside(output, c.target, c.mask);
    const ok = after >= before + DEBLUR_GAIN_DB;
    return { changed: ok, facts: 1, failures: ok ? [] : [`PSNR to the sharp target ${after.toFixed(1)} dB vs ${before.toFixed(1)} dB blurred`] };
  }
  if (c.kind === 'lettering') {
    const t = c.targetScene.texts[0]!;
    const read = await readWord(output, t.text, { box: t.bbox, psm: 7, targetSide: 160 });
    const s = scoreWord(t.text, read);
    return { changed: s.correct, facts: 1, failures: s.correct ? [] : [`read "${read.join(' ')}", not ${t.text}`] };
  }
  const facts = changedFacts(c.sourceScene, c.targetScene);
  const r = checkFacts(pred, facts);
  // The target's other objects must still be there: otherwise a picture of nothing would
  // "remove" anything, and one of noise "resize" by chance. With `sourcePred`, only those the
  // scorer could see in the source: a small object it misses before the edit it misses after
  // it too, and that says nothing about the edit (on exact targets this was a third of the
  // judge's misses).
  const targetLabels = cellLabels(c.targetScene);
  for (let cell = 0; cell < 9; cell++) {
    const wantsObject = isObjectKind(targetLabels[cell]!.kind);
    const checked = facts.some((f) => f.cell === cell && f.what === 'kind');
    const visible = sourcePred ? sourcePred[cell]!.isObject : true;
    if (wantsObject && !checked && visible && !pred[cell]!.isObject) r.failures.push(`cell ${cell}: its object is gone`);
  }
  return { changed: r.failures.length === 0, facts: r.facts, failures: r.failures };
}
