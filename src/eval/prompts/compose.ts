// The compose suite's prompt set: GenEval-style categories built from the data issue's
// held-out combinations, each prompt with the expectation it is checked against and a
// ground-truth scene that satisfies it (drawn to validate the scorer on the very prompts of a
// run). Item i of a category is a pure function of (seed, category, i): a larger --n extends
// the same list, and one version + seed always gives the same prompts.
import {
  COLOR_NAMES, DataRng, heldout, mixSeed, hashString, type ColorName, type HeldoutCombo, type RelationName,
} from '../../data/index.ts';
import { ART_SET_IDS } from '../../data/artsets.ts';
import { canRender } from '../../data/catalog.ts';
import { backgroundPhrase, capitalize, groupPhrase, groupRef, positionPhrase } from '../../data/phrases.ts';
import { colorsVisibleOn } from '../../data/sampler.ts';
import { POSITIONS, type Col, type ObjectSpec, type Row, type SceneSpec } from '../../data/scene.ts';
import type { Expectation, GroupExpectation } from '../expect.ts';

export const COMPOSE_PROMPT_VERSION = 'compose-v1';
export const DEFAULT_PROMPT_SEED = 20261201;

export const COMPOSE_CATEGORIES = [
  'single_object', 'two_objects', 'counting', 'colors', 'position', 'color_attribution', 'relations',
] as const;
export type ComposeCategory = (typeof COMPOSE_CATEGORIES)[number];

export interface ComposeItem {
  id: string;
  category: ComposeCategory;
  prompt: string;
  expect: Expectation;
  /** A scene that satisfies the prompt exactly (background included). */
  truth: SceneSpec;
}

const COMBOS = heldout.combos;
const OBJECTS = [...new Set(COMBOS.map((c) => c.object))].sort();
const with_ = (f: (c: HeldoutCombo) => boolean) => COMBOS.filter(f);
const COLOR_COMBOS = with_((c) => c.color !== undefined);
const COUNT_COMBOS = with_((c) => c.count !== undefined && c.count > 1);
const POSITION_COMBOS = with_((c) => c.position !== undefined);

const RELATIONS: readonly RelationName[] = ['left of', 'right of', 'above', 'below'];
const RELATION_WORDS: Record<RelationName, string> = { 'left of': 'to the left of', 'right of': 'to the right of', above: 'above', below: 'below' };

const cellOf = (position: string) => POSITIONS.indexOf(position);

/** Two different cells where `a rel b` holds, drawn at random. */
function cellsFor(rng: DataRng, rel: RelationName): [number, number] {
  const pairs: [number, number][] = [];
  for (let a = 0; a < 9; a++) {
    for (let b = 0; b < 9; b++) {
      const ra = Math.floor(a / 3);
      const ca = a % 3;
      const rb = Math.floor(b / 3);
      const cb = b % 3;
      // Keep the other axis equal so the relation is the only spatial fact the prompt states.
      const ok = rel === 'left of' ? ca < cb && ra === rb : rel === 'right of' ? ca > cb && ra === rb : rel === 'above' ? ra < rb && ca === cb : ra > rb && ca === cb;
      if (ok) pairs.push([a, b]);
    }
  }
  return rng.pick(pairs);
}

function freeCell(rng: DataRng, used: number[]): number {
  return rng.pick([0, 1, 2, 3, 4, 5, 6, 7, 8].filter((c) => !used.includes(c)));
}

function objectSpec(rng: DataRng, g: GroupExpectation, cell: number): ObjectSpec {
  const sets = ART_SET_IDS.filter((s) => canRender(s, g.classId));
  return {
    classId: g.classId,
    artSet: rng.pick(sets),
    color: g.color ?? null,
    count: g.count ?? 1,
    size: 'large',
    row: Math.floor(cell / 3) as Row,
    col: (cell % 3) as Col,
    jitter: [0, 0],
  };
}

/** A solid background on which every stated colour stands out (and that no stated colour equals). */
function backgroundFor(rng: DataRng, colors: ColorName[]): ColorName {
  const ok = COLOR_NAMES.filter((bg) => colors.every((c) => colorsVisibleOn({ kind: 'solid', color: bg }).includes(c)));
  return rng.pick(ok.length > 0 ? ok : ['white']);
}

function groupText(g: GroupExpectation): string {
  return groupPhrase({ classId: g.classId, color: g.color ?? null, count: g.count ?? 1, size: 'medium' }, { color: true });
}

function build(rng: DataRng, category: ComposeCategory, groups: GroupExpectation[], cells: number[], relation?: Expectation['relation']): Omit<ComposeItem, 'id'> {
  const bg = backgroundFor(rng, groups.flatMap((g) => (g.color ? [g.color] : [])));
  const background = { kind: 'solid' as const, color: bg };
  const bgText = backgroundPhrase(background, 0);
  let prompt: string;
  if (relation) {
    const a = groups[relation.subject]!;
    const b = groups[relation.object]!;
    const verb = (a.count ?? 1) === 1 ? 'is' : 'are';
    const ref = (g: GroupExpectation) => groupRef({ classId: g.classId, color: g.color ?? null, count: g.count ?? 1 }, true);
    // The caption style the model is trained on: the groups, then one relation sentence.
    prompt = `${capitalize(groups.map(groupText).join(' and '))} ${bgText}. ${capitalize(ref(a))} ${verb} ${RELATION_WORDS[relation.relation]} ${ref(b)}.`;
  } else if (groups.some((g) => g.cell !== undefined)) {
    const parts = groups.map((g) => (g.cell !== undefined ? `${groupText(g)} ${positionPhrase(POSITIONS[g.cell]!, 0)}` : groupText(g)));
    prompt = `${capitalize(parts.join(' and '))}, ${bgText}.`;
  } else {
    prompt = `${groups.map(groupText).join(' and ')} ${bgText}`;
  }
  const truth: SceneSpec = { background, objects: groups.map((g, i) => objectSpec(rng, g, cells[i]!)), texts: [], blur: null };
  return { category, prompt, expect: relation ? { groups, relation } : { groups }, truth };
}

