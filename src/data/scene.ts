// The structured description of a scene. A SceneSpec says what is in the picture; layoutScene
// turns it into a Scene by adding everything that follows from it at a given size (pixel
// boxes, grid names, relations). Both are plain JSON so samples can be stored with their truth.
import { ART_SETS, type ArtSetId } from './artsets.ts';
import { canRender, objectClass } from './catalog.ts';
import type { ColorName } from './colors.ts';
import type { Box } from './image.ts';
import { ROWS, cellBox, positionName, type Col, type PositionName, type Row } from './grid.ts';
import { textFits, textPlateBox, type TextSpec } from './plates.ts';

export { COLS, ROWS, POSITIONS, cellBox, rowBox, positionName, type Col, type Row, type PositionName } from './grid.ts';

export const SIZES = ['small', 'medium', 'large'] as const;
export type SizeName = (typeof SIZES)[number];
/** Sprite side as a fraction of the slot it sits in. */
export const SIZE_FRACTION: Readonly<Record<SizeName, number>> = { small: 0.5, medium: 0.7, large: 0.95 };

export const MAX_COUNT = 4;

export type Background =
  | { kind: 'solid'; color: ColorName }
  | { kind: 'gradient'; from: ColorName; to: ColorName; direction: GradientDirection };
export const GRADIENT_DIRECTIONS = ['vertical', 'horizontal', 'diagonal'] as const;
export type GradientDirection = (typeof GRADIENT_DIRECTIONS)[number];

export interface ObjectSpec {
  classId: string;
  artSet: ArtSetId;
  /** null keeps the art's own colours; a name recolours the object (colors.ts). */
  color: ColorName | null;
  count: number;
  size: SizeName;
  row: Row;
  col: Col;
  /** Offset of the group inside its slots, each in [-1, 1] of the free margin. */
  jitter: [number, number];
}

export interface MotionBlur {
  /** Blur length as a fraction of the image's shorter side (resolution independent). */
  length: number;
  /** Direction of motion in degrees, 0 = horizontal. */
  angle: number;
  /** 'image' blurs everything (camera shake); a number blurs that object group's cell. */
  region: 'image' | number;
}

export interface SceneSpec {
  background: Background;
  objects: ObjectSpec[];
  texts: TextSpec[];
  blur: MotionBlur | null;
}

export type RelationName = 'left of' | 'right of' | 'above' | 'below';

export interface Relation {
  /** Indices into scene.objects. */
  subject: number;
  relation: RelationName;
  object: number;
}

export interface SceneObject extends ObjectSpec {
  noun: string;
  plural: string;
  style: string;
  position: PositionName;
  /** One box per instance: the square the sprite is drawn in. */
  instances: Box[];
  /** Union of the instance squares. */
  bbox: Box;
}

export interface SceneText extends TextSpec {
  /** The plate. */
  bbox: Box;
  position: string;
}

export interface Scene extends SceneSpec {
  version: 1;
  width: number;
  height: number;
  objects: SceneObject[];
  texts: SceneText[];
  relations: Relation[];
}

/** Splits a cell into `count` slots, choosing the arrangement whose slots are largest. */
function slotsFor(cell: Box, count: number): Box[] {
  const options: [number, number][] =
    count === 1 ? [[1, 1]] : count === 2 ? [[2, 1], [1, 2]] : [[count, 1], [1, count], [2, 2]];
  let best: [number, number] = options[0]!;
  let bestSide = -1;
  for (const [cols, rows] of options) {
    const side = Math.min(cell.width / cols, cell.height / rows);
    if (side > bestSide + 1e-9) {
      bestSide = side;
      best = [cols, rows];
    }
  }
  const [cols, rows] = best;
  const sw = cell.width / cols;
  const sh = cell.height / rows;
  const slots: Box[] = [];
  for (let i = 0; i < count; i++) {
    const r = Math.floor(i / cols);
    const inRow = Math.min(cols, count - r * cols);
    // A short last row (three in a 2×2) is centred rather than left-aligned.
    const shift = ((cols - inRow) * sw) / 2;
    const c = i % cols;
    slots.push({ x: cell.x + shift + c * sw, y: cell.y + r * sh, width: sw, height: sh });
  }
  return slots;
}

