// Captions generated from a Scene: short (what a user types), medium (with layout), and a long
// descriptive paragraph of 100+ words in which every sentence is still true of the pixels, so
// that long prompts carry information rather than filler. Phrasing varies with a seed derived
// from the scene itself, so the same scene always gets the same captions.
import { ART_SETS } from './artsets.ts';
import { objectClass } from './catalog.ts';
import {
  NUMBER_WORDS, backgroundPhrase, capitalize, gradientEnds, groupPhrase, groupRef, joinList,
  positionPhrase, stylePhrase, textPhrase, textPositionPhrase, withArticle,
} from './phrases.ts';
import { DataRng, hashString } from './rng.ts';
import { POSITIONS, positionName, type Relation, type Scene, type SceneObject } from './scene.ts';

export interface Captions {
  short: string;
  medium: string;
  long: string;
  /** Every phrasing, short first; a trainer picks one per step. */
  all: string[];
  /** Phrasings that say where every object and word is. */
  placed: string[];
  /** Phrasings that name no place at all (default-placement.ts says where such a prompt puts things). */
  unplaced: string[];
}

export function captionScene(scene: Scene): Captions {
  const rng = new DataRng(hashString(JSON.stringify(scene)));
  const short = shortCaption(scene, rng, 0);
  const shortAlt = shortCaption(scene, rng, 1);
  const medium = mediumCaption(scene, rng, 0);
  const mediumAlt = mediumCaption(scene, rng, 1);
  const long = longCaption(scene, rng);
  const tags = tagCaption(scene);
  const typed = typedCaption(scene, rng, 'some');
  // Drawn after the others so that adding them left every earlier phrasing as it was.
  const typedPlaced = typedCaption(scene, rng, 'all');
  const typedUnplaced = typedCaption(scene, rng, 'none');
  return {
    short, medium, long,
    all: [short, shortAlt, tags, medium, mediumAlt, long, typed],
    placed: [tags, medium, mediumAlt, typedPlaced],
    unplaced: [short, shortAlt, typedUnplaced],
  };
}

const REQUESTS = ['Draw', 'Make me', 'Create', 'Paint', 'Show me', 'Generate', 'I want', 'Please draw', 'Can you make'];

/**
 * The way people type requests rather than describe pictures: an imperative or "I want" first,
 * "X backdrop with Y", comma lists, often no article before the background and no full stop.
 */
function typedCaption(scene: Scene, rng: DataRng, places: 'some' | 'all' | 'none'): string {
  const placeOf = (o: SceneObject): boolean => places === 'all' || (places === 'some' && rng.chance(0.4));
  const items = scene.objects.map((o) => `${groupPhrase(o, { color: true })}${placeOf(o) ? ` ${positionPhrase(o.position, rng.int(0, 1))}` : ''}`);
  for (const t of scene.texts) items.push(`${textPhrase(t, rng, false)}${places === 'all' ? ` ${textPositionPhrase(t)}` : ''}`);
  const bg = scene.background;
  const bgWords = bg.kind === 'solid' ? `${bg.color} ${rng.pick(['background', 'backdrop', 'bg'])}` : `${bg.from} to ${bg.to} gradient`;
  const lead = rng.pick(REQUESTS);
  const list = rng.chance(0.5) ? items.join(', ') : joinList(items);
  const end = rng.pick(['', '.', '!', ' please']);
  switch (rng.int(0, 3)) {
    case 0:
      return `${lead} ${list} on a ${rng.chance(0.5) ? 'plain ' : ''}${bgWords}${end}`;
    case 1:
      return items.length ? `${bgWords} with ${list}` : bgWords;
    case 2:
      return `${lead} ${bgWords}, ${list}${end}`;
    default:
      return `${list}, ${bgWords}`;
  }
}

function blurClause(scene: Scene, variant: number): string {
  const b = scene.blur;
  if (!b) return '';
  const dir = blurDirection(b.angle);
  if (b.region === 'image') return variant === 0 ? `, blurred by ${dir} motion blur` : `, with ${dir} camera shake blur`;
  return `, with the ${objectNoun(scene.objects[b.region]!)} smeared by ${dir} motion blur`;
}

export function blurDirection(angle: number): string {
  const a = ((angle % 180) + 180) % 180;
  if (a < 20 || a > 160) return 'horizontal';
  if (a > 70 && a < 110) return 'vertical';
  return 'diagonal';
}

