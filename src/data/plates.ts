// A scene's text items: what one is (TextSpec), where its plate's frame and word go, and whether
// a word fits at a given image size. Shared by the sampler (to choose words that fit), the scene
// layout and the renderer (to draw them).
import type { ColorName } from './colors.ts';
import type { Box } from './image.ts';
import { wordCoverage } from './lettering.ts';
import { cellBox, rowBox, type Col, type Row } from './grid.ts';

export const TEXT_KINDS = ['sign', 'poster', 'label'] as const;
export type TextKind = (typeof TEXT_KINDS)[number];

export interface TextSpec {
  /** A sign spans a whole grid row; posters and labels sit in one cell. */
  kind: TextKind;
  text: string;
  plateColor: ColorName;
  textColor: ColorName;
  row: Row;
  /** null for signs (the whole row). */
  col: Col | null;
}

/** The plate of a text item. */
export function textPlateBox(spec: TextSpec, width: number, height: number): Box {
  const area = spec.col === null ? rowBox(width, height, spec.row) : cellBox(width, height, spec.row, spec.col);
  // Plate proportions per kind: signs are wide bands, posters portrait, labels small tags.
  const [fw, fh] = spec.kind === 'sign' ? [0.92, 0.62] : spec.kind === 'poster' ? [0.72, 0.9] : [0.9, 0.5];
  let w = Math.floor(area.width * fw);
  let h = Math.floor(area.height * fh);
  if (spec.kind === 'poster') w = Math.min(w, Math.floor(h * 0.8));
  w = Math.max(4, w);
  h = Math.max(4, h);
  return { x: area.x + Math.floor((area.width - w) / 2), y: area.y + Math.floor((area.height - h) / 2), width: w, height: h };
}


/** Where a plate's frame and lettering go: a rim (drawn on posters and labels), then padding. */
export function plateLayout(t: Pick<TextSpec, 'kind'> & { bbox: Box }): PlateLayout {
  const box = t.bbox;
  const minSide = Math.min(box.width, box.height);
  const rim = Math.max(1, Math.round(minSide * 0.06));
  const pad = rim * 2;
  const inner = { x: box.x + pad, y: box.y + pad, width: box.width - 2 * pad, height: box.height - 2 * pad };
  const poster = t.kind === 'poster';
  return {
    rim,
    framed: t.kind !== 'sign' && minSide >= 8,
    inner,
    poster,
    // Posters put the word in their upper part, like a headline; others centre it.
    wordMaxHeight: poster ? Math.floor(inner.height * 0.45) : inner.height,
  };
}

export interface PlateLayout {
  rim: number;
  framed: boolean;
  inner: Box;
  poster: boolean;
  wordMaxHeight: number;
}

/** Smallest cap height (px) at which a word still counts as lettering rather than a smudge. */
export const MIN_LETTER_HEIGHT = 8;

/** True when the text's word can be drawn legibly on its plate at this image size. */
export function textFits(t: TextSpec, width: number, height: number): boolean {
  const layout = plateLayout({ kind: t.kind, bbox: textPlateBox(t, width, height) });
  if (layout.inner.width < 1 || layout.wordMaxHeight < MIN_LETTER_HEIGHT) return false;
  const cov = wordCoverage(t.text, layout.inner.width, layout.wordMaxHeight);
  return cov !== null && cov.height >= MIN_LETTER_HEIGHT;
}
