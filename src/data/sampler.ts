// Draws random SceneSpecs from a seeded DataRng. The training split never contains a held-out
// combination or word; the held-out split always contains at least one.
import { ART_SET_IDS } from './artsets.ts';
import { canRender } from './catalog.ts';
import { COLOR_NAMES, PALETTE, colorDistance, luminance, type ColorName } from './colors.ts';
import { heldout, isHeldoutWord, matchesCombo, type HeldoutCombo } from './heldout.ts';
import type { DataRng } from './rng.ts';
import { DEFAULT_SOLID_CHANCE, DEFAULT_TEXT_CHANCE, scopeClasses, type DataScope } from './scope.ts';
import {
  GRADIENT_DIRECTIONS, MAX_COUNT, POSITIONS, SIZES, occupiedCells,
  type Background, type Col, type ObjectSpec, type Row, type SceneSpec,
} from './scene.ts';
import { WORDS } from './words.ts';
import { TEXT_KINDS, textFits, type TextSpec } from './plates.ts';

export type Split = 'train' | 'heldout';

export interface SpecConstraints {
  minObjects?: number;
  maxObjects?: number;
  /** Always include a text item (true), never (false), or sometimes (undefined). */
  text?: boolean;
  /** Leave at least this many grid cells empty (for add and move edits). */
  minFreeCells?: number;
  /** The part of the world objects, lettering and backgrounds are drawn from; default all of it. */
  scope?: DataScope;
  /** Output size: lettering is only placed where its word fits legibly at this size. */
  size?: { width: number; height: number };
}

/** Minimum colour distance for an object or plate to read clearly on what is behind it. */
const VISIBLE = 150;
/** Minimum distance between lettering and its plate. */
const READABLE = 260;

/** Lettering needs both a different hue and a clear lightness step to be legible. */
export function readable(ink: ColorName, plate: ColorName): boolean {
  const a = PALETTE[ink];
  const b = PALETTE[plate];
  return colorDistance(a, b) >= READABLE && Math.abs(luminance(...a) - luminance(...b)) >= 70;
}

/** The words training signs carry (every lettering word but the held-out ones). */
export const TRAIN_WORDS: readonly string[] = WORDS.filter((w) => !isHeldoutWord(w));

export function backgroundColors(bg: Background): ColorName[] {
  return bg.kind === 'solid' ? [bg.color] : [bg.from, bg.to];
}

/** Colours that stand out from every colour of the background. */
export function colorsVisibleOn(bg: Background, minDistance = VISIBLE): ColorName[] {
  const behind = backgroundColors(bg);
  return COLOR_NAMES.filter((c) => behind.every((b) => colorDistance(PALETTE[c], PALETTE[b]) >= minDistance));
}

export function sampleBackground(rng: DataRng, mustShow: ColorName[] = [], scope?: DataScope): Background {
  for (let tries = 0; tries < 100; tries++) {
    let bg: Background;
    if (rng.chance(scope?.solidChance ?? DEFAULT_SOLID_CHANCE)) {
      bg = { kind: 'solid', color: rng.pick(COLOR_NAMES) };
    } else {
      const from = rng.pick(COLOR_NAMES);
      const to = rng.pick(COLOR_NAMES.filter((c) => c !== from));
      bg = { kind: 'gradient', from, to, direction: rng.pick(GRADIENT_DIRECTIONS) };
    }
    const visible = colorsVisibleOn(bg);
    if (mustShow.every((c) => visible.includes(c)) && visible.length >= 2) return bg;
  }
  // Gray-free solid white shows every dark colour; only reached for impossible demands.
  return { kind: 'solid', color: mustShow.includes('white') ? 'black' : 'white' };
}

function sampleCount(rng: DataRng): number {
  return rng.weighted([[1, 0.55], [2, 0.2], [3, 0.13], [4, 0.12]] as const);
}

function freeCells(spec: Pick<SceneSpec, 'objects' | 'texts'>): number[] {
  const used = occupiedCells(spec);
  return [0, 1, 2, 3, 4, 5, 6, 7, 8].filter((c) => !used.has(c));
}

export interface GroupOptions {
  classId?: string;
  color?: ColorName | null;
  cell?: number;
  count?: number;
  scope?: DataScope;
}