function objectNoun(o: SceneObject): string {
  return o.count === 1 ? o.noun : o.plural;
}

function shortCaption(scene: Scene, rng: DataRng, variant: number): string {
  const items = scene.objects.map((o) => groupPhrase(o, { color: true }));
  for (const t of scene.texts) items.push(textPhrase(t, rng, false));
  const bg = backgroundPhrase(scene.background, variant);
  if (items.length === 0) return `${capitalize(bg.replace(/^(on|against) /, ''))}${blurClause(scene, variant)}`;
  if (variant === 0) return `${joinList(items)} ${bg}${blurClause(scene, 0)}`;
  const bgNoun = bg.replace(/^(on|against) /, '');
  return `${capitalize(bgNoun)} with ${joinList(items)}${blurClause(scene, 1)}`;
}

function mediumCaption(scene: Scene, rng: DataRng, variant: number): string {
  // The second phrasing also names each object's art style, the attribute the art sets vary.
  const parts = scene.objects.map(
    (o) => `${groupPhrase(o, { color: true, size: true })}${variant === 1 ? ` ${stylePhrase(o, 0)}` : ''} ${positionPhrase(o.position, variant)}`,
  );
  let s = parts.length > 0 ? `${capitalize(joinList(parts))}, ${backgroundPhrase(scene.background, variant)}.` : `${capitalize(backgroundPhrase(scene.background, variant).replace(/^(on|against) /, ''))}.`;
  for (const t of scene.texts) s += ` ${capitalize(textPhrase(t, rng, true))} ${textPositionPhrase(t)}.`;
  const rel = pickRelation(scene, rng);
  if (rel) s += ` ${relationSentence(scene, rel)}`;
  if (scene.blur) s += ` The picture has ${blurDirection(scene.blur.angle)} motion blur.`;
  return s;
}

function pickRelation(scene: Scene, rng: DataRng): Relation | null {
  return scene.relations.length > 0 ? rng.pick(scene.relations) : null;
}

const RELATION_WORDS: Record<string, string> = { 'left of': 'to the left of', 'right of': 'to the right of', above: 'above', below: 'below' };

function relationSentence(scene: Scene, r: Relation): string {
  const a = scene.objects[r.subject]!;
  const b = scene.objects[r.object]!;
  const verb = a.count === 1 ? 'is' : 'are';
  return `${capitalize(groupRef(a, true))} ${verb} ${RELATION_WORDS[r.relation]} ${groupRef(b, true)}.`;
}

function tagCaption(scene: Scene): string {
  const tags: string[] = [];
  for (const o of scene.objects) tags.push(`${groupPhrase(o, { color: true, size: true })} (${o.position}, ${o.style} style)`);
  for (const t of scene.texts) tags.push(`${t.plateColor} ${t.kind} with ${t.textColor} text "${t.text}" (${t.position})`);
  const bg = scene.background;
  tags.push(bg.kind === 'solid' ? `${bg.color} background` : `${bg.from} to ${bg.to} ${bg.direction} gradient background`);
  if (scene.blur) tags.push(`${blurDirection(scene.blur.angle)} motion blur`);
  return tags.join(', ');
}

function orientation(scene: Scene): string {
  const r = scene.width / scene.height;
  if (r > 1.15) return 'a wide, landscape-format picture';
  if (r < 1 / 1.15) return 'a tall, portrait-format picture';
  return 'a square picture';
}

function arrangement(o: SceneObject): string {
  if (o.count === 1) return '';
  const xs = new Set(o.instances.map((b) => b.x)).size;
  const ys = new Set(o.instances.map((b) => b.y)).size;
  if (ys === 1) return ', standing side by side in a row';
  if (xs === 1) return ', stacked one above the other';
  return ', grouped together in a small cluster';
}

const SIZE_WORDS: Record<string, string> = {
  small: 'each one small, filling about half of its space',
  medium: 'each one medium-sized, filling most of its space',
  large: 'each one large, filling nearly all of its space',
};

