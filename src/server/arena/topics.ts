// The arena's topics, and prompts to suggest for each, drawn from what flowpaint's models were
// trained on: the scene composer's object classes (emoji-style icons), its colour names, counts,
// grid positions and lettering words, on plain backgrounds. Topics a model was never shown
// (people, photographs, landscapes) would only measure that it cannot draw them.
import { OBJECT_CLASSES, type Category, type ObjectClass } from '../../data/catalog.ts';
import { COLOR_NAMES } from '../../data/colors.ts';
import { WORDS } from '../../data/words.ts';

export const TOPICS = ['animals', 'food', 'plants', 'objects', 'colours', 'counting', 'positions', 'lettering', 'other'] as const;
export type Topic = (typeof TOPICS)[number];

/** Which catalog categories each object topic draws from. */
const OBJECT_TOPICS: Record<'animals' | 'food' | 'plants' | 'objects', readonly Category[]> = {
  animals: ['animal'],
  food: ['fruit', 'vegetable', 'food', 'drink'],
  plants: ['plant', 'nature'],
  objects: ['vehicle', 'household', 'clothing', 'tool', 'electronics', 'instrument', 'sport', 'building', 'toy', 'other'],
};

const POSITIONS = ['in the top left corner', 'at the top', 'in the top right corner', 'on the left', 'in the center', 'on the right', 'in the bottom left corner', 'at the bottom', 'in the bottom right corner'];
const RELATIONS = ['to the left of', 'to the right of', 'above', 'below'];
const COUNTS = ['two', 'three', 'four'];
// White and black objects are hard to see on many backgrounds; backgrounds use every colour.
const OBJECT_COLORS = COLOR_NAMES.filter((c) => c !== 'white' && c !== 'black');

type Random = () => number;
const pick = <T>(xs: readonly T[], random: Random): T => xs[Math.floor(random() * xs.length)]!;
const an = (word: string) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);

function objectsOf(categories: readonly Category[]): ObjectClass[] {
  return OBJECT_CLASSES.filter((c) => categories.includes(c.category));
}

/** A background colour unlike `avoid`. */
function background(random: Random, ...avoid: string[]): string {
  return pick(COLOR_NAMES.filter((c) => !avoid.includes(c)), random);
}

/** A prompt of the topic, phrased as the training captions are ("a red apple on a blue background"). */
export function suggestPrompt(topic: Topic, random: Random = Math.random): string {
  const any = () => pick(OBJECT_CLASSES, random);
  switch (topic) {
    case 'animals': case 'food': case 'plants': case 'objects': {
      const o = pick(objectsOf(OBJECT_TOPICS[topic]), random);
      return `${an(o.noun)} on ${an(background(random))} background`;
    }
    case 'colours': {
      const color = pick(OBJECT_COLORS, random);
      return `${an(`${color} ${any().noun}`)} on ${an(background(random, color))} background`;
    }
    case 'counting': {
      const o = any();
      return `${pick(COUNTS, random)} ${o.plural} on ${an(background(random))} background`;
    }
    case 'positions': {
      const a = any();
      if (random() < 0.5) return `${an(a.noun)} ${pick(POSITIONS, random)} on ${an(background(random))} background`;
      let b = any();
      while (b.id === a.id) b = any();
      return `${an(a.noun)} ${pick(RELATIONS, random)} ${an(b.noun)} on ${an(background(random))} background`;
    }
    case 'lettering': {
      const plate = pick(OBJECT_COLORS, random);
      return `${an(`${plate} sign`)} that says "${pick(WORDS, random)}" on ${an(background(random, plate))} background`;
    }
    case 'other': {
      const color = pick(OBJECT_COLORS, random);
      let b = any();
      const a = any();
      while (b.id === a.id) b = any();
      return `${an(`${color} ${a.noun}`)} and ${an(b.noun)} on ${an(background(random, color))} background`;
    }
  }
}