function comboGroup(c: HeldoutCombo, keep: { color?: boolean; count?: boolean; cell?: boolean }): GroupExpectation {
  const g: GroupExpectation = { classId: c.object };
  if (keep.color && c.color) g.color = c.color;
  if (keep.count && c.count) g.count = c.count;
  if (keep.cell && c.position) g.cell = cellOf(c.position);
  return g;
}

function twoDistinct<T>(rng: DataRng, items: readonly T[], key: (t: T) => string): [T, T] {
  const a = rng.pick(items);
  const b = rng.pick(items.filter((x) => key(x) !== key(a)));
  return [a, b];
}

function composeItem(seed: number, category: ComposeCategory, i: number): ComposeItem {
  const rng = new DataRng(mixSeed(seed, hashString(category), i));
  let item: Omit<ComposeItem, 'id'>;
  switch (category) {
    case 'single_object': {
      const g = { classId: OBJECTS[i % OBJECTS.length]! };
      item = build(rng, category, [g], [rng.int(0, 8)]);
      break;
    }
    case 'two_objects': {
      const [a, b] = twoDistinct(rng, OBJECTS, (x) => x);
      const c1 = rng.int(0, 8);
      item = build(rng, category, [{ classId: a }, { classId: b }], [c1, freeCell(rng, [c1])]);
      break;
    }
    case 'counting': {
      const g = comboGroup(COUNT_COMBOS[i % COUNT_COMBOS.length]!, { count: true });
      item = build(rng, category, [g], [rng.int(0, 8)]);
      break;
    }
    case 'colors': {
      const g = comboGroup(COLOR_COMBOS[i % COLOR_COMBOS.length]!, { color: true });
      item = build(rng, category, [g], [rng.int(0, 8)]);
      break;
    }
    case 'position': {
      const g = comboGroup(POSITION_COMBOS[i % POSITION_COMBOS.length]!, { cell: true });
      item = build(rng, category, [g], [g.cell!]);
      break;
    }
    case 'color_attribution': {
      // Two held-out coloured objects with different colours: each colour must land on its own object.
      let a: HeldoutCombo;
      let b: HeldoutCombo;
      do [a, b] = twoDistinct(rng, COLOR_COMBOS, (x) => x.object);
      while (a.color === b.color);
      const c1 = rng.int(0, 8);
      item = build(rng, category, [comboGroup(a, { color: true }), comboGroup(b, { color: true })], [c1, freeCell(rng, [c1])]);
      break;
    }
    case 'relations': {
      const a = comboGroup(rng.pick(COMBOS), { color: true, count: true });
      const b: GroupExpectation = { classId: rng.pick(OBJECTS.filter((o) => o !== a.classId)) };
      const rel = rng.pick(RELATIONS);
      const [ca, cb] = cellsFor(rng, rel);
      item = build(rng, category, [a, b], [ca, cb], { subject: 0, relation: rel, object: 1 });
      break;
    }
  }
  return { id: `${category}-${String(i).padStart(3, '0')}`, ...item };
}

/** `perCategory` prompts of every category (or of the categories given). */
export function composePrompts(perCategory: number, seed = DEFAULT_PROMPT_SEED, categories: readonly ComposeCategory[] = COMPOSE_CATEGORIES): ComposeItem[] {
  const out: ComposeItem[] = [];
  for (const c of categories) for (let i = 0; i < perCategory; i++) out.push(composeItem(seed, c, i));
  return out;
}

const REQUESTS = ['Draw', 'Make me', 'Create', 'Show me', 'Can you draw', 'I want'];

/**
 * The same item phrased as people type a request: a leading imperative, "X backdrop with Y",
 * comma lists, no full stop. Deterministic per item, so the typed set is fixed too.
 */
export function typedPrompt(it: ComposeItem): string {
  const rng = new DataRng(hashString(`typed:${it.id}`));
  const bg = it.truth.background.kind === 'solid' ? it.truth.background.color : 'white';
  const parts = it.expect.groups.map((g) => (g.cell !== undefined ? `${groupText(g)} ${positionPhrase(POSITIONS[g.cell]!, rng.int(0, 1))}` : groupText(g)));
  const r = it.expect.relation;
  if (r) {
    const ref = (g: GroupExpectation) => groupRef({ classId: g.classId, color: g.color ?? null, count: g.count ?? 1 }, true);
    parts.push(`${ref(it.expect.groups[r.subject]!)} ${RELATION_WORDS[r.relation]} ${ref(it.expect.groups[r.object]!)}`);
  }
  const list = parts.join(', ');
  switch (rng.int(0, 3)) {
    case 0:
      return `${rng.pick(REQUESTS)} ${list} on a plain ${bg} background.`;
    case 1:
      return `${bg} backdrop with ${list}`;
    case 2:
      return `${rng.pick(REQUESTS)} ${list}, ${bg} bg`;
    default:
      return `${list}, ${bg} background`;
  }
}