function groupSentence(o: SceneObject, rng: DataRng): string {
  const where = capitalize(positionPhrase(o.position, rng.int(0, 1)));
  const be = o.count === 1 ? 'there is' : 'there are';
  const colour = o.color
    ? `${o.count === 1 ? 'It is' : 'They are'} colored a solid ${o.color}, with only light and dark shading left from the original drawing`
    : `${o.count === 1 ? 'It keeps' : 'They keep'} the natural colors of the ${ART_SETS[o.artSet].title} artwork`;
  const size = SIZE_WORDS[o.size]!.replace('each one ', o.count === 1 ? 'it is ' : 'each one ');
  return `${where} ${be} ${groupPhrase(o, { color: true, size: true, mediumWord: true })}${arrangement(o)}, ${stylePhrase(o, rng.int(0, 1))}. ${colour}; ${size}.`;
}

function longCaption(scene: Scene, rng: DataRng): string {
  const s: string[] = [];
  const total = scene.objects.reduce((n, o) => n + o.count, 0);
  const kinds = scene.objects.length;
  const content =
    kinds === 0
      ? 'no objects at all'
      : `${total === 1 ? 'a single object' : `${NUMBER_WORDS[total] ?? total} objects`} of ${kinds === 1 ? 'one kind' : `${NUMBER_WORDS[kinds]} different kinds`}`;
  s.push(`This is ${orientation(scene)} showing ${content}, laid out on an invisible three by three grid like an illustrated flash card.`);
  const bg = scene.background;
  if (bg.kind === 'solid') {
    s.push(`The background is a flat, even ${bg.color} that fills the whole frame, with no texture, no shadows and no horizon line.`);
  } else {
    const [a, b] = gradientEnds(bg.direction);
    s.push(`The background is a smooth ${bg.direction} gradient that starts as ${bg.from} at the ${a} and blends gradually into ${bg.to} at the ${b}, without any texture or pattern.`);
  }
  for (const o of scene.objects) s.push(groupSentence(o, rng));
  for (const t of scene.texts) {
    const what = withArticle(`${t.plateColor} ${t.kind}`);
    const where = textPositionPhrase(t);
    s.push(
      `${capitalize(what)} sits ${where}${t.col === null ? ', stretching across the full width of the image' : ''}. On it the word "${t.text}" is printed in tall, condensed ${t.textColor} capital letters, spelled ${t.text.split('').join('-')}, and nothing else is written anywhere.`,
    );
  }
  const rels = scene.relations.filter((r) => r.subject < r.object);
  if (rels.length > 0) {
    const picked = rng.shuffle(rels).slice(0, 3);
    s.push(`Seen from the viewer, ${picked.map((r) => relationSentence(scene, r).replace(/\.$/, '').replace(/^./, (c) => c.toLowerCase())).join('; ')}.`);
  }
  const used = new Set<string>();
  for (const o of scene.objects) used.add(o.position);
  for (const t of scene.texts) {
    if (t.col === null) for (const c of ['left', 'center', 'right']) used.add(`${['top', 'middle', 'bottom'][t.row]} ${c}`);
    else used.add(positionName(t.row, t.col));
  }
  const empty = POSITIONS.filter((p) => !used.has(p));
  if (empty.length > 0) {
    s.push(`The rest of the frame is left empty: nothing is drawn in the ${joinList(empty.map((p) => p.replace('middle center', 'center')))} ${empty.length === 1 ? 'area' : 'areas'}, where only the background shows.`);
  }
  if (scene.blur) {
    const b = scene.blur;
    const what = b.region === 'image' ? 'The whole picture' : capitalize(groupRef(scene.objects[b.region]!, true));
    s.push(`${what} ${b.region === 'image' || scene.objects[b.region]!.count === 1 ? 'is' : 'are'} smeared by a ${blurDirection(b.angle)} motion blur, as if the camera moved during the exposure, so edges look doubled and soft.`);
  } else {
    s.push('Every edge is crisp and sharp, and no two things overlap or touch each other.');
  }
  s.push(`${kinds > 0 ? `In total the picture contains ${total === 1 ? 'one object' : `${NUMBER_WORDS[total] ?? total} objects`}` : 'The picture contains no objects'}${scene.texts.length > 0 ? ` and ${scene.texts.length === 1 ? 'one piece' : 'two pieces'} of lettering` : ''}, and the composition is simple, clean and uncluttered, with generous space around each element.`);
  return s.join(' ');
}

/** Number of words in a caption (whitespace separated). */
export function wordCount(s: string): number {
  return s.split(/\s+/).filter((w) => w.length > 0).length;
}

// Exported for instructions that name an object class by noun.
export function nounOf(classId: string): string {
  return objectClass(classId).noun;
}
