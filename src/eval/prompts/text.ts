// The text suite's prompt set: lettering with the held-out words (never written on a sign in
// training), on signs across a row, with readable plate and ink colours. Item i is a pure
// function of (seed, i); the ground-truth scene of each prompt is drawn to check that the OCR
// reads the word when it is there. The same prompts with words the training signs do carry
// ('seen') tell a model that cannot spell from one that cannot draw letters at all.
import { COLOR_NAMES, DataRng, heldout, hashString, mixSeed } from '../../data/index.ts';
import { backgroundPhrase, capitalize, textPhrase, textPositionPhrase } from '../../data/phrases.ts';
import { colorsVisibleOn, readable, TRAIN_WORDS } from '../../data/sampler.ts';
import type { TextSpec } from '../../data/plates.ts';
import { textPositionName, type Row, type SceneSpec } from '../../data/scene.ts';
import { DEFAULT_PROMPT_SEED } from './compose.ts';

export const TEXT_PROMPT_VERSION = 'text-v1';

/** Which words the signs carry: the held-out ones (the suite's figure) or ones seen in training. */
export type TextWords = 'heldout' | 'seen';

export interface TextItem {
  id: string;
  word: string;
  prompt: string;
  truth: SceneSpec;
}

function textItem(seed: number, i: number, words: TextWords): TextItem {
  const rng = new DataRng(mixSeed(seed, hashString('text'), i));
  // Seen words come from their own stream, so the colours and rows match the held-out set's item for item.
  const word = words === 'heldout' ? heldout.words[i % heldout.words.length]! : new DataRng(mixSeed(seed, hashString('text-seen'), i)).pick(TRAIN_WORDS);
  for (;;) {
    const bg = rng.pick(COLOR_NAMES);
    const plates = colorsVisibleOn({ kind: 'solid', color: bg });
    if (plates.length === 0) continue;
    const plateColor = rng.pick(plates);
    const inks = COLOR_NAMES.filter((c) => readable(c, plateColor));
    if (inks.length === 0) continue;
    const t: TextSpec = { kind: 'sign', text: word, plateColor, textColor: rng.pick(inks), row: rng.int(0, 2) as Row, col: null };
    const background = { kind: 'solid' as const, color: bg };
    // Medium-caption wording: 'A yellow sign that says "GALAXY" in black letters across the top, on a blue background.'
    const prompt = `${capitalize(textPhrase(t, null, true))} ${textPositionPhrase({ ...t, position: textPositionName(t) })}, ${backgroundPhrase(background, 0)}.`;
    return { id: `text-${String(i).padStart(3, '0')}`, word, prompt, truth: { background, objects: [], texts: [t], blur: null } };
  }
}

export function textPrompts(n: number, seed = DEFAULT_PROMPT_SEED, words: TextWords = 'heldout'): TextItem[] {
  return Array.from({ length: n }, (_, i) => textItem(seed, i, words));
}
