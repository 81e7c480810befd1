// Combinations kept out of every training split, so that evaluation can ask whether the model
// composes concepts it has seen only separately ("a blue apple" when it has seen apples and
// blue things, never blue apples). The training sampler rejects them; the held-out split is
// built around them. Every field here is also a valid training value on its own.
import type { ColorName } from './colors.ts';
import type { PositionName, SceneSpec } from './scene.ts';
import { positionName } from './scene.ts';

/** A pattern: an object group matches when every field given here is equal. */
export interface HeldoutCombo {
  object: string;
  color?: ColorName;
  position?: PositionName;
  count?: number;
}

const COMBOS: readonly HeldoutCombo[] = [
  // object × colour
  { object: 'apple', color: 'blue' },
  { object: 'banana', color: 'purple' },
  { object: 'cat', color: 'green' },
  { object: 'dog', color: 'pink' },
  { object: 'car', color: 'yellow' },
  { object: 'elephant', color: 'orange' },
  { object: 'strawberry', color: 'gray' },
  { object: 'guitar', color: 'white' },
  { object: 'rocket', color: 'brown' },
  { object: 'house', color: 'red' },
  { object: 'tree', color: 'black' },
  { object: 'umbrella', color: 'purple' },
  // object × position
  { object: 'penguin', position: 'top left' },
  { object: 'bicycle', position: 'bottom right' },
  { object: 'sun', position: 'bottom center' },
  { object: 'fish', position: 'top right' },
  { object: 'castle', position: 'middle left' },
  // object × count
  { object: 'frog', count: 3 },
  { object: 'star', count: 4 },
  { object: 'teapot', count: 2 },
  { object: 'owl', count: 4 },
  { object: 'lemon', count: 3 },
  // full tuples
  { object: 'pear', color: 'red', position: 'middle center', count: 2 },
  { object: 'bus', color: 'green', position: 'top center', count: 1 },
  { object: 'rabbit', color: 'blue', position: 'bottom left', count: 3 },
];

const WORDS_HELD: readonly string[] = [
  'GALAXY', 'HARBOR', 'PUZZLE', 'LANTERN', 'VOYAGE', 'MEADOW', 'PIRATE', 'THUNDER', 'SUMMIT', 'BANJO',
  'CANYON', 'VELVET', 'IGLOO', 'JUNGLE', 'ORCHARD', 'TOPAZ', 'WIZARD', 'BRUNCH', 'KAYAK', 'RIDDLE',
  'ZEBRA', 'MUFFIN', 'OASIS', 'SAPPHIRE', 'DRAGON', 'NOODLE', 'ROBIN', 'EMBER', 'GLIDER', 'VAULT',
];

export const heldout: { readonly combos: readonly HeldoutCombo[]; readonly words: readonly string[] } = {
  combos: COMBOS,
  words: WORDS_HELD,
};

const HELD_WORDS = new Set(WORDS_HELD);

export function isHeldoutWord(word: string): boolean {
  return HELD_WORDS.has(word);
}

export function matchesCombo(
  o: { classId: string; color: ColorName | null; row: number; col: number; count: number },
  c: HeldoutCombo,
): boolean {
  if (o.classId !== c.object) return false;
  if (c.color !== undefined && o.color !== c.color) return false;
  if (c.position !== undefined && positionName(o.row, o.col) !== c.position) return false;
  if (c.count !== undefined && o.count !== c.count) return false;
  return true;
}

/** The held-out combinations and words a scene contains (empty for a training-safe scene). */
export function heldoutIn(spec: Pick<SceneSpec, 'objects' | 'texts'>): { combos: HeldoutCombo[]; words: string[] } {
  const combos: HeldoutCombo[] = [];
  for (const o of spec.objects) for (const c of COMBOS) if (matchesCombo(o, c)) combos.push(c);
  const words = spec.texts.map((t) => t.text).filter((w) => HELD_WORDS.has(w));
  return { combos, words };
}

export function containsHeldout(spec: Pick<SceneSpec, 'objects' | 'texts'>): boolean {
  const h = heldoutIn(spec);
  return h.combos.length > 0 || h.words.length > 0;
}
