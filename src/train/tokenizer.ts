// The tokenizer a run trains on its own data: captions of every length and edit instructions.
import { composeScene } from '../data/compose.ts';
import { makeEditPair } from '../data/edits.ts';
import { type Tokenizer, trainBpe } from '../model/tokenizer/index.ts';

/** Texts from `scenes` scenes and `edits` edit pairs (deterministic in the seed), rendered at 128×128 (lettering needs room). */
export function* trainingTexts(seed: number, scenes: number, edits: number): Generator<string> {
  for (let i = 0; i < scenes; i++) {
    const c = composeScene(seed * 1_000_003 + i, { width: 128, height: 128, split: 'train' });
    yield* c.captions.all;
  }
  for (let i = 0; i < edits; i++) {
    const e = makeEditPair(seed * 1_000_033 + i, { width: 128, height: 128, split: 'train' });
    yield e.instruction;
  }
}

export function trainRunTokenizer(seed: number, vocabSize: number, scenes: number, edits: number): Tokenizer {
  return trainBpe(trainingTexts(seed, scenes, edits), { vocabSize, minFrequency: 2 });
}
