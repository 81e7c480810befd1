// Small English phrase builders shared by captions and edit instructions, so that a scene is
// described the same way whether it is being generated or edited.
import type { DataRng } from './rng.ts';
import type { TextSpec } from './plates.ts';
import type { Background, ObjectSpec, SceneText } from './scene.ts';
import { ART_SETS } from './artsets.ts';
import { objectClass } from './catalog.ts';

export const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five'] as const;

export function article(phrase: string): string {
  // "a unicorn", "a one-way", but "an apple", "an hourglass".
  if (/^(uni|use|one|eu)/i.test(phrase)) return 'a';
  if (/^hour/i.test(phrase)) return 'an';
  return /^[aeiou]/i.test(phrase) ? 'an' : 'a';
}

export function withArticle(phrase: string): string {
  return `${article(phrase)} ${phrase}`;
}

export function capitalize(s: string): string {
  return s.length > 0 ? s[0]!.toUpperCase() + s.slice(1) : s;
}

export function joinList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  if (items.length === 2) return `${items[0]} and ${items[1]}`;
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export interface NounOptions {
  color?: boolean;
  size?: boolean;
  /** Say "medium-sized" too (long captions); otherwise medium is left unsaid. */
  mediumWord?: boolean;
}

type Group = Pick<ObjectSpec, 'classId' | 'color' | 'count' | 'size'>;

/** "two small blue apples", "a cat", "an orange fox". */
export function groupPhrase(o: Group, opts: NounOptions = {}): string {
  const cls = objectClass(o.classId);
  const adjs: string[] = [];
  if (opts.size && (o.size !== 'medium' || opts.mediumWord)) adjs.push(o.size === 'medium' ? 'medium-sized' : o.size);
  if (opts.color && o.color) adjs.push(o.color);
  const head = [...adjs, o.count === 1 ? cls.noun : cls.plural].join(' ');
  return o.count === 1 ? withArticle(head) : `${NUMBER_WORDS[o.count]} ${head}`;
}

/** "the apples", "the blue cat": how a group is referred to once introduced. */
export function groupRef(o: Pick<ObjectSpec, 'classId' | 'color' | 'count'>, withColor = false): string {
  const cls = objectClass(o.classId);
  return `the ${withColor && o.color ? `${o.color} ` : ''}${o.count === 1 ? cls.noun : cls.plural}`;
}

const POSITION_PHRASES: Record<string, [string, string]> = {
  'top left': ['in the top left corner', 'at the top left'],
  'top center': ['at the top', 'in the top middle'],
  'top right': ['in the top right corner', 'at the top right'],
  'middle left': ['on the left', 'at the left side'],
  'middle center': ['in the center', 'in the middle'],
  'middle right': ['on the right', 'at the right side'],
  'bottom left': ['in the bottom left corner', 'at the bottom left'],
  'bottom center': ['at the bottom', 'in the bottom middle'],
  'bottom right': ['in the bottom right corner', 'at the bottom right'],
};

/** Where a grid cell is, in words; variant 0 is the plainest. */
export function positionPhrase(position: string, variant = 0): string {
  const p = POSITION_PHRASES[position];
  if (!p) throw new RangeError(`unknown position "${position}"`);
  return p[variant % 2]!;
}

export function stylePhrase(o: Pick<ObjectSpec, 'artSet'>, variant = 0): string {
  const style = ART_SETS[o.artSet].style;
  return variant % 2 === 0 ? `in ${style} style` : `drawn in ${withArticle(style)} emoji style`;
}

export function backgroundPhrase(bg: Background, variant = 0): string {
  if (bg.kind === 'solid') {
    return variant % 2 === 0 ? `on ${withArticle(bg.color)} background` : `against a plain ${bg.color} backdrop`;
  }
  if (variant % 2 === 0) return `on ${withArticle(bg.from)} to ${bg.to} gradient background`;
  const [a, b] = gradientEnds(bg.direction);
  return `on a background that fades from ${bg.from} at the ${a} to ${bg.to} at the ${b}`;
}

export function gradientEnds(direction: string): [string, string] {
  return direction === 'vertical' ? ['top', 'bottom'] : direction === 'horizontal' ? ['left', 'right'] : ['top left', 'bottom right'];
}

const TEXT_NOUN: Record<string, string> = { sign: 'sign', poster: 'poster', label: 'label' };

/** 'a yellow sign that says "OPEN"' (with colours when asked). */
export function textPhrase(t: TextSpec, rng: DataRng | null, withColors = true): string {
  const noun = TEXT_NOUN[t.kind]!;
  const plate = withColors ? withArticle(`${t.plateColor} ${noun}`) : withArticle(noun);
  const ink = withColors ? ` in ${t.textColor} letters` : '';
  const verbs = ['that says', 'reading', 'with the word', 'that reads'];
  const verb = rng ? rng.pick(verbs) : verbs[0]!;
  return verb === 'with the word' ? `${plate} with the word "${t.text}"${ink}` : `${plate} ${verb} "${t.text}"${ink}`;
}

export function textPositionPhrase(t: SceneText | (TextSpec & { position: string })): string {
  if (t.col === null) return t.row === 0 ? 'across the top' : t.row === 1 ? 'across the middle' : 'across the bottom';
  return positionPhrase(t.position);
}