/** One object group in a free cell; returns null when no cell is free. */
export function sampleObject(rng: DataRng, spec: SceneSpec, split: Split, opts: GroupOptions = {}): ObjectSpec | null {
  const cells = freeCells(spec);
  if (opts.cell !== undefined && !cells.includes(opts.cell)) return null;
  if (cells.length === 0) return null;
  const usedClasses = new Set(spec.objects.map((o) => o.classId));
  const classes = scopeClasses(opts.scope).filter((c) => !usedClasses.has(c.id));
  const visible = colorsVisibleOn(spec.background);
  for (let tries = 0; tries < 50; tries++) {
    const cell = opts.cell ?? rng.pick(cells);
    const classId = opts.classId ?? rng.pick(classes).id;
    const sets = (opts.scope?.artSets ?? ART_SET_IDS).filter((s) => canRender(s, classId));
    if (sets.length === 0) continue;
    const o: ObjectSpec = {
      classId,
      artSet: rng.pick(sets),
      color: opts.color !== undefined ? opts.color : rng.chance(0.45) ? rng.pick(visible) : null,
      count: opts.count ?? Math.min(sampleCount(rng), opts.scope?.maxCount ?? 4),
      size: rng.pick(opts.scope?.sizes ?? SIZES),
      row: Math.floor(cell / 3) as Row,
      col: (cell % 3) as Col,
      jitter: [round3(rng.range(-0.8, 0.8)), round3(rng.range(-0.8, 0.8))],
    };
    if (split === 'train' && heldout.combos.some((c) => matchesCombo(o, c))) continue;
    return o;
  }
  return null;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

export function sampleWord(rng: DataRng, split: Split, avoid?: string): string {
  const pool = split === 'train' ? TRAIN_WORDS : WORDS;
  for (;;) {
    const w = rng.pick(pool);
    if (w !== avoid) return w;
  }
}

/**
 * A sign, poster or label in free space, with a word that fits legibly at `size` (when given);
 * null when there is no room.
 */
export function sampleText(rng: DataRng, spec: SceneSpec, split: Split, word?: string, size?: { width: number; height: number }): TextSpec | null {
  const cells = freeCells(spec);
  const freeRows = [0, 1, 2].filter((r) => [0, 1, 2].every((c) => cells.includes(r * 3 + c)));
  const kinds = TEXT_KINDS.filter((k) => (k === 'sign' ? freeRows.length > 0 : cells.length > 0));
  if (kinds.length === 0) return null;
  const kind = rng.pick(kinds);
  const plates = colorsVisibleOn(spec.background);
  const plateColor = rng.pick(plates.length > 0 ? plates : COLOR_NAMES);
  const inks = COLOR_NAMES.filter((c) => readable(c, plateColor));
  const textColor = rng.pick(inks.length > 0 ? inks : (['black', 'white'] as ColorName[]));
  let t: TextSpec;
  if (kind === 'sign') {
    t = { kind, text: '', plateColor, textColor, row: rng.pick(freeRows) as Row, col: null };
  } else {
    const cell = rng.pick(cells);
    t = { kind, text: '', plateColor, textColor, row: Math.floor(cell / 3) as Row, col: (cell % 3) as Col };
  }
  // Small images fit only short words on small plates: redraw the word a few times.
  for (let tries = 0; tries < (word ? 1 : 12); tries++) {
    t.text = word ?? sampleWord(rng, split);
    if (!size || textFits(t, size.width, size.height)) return t;
  }
  return null;
}

/** A random scene description for the split. */
export function sampleSpec(rng: DataRng, split: Split, c: SpecConstraints = {}): SceneSpec {
  const minObjects = c.minObjects ?? 1;
  const maxObjects = Math.min(c.maxObjects ?? 4, c.scope?.maxObjects ?? 4, 4);
  const minFree = c.minFreeCells ?? 0;
  for (let attempt = 0; attempt < 100; attempt++) {
    if (c.scope?.artSets && c.scope.artSets.length === 0) throw new RangeError('artSets must name at least one art set');
    const spec = split === 'heldout' ? heldoutSeed(rng, c) : { background: sampleBackground(rng, [], c.scope), objects: [], texts: [], blur: null };
    if (!spec) continue;
    const wantText = c.text ?? rng.chance(c.scope?.textChance ?? DEFAULT_TEXT_CHANCE);
    if (wantText && spec.texts.length === 0 && rng.chance(0.5)) {
      // Half the time the text goes in first, so that full-row signs find a free row.
      const t = sampleText(rng, spec, split, undefined, c.size);
      if (t) spec.texts.push(t);
    }
    const target = rng.int(Math.max(minObjects, spec.objects.length), Math.max(minObjects, maxObjects));
    while (spec.objects.length < target) {
      const o = sampleObject(rng, spec, split, { scope: c.scope });
      if (!o) break;
      spec.objects.push(o);
    }
    if (wantText && spec.texts.length === 0) {
      const t = sampleText(rng, spec, split, undefined, c.size);
      if (t) spec.texts.push(t);
    }
    if (spec.objects.length < minObjects) continue;
    if (c.text === true && spec.texts.length === 0) continue;
    if (freeCells(spec).length < minFree) continue;
    return spec;
  }
  throw new Error(`could not sample a scene meeting ${JSON.stringify(c)}`);
}

/** Starts a held-out scene with one held-out combination or word already placed. */
function heldoutSeed(rng: DataRng, c: SpecConstraints): SceneSpec | null {
  const useWord = c.text !== false && (c.text === true || rng.chance(0.2));
  if (useWord) {
    const spec: SceneSpec = { background: sampleBackground(rng), objects: [], texts: [], blur: null };
    const t = sampleText(rng, spec, 'heldout', rng.pick(heldout.words), c.size);
    if (!t) return null;
    spec.texts.push(t);
    return spec;
  }
  const combo: HeldoutCombo = rng.pick(heldout.combos);
  const spec: SceneSpec = {
    background: sampleBackground(rng, combo.color ? [combo.color] : []),
    objects: [],
    texts: [],
    blur: null,
  };
  const cell = combo.position ? POSITIONS.indexOf(combo.position) : undefined;
  const o = sampleObject(rng, spec, 'heldout', {
    classId: combo.object,
    color: combo.color,
    cell,
    count: combo.count ?? rng.int(1, MAX_COUNT),
    scope: c.scope,
  });
  if (!o) return null;
  spec.objects.push(o);
  return spec;
}
