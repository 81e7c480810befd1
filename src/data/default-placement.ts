// Where things stand when a prompt does not say. "An apple on a pink background" names no place,
// and when the composer put that apple in any of nine cells at random, a small model learned a
// faint average of all nine: it drew right-coloured blobs where a place word told it where, and
// specks or nothing without one. People expect such a picture to show the apple in the middle,
// so an unplaced request gets one fixed arrangement, the one a user would draw by hand:
// object groups across the middle row in the order the prompt names them, lettering below.
import { textFits, type TextSpec } from './plates.ts';
import type { Col, ObjectSpec, SceneSpec } from './scene.ts';

/** Middle-row columns for one, two or three object groups, in the order they are named. */
const MIDDLE_ROW_COLUMNS: readonly (readonly Col[])[] = [[], [1], [0, 2], [0, 1, 2]];

/**
 * The spec with its items moved to where an unplaced prompt puts them, or null when the scene
 * has no such arrangement (four object groups, or a word that would not fit its new place).
 * Everything but the places (classes, colours, counts, sizes, jitter, words) is kept.
 */
export function placeAsUnplaced(spec: SceneSpec, width: number, height: number): SceneSpec | null {
  const columns = MIDDLE_ROW_COLUMNS[spec.objects.length];
  if (!columns) return null;
  const objects: ObjectSpec[] = spec.objects.map((o, i) => ({ ...o, jitter: [o.jitter[0], o.jitter[1]], row: 1, col: columns[i]! }));
  const texts: TextSpec[] = spec.texts.map((t) => ({ ...t, row: 2, col: t.col === null ? null : 1 }));
  if (texts.length > 1) return null;
  if (texts.some((t) => !textFits(t, width, height))) return null;
  return { background: { ...spec.background }, objects, texts, blur: spec.blur ? { ...spec.blur } : null };
}