export interface LayoutOptions {
  /**
   * Start each object's box on a multiple of this many pixels, shrinking it by up to a quarter to
   * stay inside its slot (a slot with no such room keeps the jittered box). Training sets the
   * model's patch size, so a sprite always meets the patch grid at the same offset; unset, boxes
   * go where jitter puts them.
   */
  snap?: number;
}

/** Sprites may shrink this far to start on the snap grid inside their slot. */
const MIN_SNAP_SHRINK = 0.75;

/**
 * On one axis: the grid point nearest `at` where a box of at least `minSide` still fits in
 * [lo, hi), and the side that fits from there; null when there is none.
 */
function snapAxis(at: number, lo: number, hi: number, minSide: number, grid: number): { at: number; room: number } | null {
  const first = Math.ceil(lo / grid) * grid;
  const last = Math.floor((hi - minSide) / grid) * grid;
  if (first > last) return null;
  const g = Math.min(Math.max(Math.round(at / grid) * grid, first), last);
  return { at: g, room: hi - g };
}

/** The box moved onto the snap grid (and shrunk to fit its slot), or the box itself when it cannot be. */
function snapBox(box: Box, slot: Box, grid: number): Box {
  const minSide = Math.ceil(box.width * MIN_SNAP_SHRINK);
  const x = snapAxis(box.x, Math.ceil(slot.x), Math.floor(slot.x + slot.width), minSide, grid);
  const y = snapAxis(box.y, Math.ceil(slot.y), Math.floor(slot.y + slot.height), minSide, grid);
  if (!x || !y) return box;
  const side = Math.min(box.width, x.room, y.room);
  return { x: x.at, y: y.at, width: side, height: side };
}

/** The instance squares of an object group: whole pixels, inside its cell, not overlapping. */
export function instanceBoxes(spec: ObjectSpec, width: number, height: number, opts: LayoutOptions = {}): Box[] {
  const cell = cellBox(width, height, spec.row, spec.col);
  const slots = slotsFor(cell, spec.count);
  return slots.map((slot) => {
    const side = Math.max(1, Math.floor(Math.min(slot.width, slot.height) * SIZE_FRACTION[spec.size]));
    const freeX = slot.width - side;
    const freeY = slot.height - side;
    const x = Math.floor(slot.x + (freeX / 2) * (1 + spec.jitter[0]));
    const y = Math.floor(slot.y + (freeY / 2) * (1 + spec.jitter[1]));
    // Clamp into the slot: flooring can push a box one pixel past its slot's edge.
    const cx = Math.min(Math.max(x, Math.ceil(slot.x)), Math.floor(slot.x + slot.width) - side);
    const cy = Math.min(Math.max(y, Math.ceil(slot.y)), Math.floor(slot.y + slot.height) - side);
    const box = { x: cx, y: cy, width: side, height: side };
    return opts.snap ? snapBox(box, slot, opts.snap) : box;
  });
}

export function boxUnion(boxes: Box[]): Box {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const b of boxes) {
    x0 = Math.min(x0, b.x);
    y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.width);
    y1 = Math.max(y1, b.y + b.height);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** All pairwise relations between object groups that the grid makes unambiguous. */
export function relationsOf(objects: readonly { row: number; col: number }[]): Relation[] {
  const out: Relation[] = [];
  for (let i = 0; i < objects.length; i++) {
    for (let j = 0; j < objects.length; j++) {
      if (i === j) continue;
      const a = objects[i]!;
      const b = objects[j]!;
      if (a.col < b.col) out.push({ subject: i, relation: 'left of', object: j });
      if (a.col > b.col) out.push({ subject: i, relation: 'right of', object: j });
      if (a.row < b.row) out.push({ subject: i, relation: 'above', object: j });
      if (a.row > b.row) out.push({ subject: i, relation: 'below', object: j });
    }
  }
  return out;
}

