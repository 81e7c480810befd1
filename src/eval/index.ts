// Public API of src/eval: suites, the scorer, the metrics they use, and reports.
//
//   runSuite('compose' | 'edit' | 'text' | 'speed', ctx) -> SuiteResult (summary() is the JSON line)
//   Scorer.load(dir?) / scorer.predict(images) -> per-cell predictions
//   preservation(source, edited, mask) -> { psnr, ssim }
//   readText(image) / readWord(image, word) / scoreWord(word, tokens) -> Tesseract read-back
//   writeReport(dir, results, baseline?) -> report.md + PNGs
import type { SuiteResult } from './result.ts';
import type { SuiteContext } from './suites/context.ts';
import { runCompose } from './suites/compose.ts';
import { runEdit } from './suites/edit.ts';
import { runSpeed } from './suites/speed.ts';
import { runText } from './suites/text.ts';

export const SUITES = ['compose', 'edit', 'text', 'speed'] as const;
export type SuiteName = (typeof SUITES)[number];

export function runSuite(name: SuiteName, ctx: SuiteContext): Promise<SuiteResult> {
  switch (name) {
    case 'compose':
      return runCompose(ctx);
    case 'edit':
      return runEdit(ctx);
    case 'text':
      return runText(ctx);
    case 'speed':
      return runSpeed(ctx);
  }
}

export type { SuiteContext } from './suites/context.ts';
export { summary, table, type SuiteResult, type Sample } from './result.ts';
export { Scorer, DEFAULT_SCORER_DIR, type CellPrediction, type ScorerCard } from './scorer/scorer.ts';
export { checkExpectation, type Expectation } from './expect.ts';
export { preservation } from './preservation.ts';
export { psnrOutside, ssimOutside, PSNR_IDENTICAL } from '../image/index.ts';
export { readText, readWord, scoreWord, tesseractVersion, editDistance } from './ocr.ts';
export { loadModelUnderTest, type ModelUnderTest } from './model.ts';
export { writeReport } from './report.ts';
