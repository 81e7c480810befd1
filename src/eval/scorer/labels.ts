// What the scorer is asked about each of the nine grid cells of an image, and how those
// answers are read off a Scene's ground truth. The scorer is a per-cell classifier: the data
// puts every object group and every lettering plate in one grid cell, so "what is in each cell"
// is enough to check objects, colours, counts, sizes, positions and relations.
//
// Class identity: 300 classes in four art styles are too many for a scorer of a few hundred
// thousand weights trained in minutes, so the class head names the SCORER_CLASSES below (every
// object of the held-out combinations, which is what the suites' prompts use) and lumps every
// other class into "other". Checks against a class outside that vocabulary can therefore only
// say "some other object", and the suites are built so that this never decides a result alone.
import { COLOR_NAMES, dominantColorName, heldout, nearestColorName, type ColorName, type Mask, type RgbColor, type RgbImage, type Scene } from '../../data/index.ts';
import { backgroundAt, renderScene } from '../../data/render.ts';
import { SIZES, cellBox, type SizeName } from '../../data/scene.ts';

/** Object classes the scorer names; the held-out combinations' objects, sorted. */
export const SCORER_CLASSES: readonly string[] = [...new Set(heldout.combos.map((c) => c.object))].sort();

/** Class head: what a cell holds. */
export const CELL_KINDS = ['empty', 'plate', 'other', ...SCORER_CLASSES] as const;
export const KIND_EMPTY = 0;
export const KIND_PLATE = 1;
export const KIND_OTHER = 2;

/**
 * Colour head: the basic colour name an object shows, i.e. the dominant name over its fully
 * opaque pixels. A recoloured object shows its named colour (the composer guarantees it); an
 * object in its art's own colours shows whatever dominates it (a natural apple is red), which is
 * what a prompt's colour word is checked against.
 */
export const OBJECT_COLORS = COLOR_NAMES;
export type ObjectColor = (typeof OBJECT_COLORS)[number];

export const COUNTS = [1, 2, 3, 4] as const;

export interface CellLabel {
  /** Index into CELL_KINDS. */
  kind: number;
  /** Index into OBJECT_COLORS (meaningful only for objects). */
  color: number;
  /** Index into COUNTS (objects only). */
  count: number;
  /** Index into SIZES (objects only). */
  size: number;
  /** Index into COLOR_NAMES: the colour of the background behind this cell. */
  background: number;
}

export function kindOfClass(classId: string): number {
  const i = SCORER_CLASSES.indexOf(classId);
  return i < 0 ? KIND_OTHER : i + 3;
}

export function isObjectKind(kind: number): boolean {
  return kind >= KIND_OTHER;
}

/**
 * The background's colour name over a cell: the name of its mean colour. A gradient cell is
 * named by the colour it mostly shows there, which is what a person would call it.
 */
export function cellBackgroundName(scene: Pick<Scene, 'background' | 'width' | 'height'>, row: number, col: number): ColorName {
  const b = cellBox(scene.width, scene.height, row, col);
  let r = 0;
  let g = 0;
  let bl = 0;
  let n = 0;
  // A 5×5 lattice of samples is exact for solids and within rounding for linear gradients.
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 5; j++) {
      const x = Math.min(scene.width - 1, Math.floor(b.x + ((j + 0.5) * b.width) / 5));
      const y = Math.min(scene.height - 1, Math.floor(b.y + ((i + 0.5) * b.height) / 5));
      const c = backgroundAt(scene.background, scene.width, scene.height, x, y);
      r += c[0];
      g += c[1];
      bl += c[2];
      n++;
    }
  }
  return nearestColorName([r / n, g / n, bl / n]);
}

/** Dominant colour name of an object group's fully opaque pixels. */
export function shownColor(image: RgbImage, coverage: Mask, boxes: readonly { x: number; y: number; width: number; height: number }[]): ColorName {
  const px: RgbColor[] = [];
  for (const b of boxes) {
    for (let y = b.y; y < b.y + b.height; y++) {
      for (let x = b.x; x < b.x + b.width; x++) {
        const p = y * image.width + x;
        if (coverage.data[p] === 255) px.push([image.data[p * 3]!, image.data[p * 3 + 1]!, image.data[p * 3 + 2]!]);
      }
    }
  }
  return dominantColorName(px);
}

/**
 * Ground-truth labels of the nine cells of a scene, row-major. Colours are read from the
 * scene's own unblurred render (`rendered`, or drawn here when not given).
 */
export function cellLabels(scene: Scene, rendered?: { image: RgbImage; coverage: Mask }): CellLabel[] {
  const sharp = rendered && !scene.blur ? rendered : renderScene({ ...scene, blur: null });
  const out: CellLabel[] = [];
  for (let cell = 0; cell < 9; cell++) {
    const row = Math.floor(cell / 3);
    const col = cell % 3;
    const background = COLOR_NAMES.indexOf(cellBackgroundName(scene, row, col));
    const label: CellLabel = { kind: KIND_EMPTY, color: 0, count: 0, size: 0, background };
    const obj = scene.objects.find((o) => o.row === row && o.col === col);
    const plate = scene.texts.find((t) => t.row === row && (t.col === null || t.col === col));
    if (obj) {
      label.kind = kindOfClass(obj.classId);
      label.color = OBJECT_COLORS.indexOf(obj.color ?? shownColor(sharp.image, sharp.coverage, obj.instances));
      label.count = obj.count - 1;
      label.size = SIZES.indexOf(obj.size as SizeName);
    } else if (plate) {
      label.kind = KIND_PLATE;
    }
    out.push(label);
  }
  return out;
}

export type { RgbImage };