/** Cells used by a spec's items (signs use their whole row). */
export function occupiedCells(spec: Pick<SceneSpec, 'objects' | 'texts'>): Set<number> {
  const used = new Set<number>();
  for (const o of spec.objects) used.add(o.row * 3 + o.col);
  for (const t of spec.texts) {
    if (t.col === null) for (let c = 0; c < 3; c++) used.add(t.row * 3 + c);
    else used.add(t.row * 3 + t.col);
  }
  return used;
}

export function textPositionName(t: TextSpec): string {
  return t.col === null ? ROWS[t.row] : positionName(t.row, t.col);
}

/** Adds the derived fields; checks that the spec is drawable. */
export function layoutScene(spec: SceneSpec, width: number, height: number, opts: LayoutOptions = {}): Scene {
  checkSpec(spec);
  const objects: SceneObject[] = spec.objects.map((o) => {
    const cls = objectClass(o.classId);
    const instances = instanceBoxes(o, width, height, opts);
    return {
      ...o,
      jitter: [o.jitter[0], o.jitter[1]],
      noun: cls.noun,
      plural: cls.plural,
      style: ART_SETS[o.artSet].style,
      position: positionName(o.row, o.col),
      instances,
      bbox: boxUnion(instances),
    };
  });
  spec.texts.forEach((t, i) => {
    if (!textFits(t, width, height)) {
      throw new RangeError(`texts[${i}]: "${t.text}" does not fit legibly on a ${t.kind} at ${width}x${height}`);
    }
  });
  const texts: SceneText[] = spec.texts.map((t) => ({
    ...t,
    bbox: textPlateBox(t, width, height),
    position: textPositionName(t),
  }));
  return {
    version: 1,
    width,
    height,
    background: { ...spec.background },
    objects,
    texts,
    relations: relationsOf(spec.objects),
    blur: spec.blur ? { ...spec.blur } : null,
  };
}

/** Strips derived fields so a Scene can be edited and laid out again (at any size). */
export function specOf(scene: SceneSpec): SceneSpec {
  return {
    background: { ...scene.background },
    objects: scene.objects.map((o) => ({
      classId: o.classId, artSet: o.artSet, color: o.color, count: o.count, size: o.size,
      row: o.row, col: o.col, jitter: [o.jitter[0], o.jitter[1]],
    })),
    texts: scene.texts.map((t) => ({
      kind: t.kind, text: t.text, plateColor: t.plateColor, textColor: t.textColor, row: t.row, col: t.col,
    })),
    blur: scene.blur ? { ...scene.blur } : null,
  };
}

function checkSpec(spec: SceneSpec): void {
  const seen = new Set<number>();
  const claim = (cell: number, what: string) => {
    if (seen.has(cell)) throw new RangeError(`${what} overlaps another item in grid cell ${cell}`);
    seen.add(cell);
  };
  spec.objects.forEach((o, i) => {
    objectClass(o.classId);
    if (!ART_SETS[o.artSet]) throw new RangeError(`objects[${i}].artSet "${o.artSet}" is not an art set`);
    if (!canRender(o.artSet, o.classId)) throw new RangeError(`objects[${i}]: ${o.classId} cannot be drawn from ${o.artSet}`);
    if (!Number.isInteger(o.count) || o.count < 1 || o.count > MAX_COUNT) {
      throw new RangeError(`objects[${i}].count must be 1..${MAX_COUNT}, got ${o.count}`);
    }
    claim(o.row * 3 + o.col, `objects[${i}]`);
  });
  spec.texts.forEach((t, i) => {
    if (!/^[A-Z]{1,8}$/.test(t.text)) throw new RangeError(`texts[${i}].text must be 1–8 uppercase letters, got "${t.text}"`);
    if (t.col === null) for (let c = 0; c < 3; c++) claim(t.row * 3 + c, `texts[${i}]`);
    else claim(t.row * 3 + t.col, `texts[${i}]`);
  });
  if (spec.blur && typeof spec.blur.region === 'number' && !spec.objects[spec.blur.region]) {
    throw new RangeError(`blur.region ${spec.blur.region} names no object`);
  }
}
