// text: can the model write a word it never saw written? Held-out words on signs, read back
// with Tesseract; word accuracy and character error rate. Tesseract's own accuracy on
// ground-truth renders of the same prompts is reported alongside.
import { layoutScene } from '../../data/scene.ts';
import { renderScene } from '../../data/render.ts';
import { readWord, scoreWord, tesseractVersion } from '../ocr.ts';
import { TEXT_PROMPT_VERSION, textPrompts } from '../prompts/text.ts';
import { itemSeed, mean, round, type Sample, type SuiteResult } from '../result.ts';
import type { SuiteContext } from './context.ts';

export async function runText(ctx: SuiteContext): Promise<SuiteResult> {
  const t0 = performance.now();
  const version = await tesseractVersion();
  const wordSet = ctx.textWords ?? 'heldout';
  const items = textPrompts(ctx.n, ctx.promptSeed, wordSet);
  const words: number[] = [];
  const cers: number[] = [];
  const judgeWords: number[] = [];
  const judgeCers: number[] = [];
  const samples: Sample[] = [];
  const outcomes: NonNullable<SuiteResult['outcomes']> = {};
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    const truth = renderScene(layoutScene(it.truth, ctx.width, ctx.height)).image;
    const j = scoreWord(it.word, await readWord(truth, it.word));
    judgeWords.push(j.correct ? 1 : 0);
    judgeCers.push(j.cer);
    const image = await ctx.model.generate({ prompt: it.prompt, width: ctx.width, height: ctx.height, seed: itemSeed(it.id), steps: ctx.steps });
    const s = scoreWord(it.word, await readWord(image, it.word));
    words.push(s.correct ? 1 : 0);
    cers.push(s.cer);
    outcomes[it.id] = { category: 'word_accuracy', right: s.correct ? 1 : 0 };
    samples.push({ id: it.id, category: 'lettering', caption: it.prompt, images: [image], score: 1 - s.cer, note: `read "${s.read}"` });
    ctx.log(`text ${i + 1}/${items.length} ${it.word}: read "${s.read}" (CER ${s.cer.toFixed(2)})`);
  }
  const accuracy = round(mean(words));
  return {
    suite: 'text',
    promptSet: wordSet === 'seen' ? `${TEXT_PROMPT_VERSION}-seen` : TEXT_PROMPT_VERSION,
    promptSeed: ctx.promptSeed,
    model: { id: ctx.model.id, version: ctx.model.version },
    size: { width: ctx.width, height: ctx.height },
    n: ctx.n,
    overall: accuracy,
    categories: { word_accuracy: accuracy, char_accuracy: round(1 - mean(cers)) },
    metrics: { cer: round(mean(cers)), prompts: items.length },
    judge: { name: `${version}, widened ×1/1.5/2 until the word reads, on ground-truth renders`, overall: round(mean(judgeWords)), categories: { word_accuracy: round(mean(judgeWords)), char_accuracy: round(1 - mean(judgeCers)) } },
    seconds: round((performance.now() - t0) / 1000, 1),
    outcomes,
    samples,
  };
}
