// What part of the composer's world a stream draws from: which object classes and art sets, how
// crowded a scene is, how often it has lettering or a gradient. Training narrows it for a
// curriculum (few large objects from a small vocabulary first, then wider); the default is the
// whole world. Every default keeps the random draws of an unscoped stream exactly as they were.
import { ART_SET_IDS, type ArtSetId } from './artsets.ts';
import { OBJECT_CLASSES, isObjectClassId } from './catalog.ts';
import { SIZES, type SizeName } from './scene.ts';

export interface DataScope {
  /** Object classes scenes may contain (ids from the catalog); default every class. */
  classes?: readonly string[];
  /** Art sets objects may come from (see DATA.md for their licences); default all. */
  artSets?: readonly ArtSetId[];
  /** Most object groups in a scene, 1..4; default 4. */
  maxObjects?: number;
  /** Most objects in one group ("three apples"), 1..4; default 4. 1 gives every object a cell of its own, so it is drawn large. */
  maxCount?: number;
  /** Chance that a text-to-image scene has lettering; default 0.3. */
  textChance?: number;
  /** Chance of a solid background rather than a gradient; default 0.65. */
  solidChance?: number;
  /** Sizes objects are drawn at; default all three. */
  sizes?: readonly SizeName[];
  /**
   * Share of text-to-image samples (outside long-description batches) whose caption names no
   * place, with their items moved to where such a prompt puts them (default-placement.ts); the
   * other captions then name every place. Unset: any phrasing, with items anywhere, so a caption
   * without a place word stands for nine different pictures.
   */
  unplacedShare?: number;
  /**
   * Object boxes start on multiples of this many pixels where their slot leaves room (scene.ts
   * LayoutOptions); a run sets its patch size. Unset: wherever jitter puts them.
   */
  snap?: number;
}

export const DEFAULT_TEXT_CHANCE = 0.3;
export const DEFAULT_SOLID_CHANCE = 0.65;

/** Throws a RangeError naming the field when a scope cannot be drawn from. */
export function validateScope(s: DataScope): void {
  if (s.classes) {
    if (s.classes.length < 2) throw new RangeError('scope.classes must name at least two classes (replace edits need another class)');
    const unknown = s.classes.filter((c) => !isObjectClassId(c));
    if (unknown.length > 0) throw new RangeError(`scope.classes: unknown class ${unknown.map((c) => `'${c}'`).join(', ')}`);
  }
  if (s.artSets) {
    if (s.artSets.length === 0) throw new RangeError('artSets must name at least one art set');
    const unknown = s.artSets.filter((a) => !ART_SET_IDS.includes(a));
    if (unknown.length > 0) throw new RangeError(`scope.artSets: unknown art set ${unknown.join(', ')} (known: ${ART_SET_IDS.join(', ')})`);
  }
  if (s.maxObjects !== undefined && !(Number.isInteger(s.maxObjects) && s.maxObjects >= 1 && s.maxObjects <= 4)) {
    throw new RangeError(`scope.maxObjects must be 1..4, got ${s.maxObjects}`);
  }
  if (s.maxCount !== undefined && !(Number.isInteger(s.maxCount) && s.maxCount >= 1 && s.maxCount <= 4)) {
    throw new RangeError(`scope.maxCount must be 1..4, got ${s.maxCount}`);
  }
  for (const key of ['textChance', 'solidChance', 'unplacedShare'] as const) {
    const v = s[key];
    if (v !== undefined && !(v >= 0 && v <= 1)) throw new RangeError(`scope.${key} must be in [0, 1], got ${v}`);
  }
  if (s.snap !== undefined && !(Number.isInteger(s.snap) && s.snap >= 1 && s.snap <= 64)) {
    throw new RangeError(`scope.snap must be an integer number of pixels in 1..64, got ${s.snap}`);
  }
  if (s.sizes && (s.sizes.length === 0 || s.sizes.some((z) => !SIZES.includes(z)))) {
    throw new RangeError(`scope.sizes must name some of ${SIZES.join(', ')}`);
  }
}

/** The classes a scope allows, in catalog order. */
export function scopeClasses(s: DataScope | undefined): typeof OBJECT_CLASSES {
  if (!s?.classes) return OBJECT_CLASSES;
  const allowed = new Set(s.classes);
  return OBJECT_CLASSES.filter((c) => allowed.has(c.id));
}
