// What every suite run is given: the model, the scorer, the size and how many items.
import type { ModelUnderTest } from '../model.ts';
import type { Scorer } from '../scorer/scorer.ts';
import type { TextWords } from '../prompts/text.ts';

export interface SuiteContext {
  model: ModelUnderTest;
  scorer: Scorer;
  n: number;
  width: number;
  height: number;
  promptSeed: number;
  /** Sampling steps for generation and editing (undefined: the pipeline's default). */
  steps?: number;
  /** Compose prompts as captions (default) or rewritten as people type requests. */
  phrasing?: 'caption' | 'typed';
  /** Text suite: held-out words (default) or words seen on training signs. */
  textWords?: TextWords;
  /** Progress lines (stderr in the CLI). */
  log: (line: string) => void;
}
